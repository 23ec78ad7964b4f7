//! The letter grade: A+ to F, in the spirit of SSL Labs' rating guide. The grade starts
//! at A+ and each finding whose catalogue entry caps the grade lowers it to that cap, so
//! every step down is tied to a finding id the UI can explain.

use serde::{Deserialize, Serialize};

use super::finding::{Finding, kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Grade {
    #[serde(rename = "A+")]
    APlus,
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::APlus => "A+",
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
            Self::F => "F",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::APlus, Self::A, Self::B, Self::C, Self::D, Self::F]
            .into_iter()
            .find(|grade| grade.as_str() == text)
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One step down the scale and the finding that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Deduction {
    pub finding: String,
    pub caps: Grade,
}

/// The grade for a set of findings, with the deductions that explain it (worst first).
pub fn grade(findings: &[Finding]) -> (Grade, Vec<Deduction>) {
    let mut deductions: Vec<Deduction> = findings
        .iter()
        .filter_map(|finding| {
            kind(&finding.id)
                .and_then(|kind| kind.caps)
                .map(|caps| Deduction {
                    finding: finding.id.clone(),
                    caps,
                })
        })
        .collect();
    deductions.sort_by(|a, b| b.caps.cmp(&a.caps).then_with(|| a.finding.cmp(&b.finding)));
    deductions.dedup();
    let grade = deductions
        .iter()
        .map(|deduction| deduction.caps)
        .max()
        .unwrap_or(Grade::APlus);
    (grade, deductions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::finding::ids;

    #[test]
    fn the_worst_cap_wins_and_is_explained() {
        let findings = vec![
            Finding::new(ids::NO_TLS13, "m", "e"),
            Finding::new(ids::PROTOCOL_TLS10, "m", "e"),
            Finding::new(ids::OCSP_NO_STAPLING, "m", "e"),
        ];
        let (grade, deductions) = grade(&findings);
        assert_eq!(grade, Grade::B);
        assert_eq!(deductions[0].finding, ids::PROTOCOL_TLS10);
        assert_eq!(deductions.len(), 2, "informational findings do not deduct");
        assert_eq!(super::grade(&[]).0, Grade::APlus);
        assert_eq!(
            super::grade(&[Finding::new(ids::CERT_EXPIRED, "m", "e")]).0,
            Grade::F
        );
    }
}
