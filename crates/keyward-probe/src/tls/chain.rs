//! Judges a server's certificate chain: trust (the platform's roots, a custom CA),
//! validity dates, host name, key size, signature algorithm, chain completeness.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use keyward_model::x509;
use keyward_outbound::Trust;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use serde::{Deserialize, Serialize};
use x509_parser::prelude::*;

use crate::finding::{PostureFinding, ids};

/// Certificates expiring within this many days are reported.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Signature algorithms that are broken (collisions can be forged): md2, md5 and sha1
/// with RSA, ecdsa-with-SHA1, dsa-with-sha1. Their names come from the model's table.
const WEAK_SIGNATURES: &[&str] = &[
    "1.2.840.113549.1.1.2",
    "1.2.840.113549.1.1.4",
    "1.2.840.113549.1.1.5",
    "1.2.840.10045.4.1",
    "1.2.840.10040.4.3",
];

/// The anchors a chain may lead to, plus intermediates Keyward knows from a custom CA
/// file (they let it tell an incomplete chain from an untrusted one). The outbound
/// policy's trust, so what the probe judges trusted is what its clients connect to.
#[derive(Debug, Clone)]
pub struct TrustStore {
    trust: Trust,
}

impl TrustStore {
    /// The platform store (which honours `SSL_CERT_FILE`), loaded once per process.
    pub fn system() -> Self {
        Self {
            trust: Trust::platform(),
        }
    }

    /// The system store plus every certificate in `pem`: self-signed ones become
    /// anchors, the others known intermediates.
    pub fn with_custom_ca(pem: &[u8]) -> Result<Self, String> {
        Trust::with_custom_ca(pem)
            .map(|trust| Self { trust })
            .map_err(|error| error.to_string())
    }

    /// Anchors only: a chain that needs a known intermediate is judged incomplete.
    pub fn roots(&self) -> Arc<RootCertStore> {
        self.trust.anchors()
    }

    fn known_intermediates(&self) -> &[CertificateDer<'static>] {
        self.trust.known_intermediates()
    }

    /// For building clients through the outbound policy.
    pub fn outbound(&self) -> &Trust {
        &self.trust
    }
}

/// What the certificate looks like, for the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CertificateReport {
    pub subject: String,
    pub issuer: String,
    pub subject_alt_names: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub key: String,
    pub signature_algorithm: String,
    pub chain_length: u32,
    pub trusted: bool,
    pub sha256_fingerprint: String,
}

/// Analyses the chain as sent (leaf first) for `host` at `now`.
pub fn analyse(
    chain: &[Vec<u8>],
    host: &str,
    now: DateTime<Utc>,
    trust: &TrustStore,
) -> Result<(CertificateReport, Vec<PostureFinding>), String> {
    let leaf_der = chain.first().ok_or("the server sent no certificate")?;
    let (_, leaf) = X509Certificate::from_der(leaf_der)
        .map_err(|error| format!("the server's certificate does not parse: {error}"))?;
    let mut findings = Vec::new();
    let (not_before, not_after) = x509::validity(&leaf);
    let dates = format!(
        "valid {} to {}",
        not_before.format("%Y-%m-%d"),
        not_after.format("%Y-%m-%d")
    );
    if now > not_after {
        findings.push(PostureFinding::new(
            ids::CERT_EXPIRED,
            format!(
                "the certificate expired on {}",
                not_after.format("%Y-%m-%d")
            ),
            dates.clone(),
        ));
    } else if now < not_before {
        findings.push(PostureFinding::new(
            ids::CERT_NOT_YET_VALID,
            format!(
                "the certificate is not valid before {}",
                not_before.format("%Y-%m-%d")
            ),
            dates.clone(),
        ));
    } else if not_after - now < Duration::days(EXPIRY_WARNING_DAYS) {
        let days = (not_after - now).num_days();
        findings.push(PostureFinding::new(
            ids::CERT_EXPIRING,
            format!("the certificate expires in {days} days"),
            dates.clone(),
        ));
    }

    let names = subject_alt_names(&leaf);
    if !matches_host(&names, host) {
        findings.push(PostureFinding::new(
            ids::CERT_HOSTNAME_MISMATCH,
            format!("the certificate is not valid for {host}"),
            format!(
                "names: {}",
                if names.is_empty() {
                    "(none)".into()
                } else {
                    names.join(", ")
                }
            ),
        ));
    }

    let self_signed = leaf.subject().as_raw() == leaf.issuer().as_raw();
    if self_signed {
        findings.push(PostureFinding::new(
            ids::CERT_SELF_SIGNED,
            "the certificate is self-signed",
            format!("subject = issuer = {}", leaf.subject()),
        ));
    }

    let trusted = match verify(chain, &[], host, now, &leaf, trust) {
        Ok(()) => true,
        Err(reason) => {
            let completes = !trust.known_intermediates().is_empty()
                && verify(chain, trust.known_intermediates(), host, now, &leaf, trust).is_ok();
            if completes {
                findings.push(PostureFinding::new(
                    ids::CERT_INCOMPLETE_CHAIN,
                    "the server does not send the intermediate certificates its chain needs",
                    format!("sent {} certificate(s); the chain only completes with a known intermediate", chain.len()),
                ));
                true
            } else {
                findings.push(PostureFinding::new(
                    ids::CERT_UNTRUSTED,
                    "the certificate does not chain to a trusted root",
                    reason,
                ));
                false
            }
        }
    };

    let key = describe_key(&leaf);
    if let Some(x509::KeyFacts { kind, bits }) = x509::public_key(&leaf)
        && ((kind == x509::KeyKind::Rsa && bits < 2048)
            || (kind == x509::KeyKind::Ec && bits < 256))
    {
        findings.push(PostureFinding::new(
            ids::CERT_WEAK_KEY,
            format!("the certificate's {} key has only {bits} bits", kind.name()),
            key.clone(),
        ));
    }

    // The last certificate of a chain may be a self-signed root whose own signature
    // nobody checks; every other signature counts.
    for (index, der) in chain.iter().enumerate() {
        let Ok((_, certificate)) = X509Certificate::from_der(der) else {
            continue;
        };
        let is_sent_root =
            index > 0 && certificate.subject().as_raw() == certificate.issuer().as_raw();
        let oid = certificate.signature_algorithm.algorithm.to_id_string();
        if WEAK_SIGNATURES.contains(&oid.as_str()) && !is_sent_root {
            findings.push(PostureFinding::new(
                ids::CERT_WEAK_SIGNATURE,
                format!(
                    "certificate {} of the chain is signed with {}",
                    index + 1,
                    x509::signature_algorithm(&certificate)
                ),
                format!("subject {}", certificate.subject()),
            ));
            break;
        }
    }

    let report = CertificateReport {
        subject: leaf.subject().to_string(),
        issuer: leaf.issuer().to_string(),
        subject_alt_names: names,
        not_before,
        not_after,
        key,
        signature_algorithm: x509::signature_algorithm(&leaf),
        chain_length: chain.len() as u32,
        trusted,
        sha256_fingerprint: hex::encode(ring::digest::digest(&ring::digest::SHA256, leaf_der)),
    };
    Ok((report, findings))
}

