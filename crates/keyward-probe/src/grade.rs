//! The letter grade: A+ to F, in the spirit of SSL Labs' rating guide. The scale alone:
//! the finding catalogue names each finding's cap on it, and `grading` applies them.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// The names (`A+`, `B`) are part of `keyward probe --json` and are stored with each
/// probe.
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
pub enum Grade {
    #[serde(rename = "A+")]
    #[strum(serialize = "A+")]
    APlus,
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::Grade;

    #[test]
    fn grades_round_trip_through_their_serde_names() {
        for grade in Grade::iter() {
            assert_eq!(serde_json::to_value(grade).unwrap(), grade.as_str());
            assert_eq!(grade.to_string(), grade.as_str());
            assert_eq!(grade.as_str().parse::<Grade>(), Ok(grade));
        }
        assert_eq!(Grade::APlus.as_str(), "A+");
        assert!(Grade::F > Grade::APlus, "a worse grade compares greater");
    }
}
