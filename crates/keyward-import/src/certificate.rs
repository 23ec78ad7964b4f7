//! Reading client certificates (PEM or PKCS#12) into the PEM bundle Keyward stores and
//! the metadata it shows.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ring::digest::{SHA256, digest};
use thiserror::Error;
use x509_parser::prelude::*;

use keyward_model::{CertificateInfo, SecretValue, x509};

#[derive(Debug, Error)]
pub enum CertificateError {
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },

    #[error("{}: wrong PKCS#12 password (or a damaged file)", path.display())]
    WrongPassword { path: PathBuf },

    #[error("{}: no private key found; pass the key file with --key", path.display())]
    NoPrivateKey { path: PathBuf },

    #[error("{}: the private key does not belong to the certificate {subject}", path.display())]
    KeyMismatch { path: PathBuf, subject: String },
}

/// A certificate chain with its private key: the PEM text that goes into the vault and
/// the details read from the leaf certificate.
pub struct CertificateBundle {
    pub pem: SecretValue,
    pub info: CertificateInfo,
}

struct Block {
    label: String,
    der: Vec<u8>,
}

/// Reads PEM certificates and a private key, from one file or from a certificate file
/// and a separate key file.
pub fn read_pem(
    cert_path: &Path,
    cert_pem: &[u8],
    key: Option<(&Path, &[u8])>,
) -> Result<CertificateBundle, CertificateError> {
    let mut blocks = parse_pem(cert_path, cert_pem)?;
    let key_path = match key {
        Some((path, bytes)) => {
            blocks.extend(parse_pem(path, bytes)?);
            path
        }
        None => cert_path,
    };
    let certificates: Vec<Vec<u8>> = blocks
        .iter()
        .filter(|block| block.label == "CERTIFICATE")
        .map(|block| block.der.clone())
        .collect();
    if certificates.is_empty() {
        return Err(invalid(cert_path, "no CERTIFICATE block found"));
    }
    let key = blocks
        .into_iter()
        .find(|block| block.label.ends_with("PRIVATE KEY"))
        .ok_or_else(|| CertificateError::NoPrivateKey {
            path: key_path.to_owned(),
        })?;
    bundle(cert_path, &certificates, &key.label, &key.der)
}

/// Reads a PKCS#12 (`.p12`/`.pfx`) archive with its password.
pub fn read_pkcs12(
    path: &Path,
    data: &[u8],
    password: &str,
) -> Result<CertificateBundle, CertificateError> {
    use p12_keystore::{KeyStore, Pkcs12ImportPolicy, error::Error as P12Error};
    let store =
        KeyStore::from_pkcs12(data, password, Pkcs12ImportPolicy::Relaxed).map_err(|error| {
            match error {
                P12Error::MacError(_) | P12Error::UnpadError | P12Error::Pkcs5Error(_) => {
                    CertificateError::WrongPassword {
                        path: path.to_owned(),
                    }
                }
                other => invalid(path, format!("not a readable PKCS#12 archive: {other}")),
            }
        })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| CertificateError::NoPrivateKey {
            path: path.to_owned(),
        })?;
    let certificates: Vec<Vec<u8>> = chain
        .certs()
        .iter()
        .map(|cert| cert.as_der().to_vec())
        .collect();
    if certificates.is_empty() {
        return Err(invalid(
            path,
            "the archive's private key has no certificate",
        ));
    }
    bundle(path, &certificates, "PRIVATE KEY", chain.key().as_der())
}