/// Checks the path to a trust anchor. Dates and names are judged separately, so the
/// chain is checked at a moment inside the leaf's validity and a wrong name is not a
/// trust failure.
fn verify(
    chain: &[Vec<u8>],
    extra: &[CertificateDer<'static>],
    host: &str,
    now: DateTime<Utc>,
    leaf: &X509Certificate<'_>,
    trust: &TrustStore,
) -> Result<(), String> {
    let verifier = WebPkiServerVerifier::builder_with_provider(
        trust.roots(),
        keyward_outbound::tls::provider(),
    )
    .build()
    .map_err(|error| error.to_string())?;
    let end_entity = CertificateDer::from(chain[0].clone());
    let intermediates: Vec<CertificateDer<'static>> = chain[1..]
        .iter()
        .map(|der| CertificateDer::from(der.clone()))
        .chain(extra.iter().cloned())
        .collect();
    let server_name = ServerName::try_from(host.to_owned()).map_err(|error| error.to_string())?;
    let (not_before, not_after) = x509::validity(leaf);
    let at = if now >= not_before && now <= not_after {
        now
    } else {
        not_before + (not_after - not_before) / 2
    };
    let at =
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.timestamp().max(0) as u64));
    match verifier.verify_server_cert(&end_entity, &intermediates, &server_name, &[], at) {
        Ok(_) => Ok(()),
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName
            | rustls::CertificateError::NotValidForNameContext { .. },
        )) => Ok(()),
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
            Err(format!(
                "issuer {} is not a trusted root and no path to one was sent",
                leaf.issuer()
            ))
        }
        Err(error) => Err(error.to_string()),
    }
}

/// The names a host can match: DNS names (lowercased, as host names compare) and IP
/// addresses; e-mail and URI entries never name a server.
fn subject_alt_names(certificate: &X509Certificate<'_>) -> Vec<String> {
    x509::subject_alt_names(certificate)
        .into_iter()
        .filter_map(|name| match name {
            x509::SubjectAltName::Dns(dns) => Some(dns.to_ascii_lowercase()),
            x509::SubjectAltName::Ip(address) => Some(address.to_string()),
            _ => None,
        })
        .collect()
}

/// RFC 6125 matching: exact, or a wildcard standing for exactly the leftmost label.
fn matches_host(names: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    names.iter().any(|name| match name.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => *name == host,
    })
}

/// "RSA 2048" or "EC 256"; other keys by their OID, as reports have always shown them.
fn describe_key(certificate: &X509Certificate<'_>) -> String {
    match x509::public_key(certificate) {
        Some(x509::KeyFacts { kind, bits })
            if matches!(kind, x509::KeyKind::Rsa | x509::KeyKind::Ec) =>
        {
            format!("{} {bits}", kind.name())
        }
        _ => certificate.public_key().algorithm.algorithm.to_id_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::matches_host;

    #[test]
    fn wildcards_cover_one_label_only() {
        let names = vec!["*.example.com".to_owned(), "127.0.0.1".to_owned()];
        assert!(matches_host(&names, "api.example.com"));
        assert!(!matches_host(&names, "example.com"));
        assert!(!matches_host(&names, "a.b.example.com"));
        assert!(matches_host(&names, "127.0.0.1"));
    }
}
