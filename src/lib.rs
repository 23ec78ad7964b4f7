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
//! let created = keyward.add_credential(
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
pub mod certificate;
pub mod clock;
mod error;
pub mod import;
pub mod model;
pub mod policy;
pub mod probe;
pub mod report;
pub mod rotate;
pub mod scan;
mod service;
pub mod store;
pub mod vault;

pub use error::{Error, ErrorCode, Result};
pub use service::{
    ATTESTATION_CONTEXT, ATTESTATION_FORMAT, Access, CertificateImport, CredentialEdit,
    DEFAULT_PROBE_INTERVAL, EndpointCheck, ImportOptions, ImportOutcome, ImportedBundle,
    IntegrationEdit, Keyward, MAX_AGE_SETTING, ProbeOutcome, ProbeRecord, Regression, ReportFormat,
    ReportScope, ReviewOverview, RotationApproval, ScanMode, ScanRequest, SharedFingerprint,
    SkippedEntry, default_home,
};
/// The desktop app's dashboard and preferences.
pub use service::{CredentialRow, Dashboard, IntegrationRow, Inventory, Preferences};
/// Scheduled scans of the folders the user picked (the desktop app's leak scanner).
pub use service::{
    FoundSecret, MAX_SCAN_EVERY_HOURS, RootFailure, RootsScanOutcome, RootsScanProgress,
    ScanSettings,
};
