//! The handshake layer of the probe's reader of a server's first flight: ServerHello,
//! Certificate, CertificateStatus, ServerKeyExchange, CertificateRequest and
//! ServerHelloDone, without record framing, and then the certificate chain the server
//! sent, judged as the probe judges it (x509 parsing, dates, names, key sizes, path to
//! a trust anchor).
//!
//! Properties: no panic; a prefix of the messages never contradicts the whole; a TLS
//! 1.3 or HelloRetryRequest answer carries nothing of the (encrypted) rest of the
//! flight; certificates are the bytes the server sent; a chain whose leaf parses is
//! always judged, and the judgement counts what was sent.

#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, TimeZone, Utc};
use keyward_probe::tls::TrustStore;
use keyward_probe::tls::chain;
use keyward_probe::tls::record::{ServerAnswer, parse_handshake};
use libfuzzer_sys::fuzz_target;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The seed corpus's root and intermediate CA: chains made from the seeds can be
/// trusted, incomplete or untrusted, so every branch of the judgement is reachable.
static TRUST: LazyLock<TrustStore> = LazyLock::new(|| {
    TrustStore::with_custom_ca(include_bytes!("../seeds/ca.pem")).expect("the seeds' CA file")
});

/// A fixed "now", inside the seed certificates' validity, so runs are repeatable.
static NOW: LazyLock<DateTime<Utc>> =
    LazyLock::new(|| Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

fuzz_target!(|data: &[u8]| {
    let whole = parse_handshake(data);
    for cut in [data.len() / 3, data.len() / 2, data.len().saturating_sub(1)] {
        match parse_handshake(&data[..cut]) {
            Ok(None) => {}
            partial => assert_eq!(partial, whole, "prefix of {cut} bytes"),
        }
    }
    let Ok(Some(ServerAnswer::Hello(hello))) = whole else {
        assert!(!matches!(whole, Ok(Some(ServerAnswer::Alert { .. }))));
        return;
    };
    if hello.version >= 0x0304 || hello.retry_request {
        assert!(hello.certificates.is_empty() && !hello.ocsp_stapled);
        assert!(hello.dh_prime_bits.is_none() && hello.ecdh_group.is_none());
        assert!(!hello.certificate_requested);
    }
    if let Some(bits) = hello.dh_prime_bits {
        assert!(bits as usize <= 8 * data.len());
    }
    for certificate in &hello.certificates {
        assert!(
            contains(data, certificate),
            "a certificate the server did not send"
        );
    }

    let leaf_parses = hello
        .certificates
        .first()
        .is_some_and(|leaf| X509Certificate::from_der(leaf).is_ok());
    match chain::analyse(&hello.certificates, "fuzz.example", *NOW, &TRUST) {
        Ok((report, findings)) => {
            assert!(leaf_parses);
            assert_eq!(report.chain_length as usize, hello.certificates.len());
            assert_eq!(report.sha256_fingerprint.len(), 64);
            assert!(report.not_before <= report.not_after || !findings.is_empty());
        }
        Err(_) => assert!(!leaf_parses),
    }
});
