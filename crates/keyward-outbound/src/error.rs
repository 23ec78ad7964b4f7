//! What can go wrong with an outbound request, in texts that never carry a secret.

use thiserror::Error;

use crate::destination::Refusal;
use crate::identity::IdentityError;
use crate::redact::redact;
use crate::trust::TrustError;

/// Every text in here went through [`redact`]; the URL fields name the request without
/// userinfo, query or fragment, and no variant ever holds a header value.
#[derive(Debug, Error)]
pub enum OutboundError {
    #[error(transparent)]
    Refused(#[from] Refusal),

    /// No answer within the policy's time limits.
    #[error("timed out")]
    Timeout { url: String },

    /// Connecting, TLS, or the exchange itself failed.
    #[error("{detail}")]
    Transport { url: String, detail: String },

    /// The request could not be put together (a header value that is not valid, say).
    #[error("the request cannot be built: {0}")]
    Request(String),

    #[error("cannot build the HTTP client: {0}")]
    Client(String),

    #[error("TLS set-up: {0}")]
    Tls(String),

    #[error(transparent)]
    Trust(#[from] TrustError),

    #[error(transparent)]
    Identity(#[from] IdentityError),
}

impl OutboundError {
    /// Sorts a reqwest error into a variant and describes it, its causes included (that
    /// is where the useful part lives), URL left out and everything redacted.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        let url = error
            .url()
            .map(|url| redact(url.as_str()))
            .unwrap_or_default();
        if error.is_timeout() {
            return Self::Timeout { url };
        }
        if error.is_builder() {
            return Self::Request(describe(error));
        }
        Self::Transport {
            url,
            detail: describe(error),
        }
    }

    /// The redacted URL the failed request went to, when there was one.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Timeout { url } | Self::Transport { url, .. } if !url.is_empty() => Some(url),
            _ => None,
        }
    }
}

fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    redact(&text)
}
