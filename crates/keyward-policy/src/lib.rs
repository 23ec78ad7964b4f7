//! The staleness policy: turns the inventory, probe verdicts and scan findings into
//! [`Warning`]s, each with a severity and the action that fixes it.
//!
//! Pure functions of their input and a given `now`, so every threshold is tested with a
//! fixed clock. What the rules are, in order of severity:
//!
//! | warning | severity | fix |
//! |---|---|---|
//! | a vault value found in a file or commit (`leaked`) | critical | rotate |
//! | the endpoint rejects the credential (`rejected`) | critical | rotate |
//! | certificate expired | critical | rotate |
//! | credential / JWT expired | high | rotate |
//! | rotation overdue | high | rotate |
//! | certificate expiring within 7 days | high | rotate |
//! | certificate expiring within 30 days, credential within 14 | medium | rotate |
//! | older than the maximum age (default 365 days) | medium | rotate |
//! | a provider secret found that the vault does not hold | medium | import |
//! | rotation due within 14 days | low | rotate |
//! | an endpoint's newest probe worse than the one before (`posture-regressed`) | high if F or a new high finding, else medium | posture |
//! | bound to an endpoint but never verified | info | verify |

mod rules;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

use keyward_model::Credential;
pub use keyward_model::Severity;
pub use keyward_model::leak::{StoredFinding, Verification, VerificationOutcome};

pub use rules::evaluate;

/// Days before a scheduled rotation that it is reported as due.
pub const ROTATION_DUE_DAYS: i64 = 14;
/// Days before a certificate's expiry that it is reported as expiring.
pub const CERTIFICATE_EXPIRING_DAYS: i64 = 30;
/// Days before a certificate's expiry that expiring becomes urgent.
pub const CERTIFICATE_URGENT_DAYS: i64 = 7;
/// Days before a non-certificate credential's expiry that it is reported as expiring.
pub const CREDENTIAL_EXPIRING_DAYS: i64 = 14;
/// The default maximum age of a credential's value, in days.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 365;

/// What is wrong. The kebab-case names are part of `keyward check --json` and of the
/// warning ids (`rotation-overdue:github-ci`).
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
pub enum WarningKind {
    Leaked,
    Rejected,
    CertificateExpired,
    CertificateExpiring,
    CredentialExpired,
    CredentialExpiring,
    JwtExpired,
    RotationOverdue,
    RotationDue,
    MaxAgeExceeded,
    UnmanagedSecret,
    NeverVerified,
    /// No access review within the team's review period.
    ReviewOverdue,
    /// An endpoint's newest probe found it worse than the probe before (lower grade or
    /// a new finding); stands until a later probe no longer does.
    PostureRegressed,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The one action that makes a warning go away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum FixAction {
    /// `keyward rotate NAME`.
    Rotate { credential: String },
    /// Probe the endpoints that use the credential.
    Verify { credential: String },
    /// Import the found secret into the vault (`Keyward::import_found_secret`).
    Import { finding_id: i64 },
    /// Record an access-review decision (`keyward review decide NAME`).
    Review { credential: String },
    /// Open the file where a secret was found and remove it.
    OpenFile {
        root: String,
        path: String,
        line: u32,
    },
    /// Read the integration's posture (findings and their fixes), fix, probe again.
    Posture { integration: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Warning {
    /// Stable across runs for the same problem (`rotation-overdue:github-ci`), so the app
    /// notifies once per new warning.
    pub id: String,
    pub kind: WarningKind,
    pub severity: Severity,
    pub credential: Option<String>,
    pub message: String,
    /// When the problem started or starts (the due date, the expiry), if it has one.
    pub due: Option<DateTime<Utc>>,
    pub action: FixAction,
    /// For scan warnings: where the secret was found.
    pub finding_id: Option<i64>,
}

/// Everything the policy looks at.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    pub credentials: Vec<Credential>,
    /// The latest verification per credential (older ones are ignored).
    pub verifications: Vec<Verification>,
    /// Credentials that an integration endpoint uses, so they can be verified.
    pub bound_to_endpoint: HashSet<String>,
    /// `exp` of credentials whose value is a JWT.
    pub jwt_expiries: Vec<(String, DateTime<Utc>)>,
    /// Open (unresolved) scan findings.
    pub findings: Vec<StoredFinding>,
    pub max_age_days: u32,
    /// The team's access-review policy, when one is set (`review_every_days`); without
    /// one, nobody is nagged about reviews.
    pub review: Option<ReviewPolicy>,
    /// Endpoints whose newest probe is worse than the one before.
    pub posture_drops: Vec<PostureDrop>,
}

/// An endpoint whose newest completed probe is worse than the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostureDrop {
    pub target: String,
    pub integration: Option<String>,
    pub probed_at: DateTime<Utc>,
    /// Grades as the prober spells them (`A+` .. `F`).
    pub previous_grade: Option<String>,
    pub grade: Option<String>,
    /// Ids and severities (`high`, `medium`, ...) of findings the previous probe lacked.
    pub new_findings: Vec<(String, String)>,
}

/// How often every credential must be reviewed, and when each last was.
#[derive(Debug, Clone, Default)]
pub struct ReviewPolicy {
    pub every_days: u32,
    pub last_reviewed: std::collections::HashMap<String, DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::WarningKind;

    #[test]
    fn warning_kinds_round_trip_through_their_serde_names() {
        for kind in WarningKind::iter() {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(kind.to_string(), kind.as_str());
            assert_eq!(kind.as_str().parse::<WarningKind>(), Ok(kind));
        }
        assert_eq!(WarningKind::MaxAgeExceeded.as_str(), "max-age-exceeded");
    }
}
