//! The HTTP client every provider adapter uses: the outbound policy's blocking client
//! bound to one credential, so the credential's host rules (design rule 4) are checked
//! before any request that carries a secret leaves the machine, and errors name the
//! provider and action but never a secret.

use std::time::Duration;

use keyward_outbound::{BodyEnd, Destination, Gate, OutboundError, Policy, Refusal, Trust};
use reqwest::blocking::RequestBuilder;

use super::RotateError;
use keyward_model::Credential;

const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Connecting never takes longer than this, even under a generous total timeout.
const CONNECT_TIMEOUT_MS: u64 = 10_000;

/// A response read in full (up to the policy's body limit): status and body text.
pub(crate) struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, or [`RotateError::Malformed`].
    pub fn json(
        &self,
        provider: &'static str,
        action: &str,
    ) -> Result<serde_json::Value, RotateError> {
        serde_json::from_str(&self.body).map_err(|error| RotateError::Malformed {
            provider,
            action: action.to_owned(),
            detail: format!("body is not JSON ({error}): {}", excerpt(&self.body)),
        })
    }
}

/// A client bound to one credential: it refuses URLs the credential may not be sent to.
pub(crate) struct ProviderClient {
    client: keyward_outbound::blocking::Client,
    destination: Destination,
    pub provider: &'static str,
}

impl ProviderClient {
    /// `default_host` is the provider's own API host, allowed when the credential lists
    /// no hosts at all; `ca_file` adds a CA to the platform's trust store.
    pub fn new(
        provider: &'static str,
        credential: &Credential,
        default_host: Option<&'static str>,
        ca_file: Option<&std::path::Path>,
        timeout_ms: Option<u64>,
    ) -> Result<Self, RotateError> {
        let trust = Trust::platform_or_file(ca_file).map_err(|error| RotateError::File {
            path: ca_file.map(ToOwned::to_owned).unwrap_or_default(),
            detail: error.to_string(),
        })?;
        let total = timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        let policy = Policy {
            connect_timeout: Duration::from_millis(total.min(CONNECT_TIMEOUT_MS)),
            total_timeout: Duration::from_millis(total),
            ..Policy::default()
        };
        let client = policy.blocking_client(&trust, None).map_err(|error| {
            RotateError::Other(format!("cannot build the HTTP client: {error}"))
        })?;
        Ok(Self {
            client,
            destination: Destination::of(credential).with_default_host(default_host),
            provider,
        })
    }

    /// Starts a request after checking that the credential may go to `url`.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<RequestBuilder, RotateError> {
        let parsed = url::Url::parse(url).map_err(|error| RotateError::Destination {
            credential: self.destination.credential().name.clone(),
            url: "(unparsable URL)".to_owned(),
            reason: format!("not a URL ({error})"),
        })?;
        self.destination.admit(&parsed).map_err(destination_error)?;
        Ok(self.client.request(method, parsed))
    }

    /// Sends a request (checked again on its final URL) and reads the reply; transport
    /// failures (refused, timeout, TLS, a body cut short) become
    /// [`RotateError::Unreachable`].
    pub fn send(&self, action: &str, request: RequestBuilder) -> Result<Reply, RotateError> {
        let unreachable = |detail: String| RotateError::Unreachable {
            provider: self.provider,
            action: action.to_owned(),
            detail,
        };
        let reply =
            self.client
                .send_to(&self.destination, request)
                .map_err(|error| match error {
                    OutboundError::Refused(refusal) => destination_error(refusal),
                    other => unreachable(other.to_string()),
                })?;
        if let BodyEnd::Interrupted(detail) = &reply.end {
            return Err(unreachable(detail.clone()));
        }
        Ok(Reply {
            status: reply.status,
            body: reply.text(),
        })
    }

    /// The error for an unsuccessful reply, with the provider's message.
    pub fn failure(&self, action: &str, reply: &Reply, message: String) -> RotateError {
        RotateError::Provider {
            provider: self.provider,
            action: action.to_owned(),
            status: reply.status,
            message,
        }
    }
}

fn destination_error(refusal: Refusal) -> RotateError {
    RotateError::Destination {
        credential: refusal.credential,
        url: refusal.origin,
        reason: refusal.reason.to_string(),
    }
}

/// The first 200 characters of a body, for error messages about unexpected replies.
pub(crate) fn excerpt(body: &str) -> String {
    let mut shown: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        shown.push('…');
    }
    shown
}

/// The human message in a JSON error body, in the shapes the supported providers use:
/// `{"message": ...}` (GitLab, Twilio), `{"errors": [{"message": ...}]}` (Cloudflare),
/// `{"error": ...}`; otherwise an excerpt of the body.
pub(crate) fn error_message(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return excerpt(body);
    };
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    };
    json.get("message")
        .and_then(text)
        .or_else(|| json.pointer("/errors/0/message").and_then(text))
        .or_else(|| json.get("error_description").and_then(text))
        .or_else(|| json.get("error").and_then(text))
        .unwrap_or_else(|| excerpt(body))
}
