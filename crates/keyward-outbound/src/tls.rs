//! rustls with the ring provider, configured from a [`Trust`]: the one TLS set-up for
//! HTTP clients and for team sync's PostgreSQL connections.

use std::sync::{Arc, Once, OnceLock};

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;

use crate::error::OutboundError;
use crate::identity::Identity;
use crate::trust::Trust;

/// Keyward's crypto provider. Configurations are built with it explicitly, so nothing
/// depends on which provider another part of the process installed first.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// Installs ring as the process-wide default, for libraries that build their own rustls
/// configuration from it. Harmless when a provider is already installed.
pub fn install_process_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Another part of the process may have installed ring already; either way a
        // provider is in place afterwards.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A verifying client configuration: TLS 1.2 and 1.3, the trust's connection roots,
/// and `identity` presented when the server asks for a client certificate. No ALPN is
/// set; the HTTP clients ask for `http/1.1`, PostgreSQL needs none.
pub fn client_config(
    trust: &Trust,
    identity: Option<&Identity>,
) -> Result<ClientConfig, OutboundError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| OutboundError::Tls(error.to_string()))?
        .with_root_certificates(trust.connection_roots());
    match identity {
        None => Ok(builder.with_no_client_auth()),
        Some(identity) => builder
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
            .map_err(|error| OutboundError::Tls(format!("client certificate: {error}"))),
    }
}
