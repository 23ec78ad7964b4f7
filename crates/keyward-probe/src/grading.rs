//! How findings become a grade. The grade starts at A+ and each finding whose catalogue
//! entry caps the grade lowers it to that cap, so every step down is tied to a finding
//! id the UI can explain.

use serde::{Deserialize, Serialize};

use super::finding::{PostureFinding, kind};
use super::grade::Grade;

/// One step down the scale and the finding that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Deduction {
    pub finding: String,
    pub caps: Grade,
}

/// The grade for a set of findings, with the deductions that explain it (worst first).
pub fn grade(findings: &[PostureFinding]) -> (Grade, Vec<Deduction>) {
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
    use crate::finding::ids;

    #[test]
    fn the_worst_cap_wins_and_is_explained() {
        let findings = vec![
            PostureFinding::new(ids::NO_TLS13, "m", "e"),
            PostureFinding::new(ids::PROTOCOL_TLS10, "m", "e"),
            PostureFinding::new(ids::OCSP_NO_STAPLING, "m", "e"),
        ];
        let (grade, deductions) = grade(&findings);
        assert_eq!(grade, Grade::B);
        assert_eq!(deductions[0].finding, ids::PROTOCOL_TLS10);
        assert_eq!(deductions.len(), 2, "informational findings do not deduct");
        assert_eq!(super::grade(&[]).0, Grade::APlus);
        assert_eq!(
            super::grade(&[PostureFinding::new(ids::CERT_EXPIRED, "m", "e")]).0,
            Grade::F
        );
    }
}
