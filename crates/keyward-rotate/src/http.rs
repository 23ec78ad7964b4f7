//! The HTTP client every provider adapter uses: rustls with the ring provider, optional
//! extra trust anchors, a timeout, and the credential's host rules (design rule 4)
//! checked before any request that carries a secret leaves the machine.

use std::sync::Once;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};

use super::RotateError;
use keyward_model::Credential;

const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// A response read in full: status and body text.
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
    client: Client,
    credential: Credential,
    /// The provider's own API host, allowed when the credential lists no hosts at all.
    default_host: Option<&'static str>,
    pub provider: &'static str,
}

impl ProviderClient {
    pub fn new(
        provider: &'static str,
        credential: &Credential,
        default_host: Option<&'static str>,
        ca_file: Option<&std::path::Path>,
        timeout_ms: Option<u64>,
    ) -> Result<Self, RotateError> {
        install_crypto_provider();
        let mut builder = Client::builder()
            .timeout(Duration::from_millis(
                timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
            ))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            let pem = std::fs::read(path).map_err(|error| RotateError::File {
                path: path.to_owned(),
                detail: format!("cannot read the CA file: {error}"),
            })?;
            let certificates =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| RotateError::File {
                    path: path.to_owned(),
                    detail: format!("not a PEM certificate bundle: {error}"),
                })?;
            builder = builder.tls_certs_merge(certificates);
        }
        let client = builder.build().map_err(|error| {
            RotateError::Other(format!("cannot build the HTTP client: {error}"))
        })?;
        Ok(Self {
            client,
            credential: credential.clone(),
            default_host,
            provider,
        })
    }

    /// Starts a request after checking that the credential may go to `url`.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<RequestBuilder, RotateError> {
        self.check_destination(url)?;
        Ok(self.client.request(method, url))
    }

    fn check_destination(&self, url: &str) -> Result<(), RotateError> {
        // Only the origin is named: a recipe may template a secret into the path or query.
        let origin = url::Url::parse(url)
            .map(|parsed| parsed.origin().ascii_serialization())
            .unwrap_or_else(|_| "(unparsable URL)".to_owned());
        let refuse = |reason: &str| RotateError::Destination {
            credential: self.credential.name.clone(),
            url: origin.clone(),
            reason: reason.to_owned(),
        };
        let parsed =
            url::Url::parse(url).map_err(|error| refuse(&format!("not a URL ({error})")))?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.credential.allow_insecure => {}
            "http" => {
                return Err(refuse(
                    "plain HTTP; the credential is only sent over TLS unless it allows insecure use",
                ));
            }
            _ => return Err(refuse("only https URLs are used")),
        }
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let allowed = self.credential.allows_host(host)
            || (self.credential.allowed_hosts.is_empty() && self.default_host == Some(host));
        if !allowed {
            return Err(refuse(&format!(
                "host `{host}` is not among the credential's allowed hosts ({}); add it with `keyward cred` first",
                if self.credential.allowed_hosts.is_empty() {
                    "none".to_owned()
                } else {
                    self.credential.allowed_hosts.join(", ")
                }
            )));
        }
        Ok(())
    }

    /// Sends a request and reads the whole reply; transport failures (refused, timeout,
    /// TLS) become [`RotateError::Unreachable`].
    pub fn send(&self, action: &str, request: RequestBuilder) -> Result<Reply, RotateError> {
        let unreachable = |error: reqwest::Error| RotateError::Unreachable {
            provider: self.provider,
            action: action.to_owned(),
            detail: describe(error),
        };
        let response: Response = request.send().map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response.text().map_err(unreachable)?;
        Ok(Reply { status, body })
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

fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    // The URL is left out: a recipe may template a secret into it.
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// The first 200 characters of a body, for error messages about unexpected replies.
pub(crate) fn excerpt(body: &str) -> String {
    let mut shown: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        shown.push('…');
    }
    shown
}

/// rustls needs one process-wide crypto provider; Keyward uses ring everywhere.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Another part of the process may have installed ring already; either way a
        // provider is in place afterwards.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
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
