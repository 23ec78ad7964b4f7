//! Keyward keeps API credentials in the OS keychain and the inventory around them
//! (integrations, endpoints, owners, rotation schedules, audit trail) in SQLite.
//!
//! The [`Keyward`] service opens one home directory and is what the CLI and the desktop
//! app both drive, so the two can never disagree:
//!
//! ```no_run
//! use keyward::{Keyward, model::{CredentialKind, NewCredential, SecretValue}};
//!
//! let mut keyward = Keyward::init(std::path::Path::new("/tmp/keyward-home"))?;
//! let created = keyward.credentials().add_credential(
//!     NewCredential {
//!         name: "github-ci".into(),
//!         kind: Some(CredentialKind::Token),
//!         allowed_hosts: vec!["api.github.com".into()],
//!         ..Default::default()
//!     },
//!     SecretValue::from_string("ghp_example".into()),
//! )?;
//! assert_eq!(created.name, "github-ci");
//! # Ok::<(), keyward::Error>(())
//! ```

pub mod audit;
mod error;
mod service;

// The engines, each its own crate (docs/ARCHITECTURE.md), re-exported under the names
// the CLI and the desktop app use for their types.
pub use keyward_import as import;
pub use keyward_import::certificate;
pub use keyward_model as model;
pub use keyward_model::clock;
pub use keyward_policy as policy;
pub use keyward_probe as probe;
pub use keyward_report as report;
pub use keyward_rotate as rotate;
pub use keyward_scan as scan;
pub use keyward_store as store;
pub use keyward_team as team;
pub use keyward_vault as vault;

pub use error::{Error, ErrorCode, Result};
pub use service::{
    ATTESTATION_CONTEXT, ATTESTATION_FORMAT, Access, BatchRotation, CertificateImport,
    CredentialEdit, DEFAULT_PROBE_INTERVAL, EndpointCheck, ImportOptions, ImportOutcome,
    ImportedBundle, IntegrationEdit, Keyward, MAX_AGE_SETTING, NotRotatable, OverduePlan,
    ProbeOutcome, ProbeRecord, Regression, ReportFormat, ReportScope, ReviewOverview,
    RotationApproval, ScanMode, ScanRequest, SharedFingerprint, SkippedEntry, default_home,
};
/// The security lead's board across workstations.
pub use service::{
    BoardRow, BoardSource, BoardSummary, SeverityCount, TEAM_TAG_PREFIX, TeamBoard,
    TeamDatabaseInfo,
};
/// The desktop app's dashboard and preferences.
pub use service::{CredentialRow, Dashboard, IntegrationRow, Inventory, Preferences};
/// Current posture per integration, for the desktop app's posture panel.
pub use service::{EndpointPosture, ExplainedFinding, IntegrationPosture};
/// Scheduled scans of the folders the user picked (the desktop app's leak scanner).
pub use service::{
    FoundSecret, MAX_SCAN_EVERY_HOURS, RootFailure, RootsScanOutcome, RootsScanProgress,
    ScanSettings,
};
/// The naming rule for credentials and integrations (docs/DESIGN.md, "The CLI contract").
pub use service::{NAME_MAX, NAME_RULE, is_safe_name, safe_name};
