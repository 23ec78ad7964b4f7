//! What an X.509 certificate says, read in one place: a client certificate shown after
//! an import and a server certificate judged by the probe are the same kind of object,
//! and two readers of it would sooner or later disagree about the same file (one
//! lowercasing names, another dropping odd IP entries, each with its own OID table).
//!
//! Only facts live here; what they are worth (a weak key, an expired date, a name that
//! does not match) is the caller's judgement.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::public_key::PublicKey;
use x509_parser::time::ASN1Time;

/// Ed25519 (RFC 8410).
const OID_ED25519: &str = "1.3.101.112";
/// Ed448 (RFC 8410).
const OID_ED448: &str = "1.3.101.113";

/// Names for the signature algorithms a certificate is likely to carry, in the spelling
/// OpenSSL prints, so a report reads like `openssl x509 -text`. Any other algorithm is
/// shown by its dotted OID rather than guessed at.
const SIGNATURE_NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.113549.1.1.10", "rsassa-pss"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    (OID_ED25519, "ed25519"),
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
];

/// An ASN.1 time as chrono's, the type every Keyward report and schedule uses.
///
/// Certificate times carry at most four-digit years, well inside chrono's range, so the
/// fallback is never reached; it is the earliest time rather than a plausible date so
/// that a bug here could not pass for a real validity bound.
pub fn utc(time: ASN1Time) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `(not_before, not_after)`: both bounds are always needed together.
pub fn validity(certificate: &X509Certificate<'_>) -> (DateTime<Utc>, DateTime<Utc>) {
    let validity = certificate.validity();
    (utc(validity.not_before), utc(validity.not_after))
}

/// One subject alternative name. Typed, so a caller matching host names cannot mistake
/// an e-mail address or a URI for a DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectAltName {
    Dns(String),
    Ip(IpAddr),
    Email(String),
    Uri(String),
    /// A name Keyward does not interpret (directory name, other name, an IP entry that
    /// is neither 4 nor 16 bytes), kept as display text so a listing still shows it.
    Other(String),
}

impl fmt::Display for SubjectAltName {
    /// OpenSSL's `TYPE:value` form, which users compare against `openssl x509 -text`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(name) => write!(f, "DNS:{name}"),
            Self::Ip(address) => write!(f, "IP:{address}"),
            Self::Email(address) => write!(f, "email:{address}"),
            Self::Uri(uri) => write!(f, "URI:{uri}"),
            Self::Other(text) => f.write_str(text),
        }
    }
}

/// The certificate's SAN entries in the order it lists them. A certificate without the
/// extension, or with a malformed or duplicated one, names nothing: callers treat "no
/// names" and "unreadable names" alike (neither can match a host).
pub fn subject_alt_names(certificate: &X509Certificate<'_>) -> Vec<SubjectAltName> {
    let Ok(Some(extension)) = certificate.subject_alternative_name() else {
        return Vec::new();
    };
    extension
        .value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(dns) => SubjectAltName::Dns((*dns).to_owned()),
            GeneralName::IPAddress(bytes) => match ip_address(bytes) {
                Some(address) => SubjectAltName::Ip(address),
                None => SubjectAltName::Other(format!("IP:{}", hex::encode(bytes))),
            },
            GeneralName::RFC822Name(email) => SubjectAltName::Email((*email).to_owned()),
            GeneralName::URI(uri) => SubjectAltName::Uri((*uri).to_owned()),
            other => SubjectAltName::Other(other.to_string()),
        })
        .collect()
}

/// The address in an IP SAN entry. Only 4 and 16 bytes are addresses; other lengths
/// (an address with a mask belongs in name constraints, not here) are malformed.
pub fn ip_address(bytes: &[u8]) -> Option<IpAddr> {
    if let Ok(octets) = <[u8; 4]>::try_from(bytes) {
        return Some(IpAddr::V4(Ipv4Addr::from(octets)));
    }
    <[u8; 16]>::try_from(bytes)
        .ok()
        .map(|octets| IpAddr::V6(Ipv6Addr::from(octets)))
}

/// The public key algorithms Keyward can size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    Ec,
    Ed25519,
    Ed448,
}

impl KeyKind {
    /// The label reports and stored certificate metadata already use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
            Self::Ed25519 => "Ed25519",
            Self::Ed448 => "Ed448",
        }
    }
}

/// A public key's algorithm and size, the two facts strength rules are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyFacts {
    pub kind: KeyKind,
    /// RSA: modulus length; EC: field size read from the point; Ed25519 and Ed448: the
    /// encoded key's length (32 and 57 bytes), as OpenSSL counts them.
    pub bits: u32,
}

