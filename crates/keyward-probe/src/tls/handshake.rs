//! A real TLS 1.2/1.3 handshake through tokio-rustls, for what only a completed
//! handshake shows: the TLS 1.3 certificate chain, the stapled OCSP response, ALPN, and
//! whether the server wants a client certificate.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;
use tokio_rustls::TlsConnector;

use super::enumerate::{Endpoint, connect};
use crate::{ProbeError, danger};

/// Whether the server asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ClientCertificatePolicy {
    NotRequested,
    /// Asked for, but the handshake goes on without one.
    Optional,
    /// The handshake fails without one.
    Required,
}

/// What the handshake showed.
#[derive(Debug, Clone)]
pub struct HandshakeFacts {
    pub protocol: Option<String>,
    pub cipher_suite: Option<String>,
    pub alpn: Option<String>,
    pub chain: Vec<Vec<u8>>,
    pub ocsp_stapled: bool,
    pub client_certificate: ClientCertificatePolicy,
    /// Set when the handshake failed for another reason than a missing client
    /// certificate (a TLS 1.0-only server, say).
    pub error: Option<String>,
}

/// Runs one inspecting handshake, optionally presenting a client certificate.
pub async fn inspect(
    endpoint: &Endpoint,
    identity: Option<Arc<CertifiedKey>>,
) -> Result<HandshakeFacts, ProbeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (config, observed) =
        danger::inspecting_config(provider, identity.clone(), &[b"h2", b"http/1.1"])
            .map_err(|error| ProbeError::Tls(error.to_string()))?;
    let server_name = ServerName::try_from(endpoint.server_name.clone()).map_err(|_| {
        ProbeError::Target(format!(
            "`{}` is not a valid server name",
            endpoint.server_name
        ))
    })?;
    let _permit = endpoint
        .connections
        .acquire()
        .await
        .map_err(|_| ProbeError::Cancelled)?;
    let stream = connect(endpoint.address, endpoint.timeouts).await?;
    let connector = TlsConnector::from(Arc::new(config));
    let outcome = tokio::time::timeout(endpoint.timeouts.read, async {
        let mut tls = connector.connect(server_name, stream).await?;
        let (_, connection) = tls.get_ref();
        let facts = (
            connection
                .protocol_version()
                .map(|version| format!("{version:?}").replace("TLSv1_", "TLSv1.")),
            connection
                .negotiated_cipher_suite()
                .map(|suite| format!("{:?}", suite.suite())),
            connection
                .alpn_protocol()
                .map(|alpn| String::from_utf8_lossy(alpn).into_owned()),
            connection.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3),
        );
        // In TLS 1.3 a server that requires a certificate refuses only after our
        // Finished; that refusal is the first thing to read. A short read settles it.
        let requested = observed
            .lock()
            .expect("observation lock")
            .client_certificate_requested;
        let mut refused_after = None;
        if facts.3 && requested && identity.is_none() {
            let mut byte = [0u8; 1];
            let settle = endpoint
                .timeouts
                .read
                .min(std::time::Duration::from_millis(500));
            if let Ok(Err(error)) = tokio::time::timeout(settle, tls.read(&mut byte)).await {
                refused_after = Some(error.to_string());
            }
        }
        Ok::<_, std::io::Error>((facts, refused_after))
    })
    .await;
    let observed = observed.lock().expect("observation lock").clone();
    let policy = |refused: bool| match (observed.client_certificate_requested, refused) {
        (false, _) => ClientCertificatePolicy::NotRequested,
        (true, false) => ClientCertificatePolicy::Optional,
        (true, true) => ClientCertificatePolicy::Required,
    };
    let mut facts = HandshakeFacts {
        protocol: None,
        cipher_suite: None,
        alpn: None,
        chain: observed.chain.clone(),
        ocsp_stapled: !observed.ocsp_response.is_empty(),
        client_certificate: ClientCertificatePolicy::NotRequested,
        error: None,
    };
    match outcome {
        Err(_) => {
            return Err(ProbeError::Timeout {
                what: "the TLS handshake",
                after: endpoint.timeouts.read,
            });
        }
        Ok(Ok(((protocol, suite, alpn, _), refused_after))) => {
            facts.protocol = protocol;
            facts.cipher_suite = suite;
            facts.alpn = alpn;
            facts.client_certificate = policy(refused_after.is_some());
        }
        Ok(Err(error)) => {
            facts.client_certificate = policy(true);
            if !observed.client_certificate_requested {
                facts.error = Some(error.to_string());
            }
        }
    }
    Ok(facts)
}
