//! Leak findings as every part of Keyward sees them: what the scanner found, how the
//! store remembers it, and what a probe concluded about a credential. The scanner
//! produces them, the store keeps them, the policy and the reports read them, so they
//! live here rather than in any one of those.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::CredentialKind;

/// What sort of hit a finding is. The kebab-case names are part of `keyward scan
/// --json` and are stored in SQLite.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum FindingKind {
    /// A value that is in the vault: a credential Keyward manages has leaked.
    Leak,
    /// A secret of a known shape that the vault does not hold (yet).
    Secret,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How sure the scanner is that a finding is a live secret rather than a look-alike. The
/// order is the order of trust, so `--min-confidence` is a comparison; the lower-case
/// names are part of `keyward scan --json`, SARIF and the stored findings.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Confidence {
    /// A generic assignment or entropy hit, or a provider pattern in documentation or a
    /// test fixture.
    Low,
    /// A provider's token pattern, in the keyword context the rule asks for.
    #[default]
    Medium,
    /// The value's structure or checksum was validated (a GitHub token's CRC32, a JWT
    /// that decodes, a complete private key block), or it is a vault credential's value.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// One step less sure: what documentation or test-fixture context does to a finding.
    pub fn lowered(self) -> Self {
        match self {
            Self::High => Self::Medium,
            Self::Medium | Self::Low => Self::Low,
        }
    }
}

/// The commit a history finding was added in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub date: DateTime<Utc>,
}

/// One secret found somewhere. Carries the secret only redacted (rule 7) and as a
/// fingerprint; importing it re-reads the file (see `Keyward::import_found_secret`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    pub rule: String,
    pub kind: FindingKind,
    pub provider: Option<String>,
    /// What the rule detects, for people (`GitHub personal access token (classic)`).
    pub description: String,
    /// The scanned root the path is relative to.
    pub root: String,
    /// Relative to `root`, with `/` separators.
    pub path: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in bytes.
    pub column: u32,
    pub commit: Option<CommitInfo>,
    pub redacted: String,
    /// A keyed one-way identity of (rule, secret): `v2:` and the hex HMAC-SHA256 under
    /// the home's or the team's fingerprint key (`keyward_scan::FingerprintKey`). Stable
    /// across moves, used by baselines and to de-duplicate stored findings and
    /// notifications; without the key it confirms no guessed secret. Empty when the scan
    /// had no key (no home and no team key). Stored findings of Keyward before v2 may
    /// still hold the wrapped form of the old unkeyed one (`v1k:`) until a scan sees them.
    pub fingerprint: String,
    /// The vault credential whose value this is.
    pub vault_credential: Option<String>,
    /// The kind offered when the secret is imported.
    pub credential_kind: CredentialKind,
    /// How sure the scanner is (see [`Confidence`]); findings stored before confidences
    /// existed read as medium.
    #[serde(default)]
    pub confidence: Confidence,
}

/// A finding as remembered between scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoredFinding {
    pub id: i64,
    pub finding: Finding,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Set when a later scan of the same root no longer found it, or it was imported.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A probe's verdict on a credential: the fact the policy needs from the prober.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Verification {
    pub credential: String,
    pub at: DateTime<Utc>,
    pub outcome: VerificationOutcome,
    /// What the endpoint said (`401 Unauthorized from api.example.com`).
    pub detail: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum VerificationOutcome {
    Accepted,
    Rejected,
}

impl VerificationOutcome {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn kinds_and_outcomes_round_trip_through_their_serde_names() {
        for kind in FindingKind::iter() {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(kind.as_str().parse::<FindingKind>(), Ok(kind));
        }
        for outcome in VerificationOutcome::iter() {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
            assert_eq!(outcome.as_str().parse::<VerificationOutcome>(), Ok(outcome));
        }
        assert_eq!(FindingKind::Leak.as_str(), "leak");
        assert_eq!(VerificationOutcome::Rejected.as_str(), "rejected");
    }
}