/// The subject's public key, or `None` for an algorithm Keyward cannot size (DSA, GOST,
/// ...) or a key that does not parse; the caller decides how to show those.
pub fn public_key(certificate: &X509Certificate<'_>) -> Option<KeyFacts> {
    let spki = certificate.public_key();
    let (kind, bits) = match spki.parsed().ok()? {
        PublicKey::RSA(rsa) => (KeyKind::Rsa, rsa.key_size() as u32),
        PublicKey::EC(point) => (KeyKind::Ec, point.key_size() as u32),
        _ => match spki.algorithm.algorithm.to_id_string().as_str() {
            OID_ED25519 => (KeyKind::Ed25519, 256),
            OID_ED448 => (KeyKind::Ed448, 456),
            _ => return None,
        },
    };
    Some(KeyFacts { kind, bits })
}

/// The algorithm the issuer signed with, by name where Keyward knows it, else the OID.
pub fn signature_algorithm(certificate: &X509Certificate<'_>) -> String {
    let oid = certificate.signature_algorithm.algorithm.to_id_string();
    SIGNATURE_NAMES
        .iter()
        .find(|(id, _)| *id == oid)
        .map_or(oid.clone(), |(_, name)| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    use std::path::Path;
    use std::process::Command;

    use chrono::{TimeZone, Utc};
    use rcgen::{
        CertificateParams, CustomExtension, KeyPair, SanType, SignatureAlgorithm,
        string::{Ia5String, PrintableString},
    };
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;

    fn self_signed(params: CertificateParams, algorithm: &'static SignatureAlgorithm) -> Vec<u8> {
        let key = KeyPair::generate_for(algorithm).expect("rcgen generates this key type");
        params
            .self_signed(&key)
            .expect("self-signed certificate")
            .der()
            .to_vec()
    }

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        X509Certificate::from_der(der).expect("valid DER").1
    }

    /// rcgen (ring) cannot generate RSA or Ed448 keys, so those certificates come from
    /// the openssl CLI, as the CLI's integration tests make theirs.
    fn openssl_certificate(dir: &Path, newkey: &[&str], digest: Option<&str>) -> Vec<u8> {
        let out = dir.join("cert.der");
        let mut command = Command::new("openssl");
        command
            .args(["req", "-x509", "-newkey"])
            .args(newkey)
            .args(["-nodes", "-subj", "/CN=openssl.test", "-days", "2"])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .args(["-outform", "DER", "-out"])
            .arg(&out);
        if let Some(digest) = digest {
            command.arg(format!("-{digest}"));
        }
        let status = command
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl is installed by bootstrap");
        assert!(status.success(), "openssl req {newkey:?} failed");
        std::fs::read(out).expect("openssl wrote the certificate")
    }

    #[test]
    fn validity_bounds_are_the_certificates_own_in_utc() {
        let mut params = CertificateParams::new(vec!["dates.test".to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2024, 2, 29);
        params.not_after = rcgen::date_time_ymd(2051, 12, 31);
        let der = self_signed(params, &rcgen::PKCS_ECDSA_P256_SHA256);
        let certificate = parse(&der);

        let (not_before, not_after) = validity(&certificate);
        assert_eq!(
            not_before,
            Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap()
        );
        // 2051 is past UTCTime's range, so this bound is a GeneralizedTime.
        assert_eq!(
            not_after,
            Utc.with_ymd_and_hms(2051, 12, 31, 0, 0, 0).unwrap()
        );
        assert_eq!(utc(certificate.validity().not_before), not_before);
    }

    #[test]
    fn alt_names_keep_their_type_order_and_case() {
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![
            SanType::DnsName(Ia5String::try_from("API.Example.test").unwrap()),
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))),
            SanType::Rfc822Name(Ia5String::try_from("ops@example.test").unwrap()),
            SanType::URI(Ia5String::try_from("spiffe://example.test/api").unwrap()),
        ];
        let der = self_signed(params, &rcgen::PKCS_ECDSA_P256_SHA256);

        let names = subject_alt_names(&parse(&der));
        assert_eq!(
            names,
            vec![
                SubjectAltName::Dns("API.Example.test".into()),
                SubjectAltName::Ip("192.0.2.7".parse().unwrap()),
                SubjectAltName::Ip("2001:db8::1".parse().unwrap()),
                SubjectAltName::Email("ops@example.test".into()),
                SubjectAltName::Uri("spiffe://example.test/api".into()),
            ]
        );
        let shown: Vec<String> = names.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "DNS:API.Example.test",
                "IP:192.0.2.7",
                "IP:2001:db8::1",
                "email:ops@example.test",
                "URI:spiffe://example.test/api",
            ]
        );
    }

    #[test]
    fn names_keyward_does_not_interpret_are_kept_as_text() {
        // A SAN extension written by hand: an IP entry of 5 bytes (no address has that
        // length) and a registeredID, which rcgen's SanType cannot express.
        let san = [
            0x30, 0x0d, // SEQUENCE
            0x87, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, // [7] iPAddress, 5 bytes
            0x88, 0x04, 0x2a, 0x03, 0x04, 0x05, // [8] registeredID 1.2.3.4.5
        ];
        let mut params = CertificateParams::default();
        params.custom_extensions = vec![CustomExtension::from_oid_content(
            &[2, 5, 29, 17],
            san.to_vec(),
        )];
        let der = self_signed(params, &rcgen::PKCS_ECDSA_P256_SHA256);

        let names = subject_alt_names(&parse(&der));
        assert_eq!(
            names,
            vec![
                SubjectAltName::Other("IP:0102030405".into()),
                SubjectAltName::Other("RegisteredID(1.2.3.4.5)".into()),
            ]
        );
    }

    #[test]
    fn a_certificate_without_the_extension_names_nothing() {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(
            rcgen::DnType::CountryName,
            rcgen::DnValue::PrintableString(PrintableString::try_from("NL").unwrap()),
        );
        let der = self_signed(params, &rcgen::PKCS_ED25519);
        assert_eq!(subject_alt_names(&parse(&der)), Vec::new());
    }

    #[test]
    fn ip_addresses_are_4_or_16_bytes() {
        assert_eq!(
            ip_address(&[10, 0, 0, 1]).map(|ip| ip.to_string()),
            Some("10.0.0.1".to_owned())
        );
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(
            ip_address(&v6).map(|ip| ip.to_string()),
            Some("::1".to_owned())
        );
        // An address with its mask, as name constraints carry it.
        assert_eq!(ip_address(&[10, 0, 0, 0, 255, 0, 0, 0]), None);
        assert_eq!(ip_address(&[]), None);
    }

    #[test]
    fn ec_and_ed25519_keys_are_sized_and_their_signatures_named() {
        let cases: [(&'static SignatureAlgorithm, KeyKind, u32, &str); 3] = [
            (
                &rcgen::PKCS_ECDSA_P256_SHA256,
                KeyKind::Ec,
                256,
                "ecdsa-with-SHA256",
            ),
            (
                &rcgen::PKCS_ECDSA_P384_SHA384,
                KeyKind::Ec,
                384,
                "ecdsa-with-SHA384",
            ),
            (&rcgen::PKCS_ED25519, KeyKind::Ed25519, 256, "ed25519"),
        ];
        for (algorithm, kind, bits, signature) in cases {
            let params = CertificateParams::new(vec!["key.test".to_owned()]).unwrap();
            let der = self_signed(params, algorithm);
            let certificate = parse(&der);
            assert_eq!(
                public_key(&certificate),
                Some(KeyFacts { kind, bits }),
                "{signature}"
            );
            assert_eq!(signature_algorithm(&certificate), signature);
        }
    }

    #[test]
    fn rsa_and_ed448_keys_from_openssl() {
        let dir = tempfile::tempdir().unwrap();
        let rsa = openssl_certificate(dir.path(), &["rsa:2048"], Some("sha384"));
        let certificate = parse(&rsa);
        assert_eq!(
            public_key(&certificate),
            Some(KeyFacts {
                kind: KeyKind::Rsa,
                bits: 2048
            })
        );
        assert_eq!(signature_algorithm(&certificate), "sha384WithRSAEncryption");

        let sha1 = openssl_certificate(dir.path(), &["rsa:1024"], Some("sha1"));
        let certificate = parse(&sha1);
        assert_eq!(public_key(&certificate).map(|key| key.bits), Some(1024));
        assert_eq!(signature_algorithm(&certificate), "sha1WithRSAEncryption");

        let ed448 = openssl_certificate(dir.path(), &["ed448"], None);
        let certificate = parse(&ed448);
        assert_eq!(
            public_key(&certificate),
            Some(KeyFacts {
                kind: KeyKind::Ed448,
                bits: 456
            })
        );
        // Not in the table: shown by OID rather than by a guessed name.
        assert_eq!(signature_algorithm(&certificate), "1.3.101.113");
    }

    #[test]
    fn unsizeable_keys_are_left_to_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let dsa_params = dir.path().join("dsa.pem");
        let status = Command::new("openssl")
            .args(["genpkey", "-genparam", "-algorithm", "DSA"])
            .args(["-pkeyopt", "dsa_paramgen_bits:1024", "-out"])
            .arg(&dsa_params)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl is installed by bootstrap");
        assert!(status.success(), "openssl genpkey DSA parameters failed");
        let newkey = format!("dsa:{}", dsa_params.display());
        let dsa = openssl_certificate(dir.path(), &[&newkey], Some("sha256"));
        let certificate = parse(&dsa);
        assert_eq!(public_key(&certificate), None);
        assert_eq!(
            certificate.public_key().algorithm.algorithm.to_id_string(),
            "1.2.840.10040.4.1",
            "the certificate really carries a DSA key"
        );
    }

    #[test]
    fn kind_names_match_stored_metadata() {
        let names: Vec<&str> = [KeyKind::Rsa, KeyKind::Ec, KeyKind::Ed25519, KeyKind::Ed448]
            .into_iter()
            .map(KeyKind::name)
            .collect();
        assert_eq!(names, ["RSA", "EC", "Ed25519", "Ed448"]);
    }
}
