//! One severity scale for every finding Keyward reports: probe findings, staleness
//! and leak warnings, report rows. Ordered from least to most severe, so `max()` is
//! the worst and a list sorted in reverse puts the worst first.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// How bad a finding is. The lowercase names are part of every JSON output.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn worst_is_greatest_and_names_match_serde() {
        assert!(Severity::Critical > Severity::High);
        assert_eq!(Severity::iter().max(), Some(Severity::Critical));
        for severity in Severity::iter() {
            assert_eq!(serde_json::to_value(severity).unwrap(), severity.as_str());
            assert_eq!(severity.as_str().parse::<Severity>().unwrap(), severity);
        }
    }
}
