//! What to probe, and the one gate through which a credential can reach a probe.
//!
//! Rule 4 of the design: a credential is sent only to its allowed hosts and only over
//! TLS unless the user allowed plain HTTP for that credential. [`CredentialUse`] can
//! only be made by [`CredentialUse::authorize`], which checks both, and the HTTP probe
//! checks [`CredentialUse::permits`] again for every URL it would send it to.

use std::fmt;

use url::Url;

use keyward_model::{AuthMethod, Credential, CredentialKind, SecretValue};

/// How a target URL is named wherever a probe writes it (the report's target, notes,
/// findings' evidence, errors): without userinfo, query or fragment. A query is where a
/// credential travels (`--auth query:NAME`, or a URL given with its key in it), and
/// reports are printed, stored in `probe_results` and audited.
pub fn target_label(url: &Url) -> String {
    keyward_outbound::redact(url.as_str())
}

/// One endpoint to probe.
#[derive(Debug)]
pub struct ProbeTarget {
    pub url: Url,
    /// The integration this endpoint belongs to, for history.
    pub integration: Option<String>,
    /// How the endpoint authenticates, even when no credential goes along (it decides
    /// findings such as `auth.credential_in_query`).
    pub auth: AuthMethod,
    pub credential: Option<CredentialUse>,
    /// OIDC issuer whose discovery document to check.
    pub issuer: Option<String>,
}

impl ProbeTarget {
    pub fn new(url: Url) -> Self {
        Self {
            url,
            integration: None,
            auth: AuthMethod::None,
            credential: None,
            issuer: None,
        }
    }
}

/// A credential cleared for sending to one target.
pub struct CredentialUse {
    credential: Credential,
    method: AuthMethod,
    value: SecretValue,
}

impl fmt::Debug for CredentialUse {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("CredentialUse")
            .field("name", &self.credential.name)
            .field("method", &self.method)
            .field("value", &self.value)
            .finish()
    }
}

/// Why a credential may not go to a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialRefusal {
    #[error("credential `{credential}` is not allowed for host {host} (allowed: {allowed})")]
    HostNotAllowed {
        credential: String,
        host: String,
        allowed: String,
    },
    #[error(
        "credential `{credential}` is not sent over plain HTTP to {url} (allow it for this credential to override)"
    )]
    Plaintext { credential: String, url: String },
    #[error("credential `{credential}` has no method to be sent with")]
    NoMethod { credential: String },
}

impl CredentialUse {
    /// Clears `value` (the secret of `credential`) for `url`, or says why not.
    pub fn authorize(
        credential: &Credential,
        method: AuthMethod,
        value: SecretValue,
        url: &Url,
    ) -> Result<Self, CredentialRefusal> {
        Self::preflight(credential, &method, url)?;
        Ok(Self {
            credential: credential.clone(),
            method,
            value,
        })
    }

    /// The same checks as [`CredentialUse::authorize`] before the value is read from
    /// the keychain, so a refused credential is never even revealed.
    pub fn preflight(
        credential: &Credential,
        method: &AuthMethod,
        url: &Url,
    ) -> Result<(), CredentialRefusal> {
        if *method == AuthMethod::None {
            return Err(CredentialRefusal::NoMethod {
                credential: credential.name.clone(),
            });
        }
        Self::check_url(credential, url)
    }

    fn check(&self, url: &Url) -> Result<(), CredentialRefusal> {
        Self::check_url(&self.credential, url)
    }

    fn check_url(credential: &Credential, url: &Url) -> Result<(), CredentialRefusal> {
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if !credential.allows_host(&host) {
            return Err(CredentialRefusal::HostNotAllowed {
                credential: credential.name.clone(),
                host,
                allowed: if credential.allowed_hosts.is_empty() {
                    "none".into()
                } else {
                    credential.allowed_hosts.join(", ")
                },
            });
        }
        if url.scheme() != "https" && !(url.scheme() == "http" && credential.allow_insecure) {
            return Err(CredentialRefusal::Plaintext {
                credential: credential.name.clone(),
                url: target_label(url),
            });
        }
        Ok(())
    }

    /// Whether this credential may be sent to `url` (checked before every request).
    pub fn permits(&self, url: &Url) -> bool {
        self.check(url).is_ok()
    }

    pub fn name(&self) -> &str {
        &self.credential.name
    }

    pub fn kind(&self) -> CredentialKind {
        self.credential.kind
    }

    pub fn method(&self) -> &AuthMethod {
        &self.method
    }

    pub fn value(&self) -> &SecretValue {
        &self.value
    }
}
