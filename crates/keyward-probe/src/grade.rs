//! The letter grade: A+ to F, in the spirit of SSL Labs' rating guide. The scale alone:
//! the finding catalogue names each finding's cap on it, and `grading` applies them.

use serde::{Deserialize, Serialize};


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
