//! The certificates Keyward trusts: the platform's store and, when the user names one,
//! a custom CA file. One source for every client (rotation, probe, team sync), so a
//! server trusted by one is trusted by all.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use thiserror::Error;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Trust anchors plus the intermediates a custom CA file brought along.
///
/// The platform store comes from rustls-native-certs, which reads `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` when set: that is how a corporate or test CA reaches Keyward without
/// a flag. A bundled root list would ignore both.
#[derive(Debug, Clone)]
pub struct Trust {
    anchors: Arc<RootCertStore>,
    intermediates: Arc<[CertificateDer<'static>]>,
    /// What connections verify against: the anchors, and the custom file's
    /// intermediates too, because the user named them to be trusted.
    connection_roots: Arc<RootCertStore>,
}

#[derive(Debug, Error)]
pub enum TrustError {
    #[error("cannot read the CA file: {0}")]
    Read(#[source] std::io::Error),
    #[error("not a PEM certificate file: {0}")]
    NotPem(String),
    #[error("certificate {index} does not parse: {detail}")]
    Unparsable { index: usize, detail: String },
    #[error("certificate {index} is not a usable anchor: {detail}")]
    NotAnAnchor { index: usize, detail: String },
    #[error("holds no PEM certificate")]
    Empty,
}

impl Trust {
    /// The platform store, read once per process (it can be a 300 KB file to parse).
    /// Certificates the platform holds but rustls cannot use are skipped.
    pub fn platform() -> Self {
        static PLATFORM: OnceLock<Arc<RootCertStore>> = OnceLock::new();
        let anchors = PLATFORM.get_or_init(|| {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            Arc::new(roots)
        });
        Self {
            anchors: anchors.clone(),
            intermediates: Arc::from(Vec::new()),
            connection_roots: anchors.clone(),
        }
    }

    /// The platform store plus every certificate in `pem`: self-issued ones become
    /// anchors, the others known intermediates (they let the probe tell an incomplete
    /// chain from an untrusted one).
    pub fn with_custom_ca(pem: &[u8]) -> Result<Self, TrustError> {
        let platform = Self::platform();
        let mut anchors = (*platform.anchors).clone();
        let mut intermediates = Vec::new();
        let mut count = 0;
        for certificate in CertificateDer::pem_slice_iter(pem) {
            let certificate = certificate.map_err(|error| TrustError::NotPem(error.to_string()))?;
            count += 1;
            let self_issued = X509Certificate::from_der(&certificate)
                .map(|(_, parsed)| parsed.subject().as_raw() == parsed.issuer().as_raw())
                .map_err(|error| TrustError::Unparsable {
                    index: count,
                    detail: error.to_string(),
                })?;
            if self_issued {
                anchors
                    .add(certificate)
                    .map_err(|error| TrustError::NotAnAnchor {
                        index: count,
                        detail: error.to_string(),
                    })?;
            } else {
                intermediates.push(certificate);
            }
        }
        if count == 0 {
            return Err(TrustError::Empty);
        }
        let mut connection_roots = anchors.clone();
        for (offset, certificate) in intermediates.iter().enumerate() {
            connection_roots
                .add(certificate.clone())
                .map_err(|error| TrustError::NotAnAnchor {
                    index: offset + 1,
                    detail: error.to_string(),
                })?;
        }
        Ok(Self {
            anchors: Arc::new(anchors),
            intermediates: Arc::from(intermediates),
            connection_roots: Arc::new(connection_roots),
        })
    }

    /// [`Trust::with_custom_ca`] from a file; the caller names the path in its error.
    pub fn with_custom_ca_file(path: &Path) -> Result<Self, TrustError> {
        let pem = std::fs::read(path).map_err(TrustError::Read)?;
        Self::with_custom_ca(&pem)
    }

    /// The platform store, plus the custom CA when `path` names one.
    pub fn platform_or_file(path: Option<&Path>) -> Result<Self, TrustError> {
        match path {
            Some(path) => Self::with_custom_ca_file(path),
            None => Ok(Self::platform()),
        }
    }

    /// Anchors only, for judging a chain: a chain that needs a known intermediate to
    /// reach one is incomplete, not trusted.
    pub fn anchors(&self) -> Arc<RootCertStore> {
        self.anchors.clone()
    }

    pub fn known_intermediates(&self) -> &[CertificateDer<'static>] {
        &self.intermediates
    }

    /// What a connection is verified against (see [`crate::tls::client_config`]).
    pub fn connection_roots(&self) -> Arc<RootCertStore> {
        self.connection_roots.clone()
    }
}
