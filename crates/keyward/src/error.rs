//! The library's top-level error and the stable classes that the CLI turns into exit
//! codes and the desktop app into `{code, message}` for the UI.

use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use crate::audit::AuditProblem;
use crate::certificate::CertificateError;
use crate::import::ImportError;
use crate::report::BundleError;
use crate::rotate::RotateError;
use crate::scan::ScanError;
use crate::store::StoreError;
use crate::team::SyncError;
use crate::vault::VaultError;

#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Vault(#[from] VaultError),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Import(#[from] ImportError),

    #[error(transparent)]
    Certificate(#[from] CertificateError),

    #[error(transparent)]
    Bundle(#[from] BundleError),

    #[error(transparent)]
    TeamSync(#[from] SyncError),

    #[error(transparent)]
    Rotate(#[from] RotateError),

    #[error(transparent)]
    Scan(#[from] ScanError),

    /// Input that fails validation; the message names the field and the value's problem.
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },

    #[error("no Keyward home at {}; run `keyward init` first (or pass --home)", path.display())]
    NotInitialized { path: PathBuf },

    #[error("cannot use the home directory {}: {source}", path.display())]
    Home {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A write refused because the audit log it would extend fails verification (or a
    /// home that cannot be sealed); nothing was changed.
    #[error(
        "refusing to write: the audit log fails verification ({}); nothing was changed. Run `keyward audit verify` for the full report",
        summary(problems)
    )]
    AuditChain { problems: Vec<AuditProblem> },

    #[error("internal error: {0}")]
    Internal(String),
}

/// The first problems of a refused write, for its one-line message.
fn summary(problems: &[AuditProblem]) -> String {
    let mut parts: Vec<String> = problems.iter().take(3).map(ToString::to_string).collect();
    if problems.len() > 3 {
        parts.push(format!("and {} more", problems.len() - 3));
    }
    parts.join("; ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The class of an error: what the user can do about it. Part of the CLI contract (exit
/// codes) and of the UI contract (`code`), so variants are only ever added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The input was wrong; fix it and retry.
    InvalidInput,
    NotFound,
    AlreadyExists,
    /// The machine is missing something (keychain, database access).
    Environment,
    /// The inventory and keychain disagree, or a bug.
    Internal,
}

impl ErrorCode {
    /// The exit code the CLI contract gives this class.
    pub fn exit_code(self) -> i32 {
        match self {
            Self::InvalidInput | Self::NotFound | Self::AlreadyExists => 2,
            Self::Environment => 3,
            Self::Internal => 4,
        }
    }
}

impl Error {
    pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Vault(error) if error.is_environment() => ErrorCode::Environment,
            Self::Vault(_) => ErrorCode::Internal,
            Self::Store(StoreError::NotFound { .. }) => ErrorCode::NotFound,
            Self::Store(StoreError::Duplicate { .. }) => ErrorCode::AlreadyExists,
            // An inventory or audit log changed outside Keyward is the state of the
            // machine, which the user has to look into (`audit verify`), like a locked
            // keychain: not their input and not a bug.
            Self::Store(
                StoreError::SchemaTooNew { .. }
                | StoreError::Open { .. }
                | StoreError::Altered { .. },
            ) => ErrorCode::Environment,
            Self::AuditChain { .. } => ErrorCode::Environment,
            Self::Store(_) => ErrorCode::Internal,
            // Unreadable roots, bad rule files and broken repositories are all input the
            // user named and can fix.
            Self::Scan(_) => ErrorCode::InvalidInput,
            Self::Bundle(BundleError::Key(_)) => ErrorCode::Internal,
            Self::TeamSync(
                SyncError::BadUrl(_)
                | SyncError::SslMode { .. }
                | SyncError::Ca { .. }
                | SyncError::KeyConflict { .. },
            ) => ErrorCode::InvalidInput,
            Self::TeamSync(_) => ErrorCode::Environment,
            Self::Import(_) | Self::Certificate(_) | Self::Bundle(_) | Self::Invalid { .. } => {
                ErrorCode::InvalidInput
            }
            Self::NotInitialized { .. } | Self::Home { .. } => ErrorCode::Environment,
            Self::Rotate(error) if error.is_input() => ErrorCode::InvalidInput,
            // Provider refusals, unreachable providers and interrupted rotations are the
            // environment's state, not a bug.
            Self::Rotate(_) => ErrorCode::Environment,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}
