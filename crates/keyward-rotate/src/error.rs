use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong in a rotation. Provider errors carry the provider's own message (its
/// error body, never a secret) so the user can act on it.
#[derive(Debug, Error)]
pub enum RotateError {
    #[error("{provider} {action} failed with HTTP {status}: {message}")]
    Provider {
        provider: &'static str,
        action: String,
        status: u16,
        message: String,
    },

    #[error(
        "{provider} {action}: the key limit is reached ({message}); delete an unused key at the provider, then retry"
    )]
    LimitReached {
        provider: &'static str,
        action: String,
        message: String,
    },

    #[error("{provider} {action}: cannot reach the provider: {detail}")]
    Unreachable {
        provider: &'static str,
        action: String,
        detail: String,
    },

    #[error("{provider} {action}: the response is not what the API documents: {detail}")]
    Malformed {
        provider: &'static str,
        action: String,
        detail: String,
    },

    #[error("the new value of `{credential}` was not accepted: {detail}")]
    VerificationFailed { credential: String, detail: String },

    #[error("`{credential}` cannot be sent to {url}: {reason}")]
    Destination {
        credential: String,
        url: String,
        reason: String,
    },

    #[error("rotation recipe: {field}: {problem}")]
    Recipe { field: String, problem: String },

    #[error("`{credential}` cannot be rotated with `{method}`: {reason}")]
    Unsupported {
        credential: String,
        method: String,
        reason: String,
    },

    #[error("generating a new value failed: {0}")]
    Generate(String),

    #[error("{}: {detail}", path.display())]
    File { path: PathBuf, detail: String },

    #[error(
        "`{credential}` has an unfinished rotation (#{id}); run `keyward rotate --resume` first"
    )]
    Unfinished { credential: String, id: i64 },

    #[error(
        "the rotation of `{credential}` failed at step `{step}` and was rolled back (the old value is still current): {cause}"
    )]
    RolledBack {
        credential: String,
        step: String,
        cause: Box<RotateError>,
    },

    #[error(
        "the rotation of `{credential}` failed at step `{step}` and rolling back failed too ({rollback}); run `keyward rotate --resume` to retry: {cause}"
    )]
    RollbackFailed {
        credential: String,
        step: String,
        cause: Box<RotateError>,
        rollback: String,
    },

    #[error("rotation #{id} is stored in an unreadable state: {detail}")]
    Journal { id: i64, detail: String },

    #[error("rotation aborted: {0}")]
    Other(String),
}

impl RotateError {
    /// Whether the user can fix this by changing input (setup, recipe, flags), as opposed
    /// to a provider or machine problem.
    pub fn is_input(&self) -> bool {
        match self {
            Self::Recipe { .. }
            | Self::Unsupported { .. }
            | Self::Unfinished { .. }
            | Self::Destination { .. } => true,
            Self::RolledBack { cause, .. } | Self::RollbackFailed { cause, .. } => cause.is_input(),
            _ => false,
        }
    }
}
