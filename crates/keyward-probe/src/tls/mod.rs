//! TLS posture: which protocols and suites a server accepts (our own hellos), what its
//! certificate is worth, and what a real handshake shows.

pub mod chain;
pub mod enumerate;
pub mod handshake;
pub mod hello;
pub mod record;
pub mod suites;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustls::sign::CertifiedKey;
use serde::{Deserialize, Serialize};

pub use chain::{CertificateReport, TrustStore};
pub use enumerate::Endpoint;
pub use handshake::ClientCertificatePolicy;
pub use hello::Protocol;

use super::ProbeError;
use super::finding::{PostureFinding, ids};
use suites::KeyExchange;

/// One protocol version and the suites accepted with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProtocolReport {
    pub protocol: Protocol,
    pub accepted: bool,
    pub cipher_suites: Vec<String>,
}

/// The TLS half of a probe report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TlsReport {
    pub protocols: Vec<ProtocolReport>,
    /// What a modern client (rustls) negotiates.
    pub negotiated_protocol: Option<String>,
    pub negotiated_cipher_suite: Option<String>,
    pub alpn: Option<String>,
    pub certificate: Option<CertificateReport>,
    pub ocsp_stapled: bool,
    pub client_certificate: ClientCertificatePolicy,
    /// Smallest finite-field DH group offered with a DHE suite, in bits.
    pub dh_prime_bits: Option<u32>,
    /// Problems reading some answers (the rest of the report still stands).
    pub errors: Vec<String>,
}

/// Runs every TLS check against one endpoint.
pub async fn probe(
    endpoint: &Endpoint,
    now: DateTime<Utc>,
    trust: &TrustStore,
    identity: Option<Arc<CertifiedKey>>,
) -> Result<(TlsReport, Vec<PostureFinding>), ProbeError> {
    let mut tasks = tokio::task::JoinSet::new();
    for protocol in Protocol::ALL {
        let endpoint = endpoint.clone();
        tasks.spawn(async move {
            (
                protocol,
                enumerate::scan_protocol(&endpoint, protocol).await,
            )
        });
    }
    let handshake_endpoint = endpoint.clone();
    let handshake =
        tokio::spawn(async move { handshake::inspect(&handshake_endpoint, identity).await });
    let mut scans = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        scans.push(joined.map_err(|error| ProbeError::Internal(error.to_string()))?);
    }
    scans.sort_by_key(|(protocol, _)| *protocol);
    let handshake = handshake
        .await
        .map_err(|error| ProbeError::Internal(error.to_string()))?;

    let accepted_any = scans
        .iter()
        .any(|(_, scan)| !scan.accepted_suites.is_empty());
    let errors: Vec<String> = scans
        .iter()
        .flat_map(|(_, scan)| scan.errors.iter().cloned())
        .collect();
    if !accepted_any {
        // Nothing spoke TLS back: report the clearest reason as the target's error.
        return Err(match (handshake, errors.first()) {
            (Err(error), _) => error,
            (Ok(_), Some(first)) => ProbeError::Tls(first.clone()),
            (Ok(facts), None) => {
                ProbeError::Tls(facts.error.unwrap_or_else(|| {
                    "the server accepts no protocol version Keyward offers".into()
                }))
            }
        });
    }

    let mut findings = Vec::new();
    let mut protocols = Vec::new();
    let mut dh_prime_bits: Option<u32> = None;
    let mut raw_chain: Vec<Vec<u8>> = Vec::new();
    let mut raw_ocsp = false;
    let mut raw_certificate_request = false;
    let mut all_suites = Vec::new();
    for (protocol, scan) in &scans {
        let accepted = !scan.accepted_suites.is_empty();
        if accepted {
            let id = match protocol {
                Protocol::Ssl3 => Some(ids::PROTOCOL_SSLV3),
                Protocol::Tls10 => Some(ids::PROTOCOL_TLS10),
                Protocol::Tls11 => Some(ids::PROTOCOL_TLS11),
                _ => None,
            };
            if let Some(id) = id {
                findings.push(PostureFinding::new(
                    id,
                    format!("the server accepts {}", protocol.as_str()),
                    suite_list(&scan.accepted_suites),
                ));
            }
        }
        if let Some(bits) = scan.dh_prime_bits {
            dh_prime_bits = Some(dh_prime_bits.map_or(bits, |seen| seen.min(bits)));
        }
        if raw_chain.is_empty() || *protocol == Protocol::Tls12 && !scan.certificates.is_empty() {
            raw_chain = scan.certificates.clone();
        }
        raw_ocsp |= scan.ocsp_stapled;
        raw_certificate_request |= scan.certificate_requested;
        all_suites.extend(
            scan.accepted_suites
                .iter()
                .filter_map(|id| suites::by_id(*id)),
        );
        protocols.push(ProtocolReport {
            protocol: *protocol,
            accepted,
            cipher_suites: scan
                .accepted_suites
                .iter()
                .map(|id| suites::name_of(*id))
                .collect(),
        });
    }
    if !protocols
        .iter()
        .any(|report| report.protocol == Protocol::Tls13 && report.accepted)
    {
        findings.push(PostureFinding::new(
            ids::NO_TLS13,
            "the server does not accept TLS 1.3",
            "TLSv1.3 ClientHello refused",
        ));
    }
    cipher_findings(&all_suites, dh_prime_bits, &mut findings);

    let mut report = TlsReport {
        protocols,
        negotiated_protocol: None,
        negotiated_cipher_suite: None,
        alpn: None,
        certificate: None,
        ocsp_stapled: raw_ocsp,
        client_certificate: if raw_certificate_request {
            ClientCertificatePolicy::Required
        } else {
            ClientCertificatePolicy::NotRequested
        },
        dh_prime_bits,
        errors,
    };
    let mut chain = raw_chain;
    match handshake {
        Ok(facts) => {
            report.negotiated_protocol = facts.protocol;
            report.negotiated_cipher_suite = facts.cipher_suite;
            report.alpn = facts.alpn;
            report.ocsp_stapled |= facts.ocsp_stapled;
            if facts.client_certificate != ClientCertificatePolicy::NotRequested
                || facts.error.is_none()
            {
                report.client_certificate = facts.client_certificate;
            }
            if !facts.chain.is_empty() {
                chain = facts.chain;
            }
            if let Some(error) = facts.error {
                report.errors.push(format!("modern handshake: {error}"));
            }
        }
        Err(error) => report.errors.push(format!("modern handshake: {error}")),
    }
    if !report.ocsp_stapled {
        findings.push(PostureFinding::new(
            ids::OCSP_NO_STAPLING,
            "the server staples no OCSP response",
            "status_request sent, no CertificateStatus",
        ));
    }
    if report.client_certificate != ClientCertificatePolicy::NotRequested {
        let how = if report.client_certificate == ClientCertificatePolicy::Required {
            "requires"
        } else {
            "asks for (optional)"
        };
        findings.push(PostureFinding::new(
            ids::CLIENT_CERT_REQUIRED,
            format!("the server {how} a client certificate"),
            "CertificateRequest received",
        ));
    }
    // Without the certificate the report would look cleaner than the endpoint may be:
    // that is an unprobed target, not a good one.
    if chain.is_empty() {
        return Err(ProbeError::Tls(format!(
            "no certificate chain could be read ({})",
            report.errors.join("; ")
        )));
    }
    let (certificate, certificate_findings) =
        self::chain::analyse(&chain, &endpoint.server_name, now, trust).map_err(ProbeError::Tls)?;
    report.certificate = Some(certificate);
    findings.extend(certificate_findings);
    Ok((report, findings))
}

