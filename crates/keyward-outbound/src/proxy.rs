//! The only proxy a credential may pass through: one Keyward's own settings name.
//!
//! `HTTPS_PROXY` and friends are ignored on purpose: anything that can set a variable
//! in the user's shell could otherwise route every secret through itself. A proxy the
//! user configured in Keyward is a deliberate choice and is honoured.

use std::fmt;

use thiserror::Error;
use url::Url;

use crate::redact::redact;

/// An explicit HTTP(S) proxy. HTTPS requests are tunnelled through it (`CONNECT`), so
/// TLS still runs end to end with the API host. Shown redacted: a proxy URL may carry
/// the proxy's own password.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    url: Url,
}

/// Never quotes the setting: a mistyped one may still hold the proxy's password.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProxyError {
    #[error("the proxy setting is not a URL (http://HOST:PORT)")]
    NotAUrl,
    #[error("proxy scheme `{0}` is not supported; use http:// or https://")]
    Scheme(String),
    #[error("the proxy URL names no host")]
    NoHost,
}

impl Proxy {
    pub fn parse(text: &str) -> Result<Self, ProxyError> {
        let url = Url::parse(text.trim()).map_err(|_| ProxyError::NotAUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ProxyError::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ProxyError::NoHost);
        }
        Ok(Self { url })
    }

    pub(crate) fn to_reqwest(&self) -> Result<reqwest::Proxy, reqwest::Error> {
        reqwest::Proxy::all(self.url.as_str())
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&redact(self.url.as_str()))
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Proxy({self})")
    }
}
