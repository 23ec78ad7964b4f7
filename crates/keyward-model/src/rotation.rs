//! The words of a rotation that outlive the engine: the journal's states and the
//! methods a credential rotates with. The store keeps them typed and the reports read
//! them, so they live here rather than in the rotation engine.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

/// A step of the rotation state machine, as stored in the journal. The kebab-case
/// names are stored in SQLite and printed by `keyward rotate --json`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RotationState {
    Planned,
    Created,
    Stored,
    Verified,
    Committed,
    Propagated,
    Revoked,
    Done,
    RollingBack,
    RolledBack,
}

impl RotationState {
    /// The forward path, in order.
    pub const FORWARD: [RotationState; 8] = [
        Self::Planned,
        Self::Created,
        Self::Stored,
        Self::Verified,
        Self::Committed,
        Self::Propagated,
        Self::Revoked,
        Self::Done,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether the rotation has stopped, one way or the other.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::RolledBack)
    }

    /// Whether the new value is not yet current: failures here roll back.
    pub fn is_before_commit(self) -> bool {
        matches!(
            self,
            Self::Planned | Self::Created | Self::Stored | Self::Verified
        )
    }

    /// The step after this one on the forward path.
    pub fn next(self) -> Option<Self> {
        let index = Self::FORWARD.iter().position(|state| *state == self)?;
        Self::FORWARD.get(index + 1).copied()
    }
}

/// How a credential is rotated. The kebab-case names are the CLI's `--method` values.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RotationMethod {
    /// A new value made locally: random token, HMAC key, JWT signing key, certificate.
    Generate,
    /// A user-written recipe of HTTP requests (TOML).
    Http,
    Aws,
    Gitlab,
    Cloudflare,
    Twilio,
}

impl RotationMethod {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses a method name, naming the known ones when it is not one of them.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.parse().map_err(|_| {
            let known: Vec<&str> = Self::iter().map(Self::as_str).collect();
            format!(
                "unknown rotation method `{text}`; expected one of {}",
                known.join(", ")
            )
        })
    }
}

/// One rotation attempt of a credential, as the history and the reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationRecord {
    pub id: i64,
    pub credential: String,
    pub method: RotationMethod,
    pub state: RotationState,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for state in RotationState::iter() {
            let json = serde_json::to_value(state).unwrap();
            assert_eq!(json, state.as_str());
            assert_eq!(state.as_str().parse::<RotationState>().unwrap(), state);
        }
        for method in RotationMethod::iter() {
            let json = serde_json::to_value(method).unwrap();
            assert_eq!(json, method.as_str());
            assert_eq!(RotationMethod::parse(method.as_str()).unwrap(), method);
        }
        assert_eq!(RotationState::RolledBack.as_str(), "rolled-back");
        let error = RotationMethod::parse("ftp").unwrap_err();
        assert!(
            error.contains("generate, http, aws, gitlab, cloudflare, twilio"),
            "{error}"
        );
    }

    #[test]
    fn states_round_trip_and_walk_forward_in_order() {
        let mut state = RotationState::Planned;
        let mut seen = vec![state];
        while let Some(next) = state.next() {
            seen.push(next);
            state = next;
        }
        assert_eq!(seen, RotationState::FORWARD.to_vec());
        for state in RotationState::FORWARD
            .into_iter()
            .chain([RotationState::RollingBack, RotationState::RolledBack])
        {
            assert_eq!(state.as_str().parse::<RotationState>(), Ok(state));
        }
    }

    #[test]
    fn only_steps_before_commit_roll_back() {
        assert!(RotationState::Verified.is_before_commit());
        assert!(!RotationState::Committed.is_before_commit());
        assert!(!RotationState::Done.is_before_commit());
    }

    #[test]
    fn methods_parse_and_name_the_choices_on_error() {
        assert_eq!("aws".parse::<RotationMethod>(), Ok(RotationMethod::Aws));
        assert!(
            RotationMethod::parse("vault")
                .unwrap_err()
                .contains("twilio")
        );
    }
}
