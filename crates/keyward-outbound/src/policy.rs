//! The knobs of the outbound policy, and the only way to get a client.

use std::time::Duration;

use crate::configure::build_client;
use crate::error::OutboundError;
use crate::identity::Identity;
use crate::proxy::Proxy;
use crate::trust::Trust;
use crate::{asynchronous, blocking, tls};

/// Time and size limits, and the explicit proxy if Keyward's settings name one. The
/// defaults suit provider APIs; the probe tightens them to its own timeouts.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Default 10 s.
    pub connect_timeout: Duration,
    /// From connecting until the body is read; a server trickling bytes is cut off
    /// here. Default 30 s.
    pub total_timeout: Duration,
    /// Bytes of a body read at most; the rest is never read. Default 1 MiB.
    pub body_limit: usize,
    /// Default none: requests go direct, whatever the environment says.
    pub proxy: Option<Proxy>,
    pub user_agent: String,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            body_limit: 1024 * 1024,
            proxy: None,
            user_agent: concat!("keyward/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl Policy {
    /// An async client verifying servers against `trust`, presenting `identity` when
    /// the server asks for a client certificate.
    pub fn client(
        &self,
        trust: &Trust,
        identity: Option<&Identity>,
    ) -> Result<asynchronous::Client, OutboundError> {
        tls::install_process_provider();
        let inner = build_client!(
            reqwest::Client::builder(),
            self,
            tls::client_config(trust, identity)?
        )?;
        Ok(asynchronous::Client::new(inner, self.body_limit))
    }

    /// The blocking twin of [`Policy::client`], for the synchronous engines (rotation).
    pub fn blocking_client(
        &self,
        trust: &Trust,
        identity: Option<&Identity>,
    ) -> Result<blocking::Client, OutboundError> {
        tls::install_process_provider();
        let inner = build_client!(
            reqwest::blocking::Client::builder(),
            self,
            tls::client_config(trust, identity)?
        )?;
        Ok(blocking::Client::new(inner, self.body_limit))
    }

    /// An async client over a TLS configuration the caller vouches for: the probe's
    /// certificate-recording one, which accepts any certificate. The proxy, redirect,
    /// time and size rules still apply; what it returns cannot carry a credential
    /// ([`asynchronous::Inspecting`] has no credentialed send).
    pub fn inspecting_client(
        &self,
        config: rustls::ClientConfig,
    ) -> Result<asynchronous::Inspecting, OutboundError> {
        tls::install_process_provider();
        let inner = build_client!(reqwest::Client::builder(), self, config)?;
        Ok(asynchronous::Inspecting::new(inner, self.body_limit))
    }
}