fn bundle(
    path: &Path,
    certificates: &[Vec<u8>],
    key_label: &str,
    key_der: &[u8],
) -> Result<CertificateBundle, CertificateError> {
    let parsed: Vec<X509Certificate<'_>> = certificates
        .iter()
        .map(|der| {
            X509Certificate::from_der(der)
                .map(|(_, cert)| cert)
                .map_err(|error| invalid(path, format!("unreadable certificate: {error}")))
        })
        .collect::<Result<_, _>>()?;
    let public_key = public_key_of(key_label, key_der);
    let leaf_index = match &public_key {
        Some(public) => parsed
            .iter()
            .position(|cert| {
                cert.public_key().subject_public_key.data.as_ref() == public.as_slice()
            })
            .ok_or_else(|| CertificateError::KeyMismatch {
                path: path.to_owned(),
                subject: parsed[0].subject().to_string(),
            })?,
        None => parsed.iter().position(|cert| !cert.is_ca()).unwrap_or(0),
    };
    let leaf = &parsed[leaf_index];
    let info = describe(leaf, &certificates[leaf_index], certificates.len());
    let mut pem = zeroize::Zeroizing::new(String::new());
    push_pem(&mut pem, key_label, key_der);
    push_pem(&mut pem, "CERTIFICATE", &certificates[leaf_index]);
    for (index, der) in certificates.iter().enumerate() {
        if index != leaf_index {
            push_pem(&mut pem, "CERTIFICATE", der);
        }
    }
    Ok(CertificateBundle {
        pem: SecretValue::new(pem.as_bytes().to_vec()),
        info,
    })
}

/// The raw public key of a private key, where ring can parse the key's format; `None`
/// (no match check) for formats it cannot, such as SEC1 or encrypted keys.
fn public_key_of(label: &str, der: &[u8]) -> Option<Vec<u8>> {
    use ring::signature::{self, KeyPair};
    match label {
        "PRIVATE KEY" => {
            if let Ok(pair) = signature::RsaKeyPair::from_pkcs8(der) {
                return Some(pair.public().as_ref().to_vec());
            }
            if let Ok(pair) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
                return Some(pair.public_key().as_ref().to_vec());
            }
            let rng = ring::rand::SystemRandom::new();
            for algorithm in [
                &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            ] {
                if let Ok(pair) = signature::EcdsaKeyPair::from_pkcs8(algorithm, der, &rng) {
                    return Some(pair.public_key().as_ref().to_vec());
                }
            }
            None
        }
        "RSA PRIVATE KEY" => signature::RsaKeyPair::from_der(der)
            .ok()
            .map(|pair| pair.public().as_ref().to_vec()),
        _ => None,
    }
}

fn describe(cert: &X509Certificate<'_>, der: &[u8], chain_length: usize) -> CertificateInfo {
    let (not_before, not_after) = x509::validity(cert);
    let (key_type, key_bits) = match x509::public_key(cert) {
        Some(key) => (key.kind.name().to_owned(), key.bits),
        // Still worth a label: the user picked this file and should see what it holds.
        None => match cert.public_key().parsed() {
            Ok(other) => (format!("{other:?}").chars().take(24).collect(), 0),
            Err(_) => ("unknown".to_owned(), 0),
        },
    };
    CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        subject_alt_names: x509::subject_alt_names(cert)
            .iter()
            .map(ToString::to_string)
            .collect(),
        serial: cert.raw_serial_as_string(),
        not_before,
        not_after,
        key_type,
        key_bits,
        sha256_fingerprint: hex::encode(digest(&SHA256, der)),
        chain_length: chain_length as u32,
    }
}

fn parse_pem(path: &Path, bytes: &[u8]) -> Result<Vec<Block>, CertificateError> {
    let mut blocks = Vec::new();
    for pem in Pem::iter_from_buffer(bytes) {
        let pem = pem.map_err(|error| invalid(path, format!("invalid PEM: {error}")))?;
        blocks.push(Block {
            label: pem.label,
            der: pem.contents,
        });
    }
    if blocks.is_empty() {
        return Err(invalid(
            path,
            "no PEM blocks found (expected -----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(blocks)
}

fn push_pem(out: &mut String, label: &str, der: &[u8]) {
    let encoded = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    out.push_str(&format!("-----BEGIN {label}-----\n"));
    for chunk in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
}

fn invalid(path: &Path, reason: impl Into<String>) -> CertificateError {
    CertificateError::Invalid {
        path: path.to_owned(),
        reason: reason.into(),
    }
}