fn cipher_findings(
    accepted: &[suites::CipherSuite],
    dh_prime_bits: Option<u32>,
    findings: &mut Vec<PostureFinding>,
) {
    let mut weak: Vec<String> = Vec::new();
    for suite in accepted {
        if let Some(class) = suite.weakness() {
            let entry = format!("{} ({class})", suite.name);
            if !weak.contains(&entry) {
                weak.push(entry);
            }
        }
    }
    if !weak.is_empty() {
        findings.push(PostureFinding::new(
            ids::CIPHER_WEAK,
            format!("the server accepts {} weak cipher suite(s)", weak.len()),
            weak.join(", "),
        ));
    }
    let mut static_rsa: Vec<&str> = accepted
        .iter()
        .filter(|suite| {
            matches!(
                suite.key_exchange(),
                KeyExchange::Rsa | KeyExchange::StaticDh
            )
        })
        .map(|suite| suite.name)
        .collect();
    static_rsa.dedup();
    if !static_rsa.is_empty() {
        findings.push(PostureFinding::new(
            ids::CIPHER_NO_FORWARD_SECRECY,
            "the server accepts key exchanges without forward secrecy",
            static_rsa.join(", "),
        ));
    }
    if !accepted.is_empty() && !accepted.iter().any(|suite| suite.is_aead()) {
        findings.push(PostureFinding::new(
            ids::CIPHER_NO_AEAD,
            "the server accepts no AEAD cipher suite",
            "no GCM, CCM or ChaCha20-Poly1305 suite accepted",
        ));
    }
    if let Some(bits) = dh_prime_bits.filter(|bits| *bits < 2048) {
        findings.push(PostureFinding::new(
            ids::KEX_WEAK_DH,
            format!("the server's DHE group has only {bits} bits"),
            format!("DH prime: {bits} bits"),
        ));
    }
}

fn suite_list(ids: &[u16]) -> String {
    ids.iter()
        .map(|id| suites::name_of(*id))
        .collect::<Vec<_>>()
        .join(", ")
}
