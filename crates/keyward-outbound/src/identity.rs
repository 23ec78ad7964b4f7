//! A client certificate (mTLS credential) as rustls wants it.

use std::fmt;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;

/// A certificate chain and its private key, parsed from the PEM Keyward stores for a
/// `client-cert` credential. Debug shows the chain length only, never the key.
pub struct Identity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdentityError {
    #[error("the client certificate credential is not PEM")]
    NotPem,
    #[error("the client certificate credential holds no certificate")]
    NoCertificate,
    #[error("the client certificate credential holds no private key")]
    NoKey,
}

impl Identity {
    pub fn from_pem(pem: &[u8]) -> Result<Self, IdentityError> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|_| IdentityError::NotPem)?;
        if chain.is_empty() {
            return Err(IdentityError::NoCertificate);
        }
        let key = PrivateKeyDer::from_pem_slice(pem).map_err(|_| IdentityError::NoKey)?;
        Ok(Self { chain, key })
    }

    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Identity")
            .field("chain", &self.chain.len())
            .field("key", &"[redacted]")
            .finish()
    }
}
