//! Where a credential may go (design rule 4), decided before a connection is made.

use keyward_model::Credential;
use thiserror::Error;
use url::Url;

/// Decides whether a request carrying a secret may go to a URL. Every credentialed send
/// asks one, on the request's final URL (after query parameters were added), so a
/// refusal happens before any byte leaves the machine.
pub trait Gate {
    fn admit(&self, url: &Url) -> Result<(), Refusal>;
}

/// A credential's own host rules: its allowed hosts, TLS unless it allows plain HTTP.
#[derive(Debug, Clone)]
pub struct Destination {
    credential: Credential,
    /// A provider's API host stands in for the allowed hosts of a credential that lists
    /// none, so a freshly imported GitHub token can still be rotated at api.github.com.
    default_host: Option<String>,
}

impl Destination {
    pub fn of(credential: &Credential) -> Self {
        Self {
            credential: credential.clone(),
            default_host: None,
        }
    }

    /// Allows `host` when the credential lists no hosts at all; ignored otherwise, so a
    /// user's own list always wins over the provider's default.
    pub fn with_default_host(mut self, host: Option<&str>) -> Self {
        self.default_host = host.map(str::to_ascii_lowercase);
        self
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.credential.allows_host(&host)
            || (self.credential.allowed_hosts.is_empty()
                && self.default_host.as_deref() == Some(host.as_str()))
    }
}

impl Gate for Destination {
    fn admit(&self, url: &Url) -> Result<(), Refusal> {
        let refuse = |reason| Refusal::new(&self.credential.name, url, reason);
        match url.scheme() {
            "https" => {}
            "http" if self.credential.allow_insecure => {}
            "http" => return Err(refuse(RefusalReason::Plaintext)),
            other => return Err(refuse(RefusalReason::Scheme(other.to_owned()))),
        }
        let host = host_of(url);
        if !self.allows_host(&host) {
            let allowed = if self.credential.allowed_hosts.is_empty() {
                self.default_host
                    .clone()
                    .map_or_else(|| "none".to_owned(), |host| format!("none; default {host}"))
            } else {
                self.credential.allowed_hosts.join(", ")
            };
            return Err(refuse(RefusalReason::Host { host, allowed }));
        }
        Ok(())
    }
}

/// The host as the allowed-hosts list spells it: IPv6 without brackets, lower case.
fn host_of(url: &Url) -> String {
    url.host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// A credentialed request that was not sent. Names the origin only: a path or query
/// may have a secret templated into it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{credential}` cannot be sent to {origin}: {reason}")]
pub struct Refusal {
    pub credential: String,
    pub origin: String,
    pub reason: RefusalReason,
}

impl Refusal {
    pub fn new(credential: &str, url: &Url, reason: RefusalReason) -> Self {
        Self {
            credential: credential.to_owned(),
            origin: origin(url),
            reason,
        }
    }
}

fn origin(url: &Url) -> String {
    match url.origin() {
        origin @ url::Origin::Tuple(..) => origin.ascii_serialization(),
        url::Origin::Opaque(_) => format!("a {}: URL", url.scheme()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefusalReason {
    #[error("plain HTTP; the credential is only sent over TLS unless it allows insecure use")]
    Plaintext,
    #[error("only https URLs are used, not {0}")]
    Scheme(String),
    #[error(
        "host `{host}` is not among the credential's allowed hosts ({allowed}); add it with `keyward cred` first"
    )]
    Host { host: String, allowed: String },
    /// For gates that only answer yes or no (the probe's cleared credential use).
    #[error("the credential's host rules do not allow this URL")]
    NotPermitted,
    /// An inspecting client accepts any certificate, so it never carries a credential.
    #[error("an inspecting client never carries a credential")]
    Inspecting,
}
