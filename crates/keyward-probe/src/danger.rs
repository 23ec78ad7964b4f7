//! Certificate handling that accepts what it is shown, for inspection only.
//!
//! To report on a broken certificate Keyward has to finish a handshake with a server
//! that presents one, so this verifier records the chain and the stapled OCSP response
//! and says yes to everything. Nothing secret is ever sent over a connection made with
//! it: the HTTP client built on it is the outbound policy's `Inspecting` client, which
//! has no credentialed send, and credentials travel only through [`crate::http`]'s
//! verifying client. Keep this module the one place where verification is switched
//! off.

use std::sync::{Arc, Mutex};

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientConfig, ResolvesClientCert};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{SignatureScheme, crypto::CryptoProvider};

/// What the server showed during the handshake.
#[derive(Debug, Default, Clone)]
pub struct Observed {
    pub chain: Vec<Vec<u8>>,
    pub ocsp_response: Vec<u8>,
    pub client_certificate_requested: bool,
}

/// Records the server's chain and accepts it, whatever it is.
#[derive(Debug)]
pub struct RecordingVerifier {
    observed: Arc<Mutex<Observed>>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut observed = self.observed.lock().expect("observation lock");
        observed.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.to_vec())
            .collect();
        observed.ocsp_response = ocsp_response.to_vec();
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // Weak keys (RSA-1024) would fail a real check, and reporting them is the point.
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        vec![
            SignatureScheme::ECDSA_NISTP256_SHA256,
            SignatureScheme::ECDSA_NISTP384_SHA384,
            SignatureScheme::ECDSA_NISTP521_SHA512,
            SignatureScheme::ED25519,
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PSS_SHA384,
            SignatureScheme::RSA_PSS_SHA512,
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
            SignatureScheme::ECDSA_SHA1_Legacy,
            SignatureScheme::RSA_PKCS1_SHA1,
        ]
    }
}

/// Notes that the server asked for a client certificate, and offers the one we were
/// given, if any.
#[derive(Debug)]
struct RecordingClientAuth {
    observed: Arc<Mutex<Observed>>,
    identity: Option<Arc<CertifiedKey>>,
}

impl ResolvesClientCert for RecordingClientAuth {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.observed
            .lock()
            .expect("observation lock")
            .client_certificate_requested = true;
        self.identity.clone()
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A client configuration for inspection handshakes, with the observation it fills in.
pub fn inspecting_config(
    provider: Arc<CryptoProvider>,
    identity: Option<Arc<CertifiedKey>>,
    alpn: &[&[u8]],
) -> Result<(ClientConfig, Arc<Mutex<Observed>>), rustls::Error> {
    let observed = Arc::new(Mutex::new(Observed::default()));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordingVerifier {
            observed: observed.clone(),
        }))
        .with_client_cert_resolver(Arc::new(RecordingClientAuth {
            observed: observed.clone(),
            identity,
        }));
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    config.enable_sni = true;
    Ok((config, observed))
}

/// A client configuration that accepts any server certificate, for the HTTP requests
/// that carry no credential (headers, CORS, error pages) against servers whose
/// certificate is already reported on.
pub fn unverified_config(provider: Arc<CryptoProvider>) -> Result<ClientConfig, rustls::Error> {
    Ok(inspecting_config(provider, None, &[b"http/1.1"])?.0)
}
