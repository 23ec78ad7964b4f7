//! The types of the rotation journal and of what the surfaces show: the plan, step
//! progress, the outcome and the history. All serialize to JSON (CLI `--json`, desktop
//! app) and never carry a secret value.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use keyward_model::rotation::{RotationMethod, RotationState};
use serde::{Deserialize, Serialize};

/// How a credential is set up for rotation; stored as JSON next to the credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationSetup {
    pub method: RotationMethod,
    /// Overrides the provider's API base URL (self-hosted GitLab, tests). Default: the
    /// provider's public API.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The TOML recipe of the `http` method (its text, kept so a later edit of the file
    /// does not silently change what a rotation sends).
    #[serde(default)]
    pub recipe: Option<String>,
    /// A PEM file of CA certificates to trust for the provider's TLS, in addition to the
    /// system roots (self-hosted GitLab with a private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The provider account the key belongs to: Twilio account SID, Cloudflare account
    /// id (account-owned tokens), GitLab project id or path (project access tokens), AWS
    /// IAM user name (default: the user of the key itself).
    #[serde(default)]
    pub account: Option<String>,
    /// For `client-cert` credentials: the name of a `client-cert` credential holding a
    /// local CA whose key signs the renewed certificate. Default: self-signed.
    #[serde(default)]
    pub signing_ca: Option<String>,
    /// The provider's id of the current key when it is not part of the value (recipes,
    /// Cloudflare); updated by every rotation.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Files that hold the value and are rewritten by the propagation step.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// Where the public JWKS of a `jwt-signing-key` is written: a path the user chose.
    /// Default: `<home>/jwks/<credential id>.json`, named by id and never by the
    /// credential's name, which is user input and must never become a path.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// Per-request timeout for provider calls, milliseconds. Default 30 000.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl RotationSetup {
    pub fn new(method: RotationMethod) -> Self {
        Self {
            method,
            base_url: None,
            recipe: None,
            ca_file: None,
            account: None,
            signing_ca: None,
            key_id: None,
            files: Vec::new(),
            jwks_file: None,
            timeout_ms: None,
        }
    }
}

/// One step of a plan, as the confirmation dialog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlannedStep {
    pub state: RotationState,
    pub description: String,
}

/// One changed line of a file, with both values redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FileChange {
    pub line: u32,
    pub before: String,
    pub after: String,
}

/// Why a file is among a rotation's propagation targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum FileOrigin {
    /// Registered for the credential in its rotation setup.
    #[default]
    Registered,
    /// The leak scanner found the credential's current value there (an open finding).
    LeakScan,
}

/// What propagation would change in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FilePreview {
    pub path: PathBuf,
    /// Registered, or found by the leak scanner.
    #[serde(default)]
    pub origin: FileOrigin,
    /// Lines holding the current value; empty when the file does not contain it.
    pub changes: Vec<FileChange>,
    /// Why the file cannot be rewritten (missing, unreadable), if so.
    pub problem: Option<String>,
}

/// What a rotation will do, shown before the user confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationPlan {
    pub credential: String,
    pub method: RotationMethod,
    /// `replace` (new key next to the old one, old revoked after) or `roll` (the provider
    /// replaces the value in place; no rollback once it answered).
    pub lifecycle: String,
    pub steps: Vec<PlannedStep>,
    /// Where the new value is also checked before commit (the probe's auth request):
    /// each endpoint's origin and auth method. Empty when no integration uses it.
    #[serde(default)]
    pub verify_endpoints: Vec<String>,
    pub files: Vec<FilePreview>,
    pub grace_hours: u32,
    pub warnings: Vec<String>,
}

/// A progress report, sent after every step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StepProgress {
    pub rotation_id: i64,
    pub credential: String,
    pub state: RotationState,
    pub message: String,
}

/// How a rotation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationOutcome {
    pub rotation_id: i64,
    pub credential: String,
    pub state: RotationState,
    pub files_updated: Vec<PathBuf>,
    pub warnings: Vec<String>,
    /// The error that made the rotation roll back, if it did.
    pub error: Option<String>,
}

/// One journaled step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StepRecord {
    pub state: RotationState,
    pub at: DateTime<Utc>,
    pub message: String,
}

/// A past or running rotation with its steps, for the history view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationHistory {
    pub id: i64,
    pub credential: String,
    pub method: RotationMethod,
    pub state: RotationState,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub grace_until: Option<DateTime<Utc>>,
    /// Whether the replaced value is still kept in the keychain.
    pub previous_kept: bool,
    pub steps: Vec<StepRecord>,
}
