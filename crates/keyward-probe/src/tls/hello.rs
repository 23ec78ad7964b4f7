//! Builds ClientHello records by hand. rustls only speaks TLS 1.2 and 1.3 with strong
//! suites, so asking a server whether it still accepts SSLv3, TLS 1.0 or an export
//! cipher needs hellos that no maintained TLS library will send.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr};

/// A protocol version a server may accept. The names (`TLSv1.0`) are part of `keyward
/// probe --json`; no case style yields them, so each variant names itself for serde and
/// for strum, and a test holds the two equal.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Protocol {
    #[serde(rename = "SSLv3")]
    #[strum(serialize = "SSLv3")]
    Ssl3,
    #[serde(rename = "TLSv1.0")]
    #[strum(serialize = "TLSv1.0")]
    Tls10,
    #[serde(rename = "TLSv1.1")]
    #[strum(serialize = "TLSv1.1")]
    Tls11,
    #[serde(rename = "TLSv1.2")]
    #[strum(serialize = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    #[strum(serialize = "TLSv1.3")]
    Tls13,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [
        Self::Ssl3,
        Self::Tls10,
        Self::Tls11,
        Self::Tls12,
        Self::Tls13,
    ];

    /// The version number on the wire.
    pub fn wire(self) -> u16 {
        match self {
            Self::Ssl3 => 0x0300,
            Self::Tls10 => 0x0301,
            Self::Tls11 => 0x0302,
            Self::Tls12 => 0x0303,
            Self::Tls13 => 0x0304,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Named groups offered for (EC)DHE: X25519 first, then the NIST curves, then the
/// RFC 7919 finite-field groups.
const GROUPS: &[u16] = &[
    0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101, 0x0102,
];

/// Signature schemes, including SHA-1 and DSA ones, so that old servers still answer.
const SIGNATURE_SCHEMES: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203,
    0x0201, 0x0202, 0x0402, 0x0502, 0x0602,
];

/// What one hello offers.
#[derive(Debug, Clone)]
pub struct HelloSpec<'a> {
    pub protocol: Protocol,
    pub suites: &'a [u16],
    /// Sent as SNI when it is a DNS name (SNI never carries IP addresses).
    pub server_name: Option<&'a str>,
    /// 32 random bytes (also used as the X25519 key share for TLS 1.3; the server never
    /// gets far enough for the key to matter).
    pub random: [u8; 32],
}

/// The complete record (header included) carrying one ClientHello.
pub fn client_hello(spec: &HelloSpec<'_>) -> Vec<u8> {
    let legacy_version = spec.protocol.wire().min(0x0303);
    let mut body = Vec::with_capacity(512);
    put_u16(&mut body, legacy_version);
    body.extend_from_slice(&spec.random);
    if spec.protocol == Protocol::Tls13 {
        // A non-empty legacy session id keeps middlebox-compatible servers happy.
        body.push(32);
        body.extend_from_slice(&spec.random);
    } else {
        body.push(0);
    }
    put_u16(&mut body, (spec.suites.len() * 2) as u16);
    for suite in spec.suites {
        put_u16(&mut body, *suite);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    if spec.protocol != Protocol::Ssl3 {
        let extensions = extensions(spec);
        put_u16(&mut body, extensions.len() as u16);
        body.extend_from_slice(&extensions);
    }

    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(1); // client_hello
    put_u24(&mut handshake, body.len());
    handshake.extend_from_slice(&body);

    let mut record = Vec::with_capacity(handshake.len() + 5);
    record.push(22); // handshake
    // Record version: TLS 1.0 for everything newer, the way real clients do it, since
    // some servers drop hellos whose record version they do not know.
    put_u16(
        &mut record,
        if spec.protocol == Protocol::Ssl3 {
            0x0300
        } else {
            0x0301
        },
    );
    put_u16(&mut record, handshake.len() as u16);
    record.extend_from_slice(&handshake);
    record
}

fn extensions(spec: &HelloSpec<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    if let Some(name) = spec
        .server_name
        .filter(|name| name.parse::<std::net::IpAddr>().is_err())
    {
        let name = name.as_bytes();
        let mut data = Vec::with_capacity(name.len() + 5);
        put_u16(&mut data, (name.len() + 3) as u16);
        data.push(0); // host_name
        put_u16(&mut data, name.len() as u16);
        data.extend_from_slice(name);
        extension(&mut out, 0x0000, &data);
    }
    // status_request (OCSP), no responder ids, no request extensions.
    extension(&mut out, 0x0005, &[1, 0, 0, 0, 0]);
    extension(&mut out, 0x000A, &list_u16(GROUPS));
    extension(&mut out, 0x000B, &[1, 0]); // ec_point_formats: uncompressed
    if spec.protocol >= Protocol::Tls12 {
        extension(&mut out, 0x000D, &list_u16(SIGNATURE_SCHEMES));
    }
    extension(&mut out, 0x0017, &[]); // extended_master_secret
    extension(&mut out, 0xFF01, &[0]); // renegotiation_info, empty
    if spec.protocol == Protocol::Tls13 {
        extension(&mut out, 0x002B, &[2, 0x03, 0x04]); // supported_versions: TLS 1.3 only
        extension(&mut out, 0x002D, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
        let mut share = Vec::with_capacity(38);
        put_u16(&mut share, 36);
        put_u16(&mut share, 0x001D);
        put_u16(&mut share, 32);
        share.extend_from_slice(&spec.random);
        extension(&mut out, 0x0033, &share);
    }
    out
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    put_u16(out, kind);
    put_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

fn list_u16(values: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * 2 + 2);
    put_u16(&mut out, (values.len() * 2) as u16);
    for value in values {
        put_u16(&mut out, *value);
    }
    out
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(&(value as u32).to_be_bytes()[1..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_round_trip_through_their_serde_names() {
        for protocol in Protocol::ALL {
            assert_eq!(serde_json::to_value(protocol).unwrap(), protocol.as_str());
            assert_eq!(protocol.as_str().parse::<Protocol>(), Ok(protocol));
        }
        assert_eq!(Protocol::Tls10.as_str(), "TLSv1.0");
    }

    #[test]
    fn the_record_and_handshake_lengths_add_up() {
        let spec = HelloSpec {
            protocol: Protocol::Tls12,
            suites: &[0xC02F, 0x002F],
            server_name: Some("api.example.com"),
            random: [7; 32],
        };
        let record = client_hello(&spec);
        assert_eq!(record[0], 22);
        assert_eq!(
            usize::from(u16::from_be_bytes([record[3], record[4]])),
            record.len() - 5
        );
        assert_eq!(record[5], 1, "handshake type client_hello");
        let handshake_length = u32::from_be_bytes([0, record[6], record[7], record[8]]) as usize;
        assert_eq!(handshake_length, record.len() - 9);
        assert_eq!(&record[9..11], &[3, 3]);
        let text = String::from_utf8_lossy(&record);
        assert!(
            text.contains("api.example.com"),
            "SNI must carry the host name"
        );
    }

    #[test]
    fn ip_addresses_are_not_sent_as_sni_and_sslv3_has_no_extensions() {
        let spec = HelloSpec {
            protocol: Protocol::Ssl3,
            suites: &[0x002F],
            server_name: Some("127.0.0.1"),
            random: [1; 32],
        };
        let record = client_hello(&spec);
        // header 5 + handshake header 4 + version 2 + random 32 + session 1 + suites 4 + compression 2
        assert_eq!(record.len(), 5 + 4 + 2 + 32 + 1 + 4 + 2);
        assert_eq!(&record[1..3], &[3, 0]);
    }
}
