//! Reads what a server sends back to one of our hand-made ClientHellos: records, then
//! the handshake messages inside them, as far as posture needs (ServerHello or
//! HelloRetryRequest, Certificate, CertificateStatus, ServerKeyExchange,
//! CertificateRequest, ServerHelloDone) or an Alert.
//!
//! The parser is a pure function over the bytes received so far, so it can be fuzzed
//! and can never block: the caller feeds it, and it says "need more", "done" or "this is
//! not TLS". Every length is checked before it is used.

use thiserror::Error;

/// The SHA-256 of "HelloRetryRequest": a ServerHello with this random is an HRR.
const RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// The largest record body TLS allows (2^14 plus expansion), with room to spare.
const MAX_RECORD: usize = 16_384 + 2_048;

/// How much of a server's first flight we are willing to hold: enough for long
/// certificate chains, little enough that a server streaming junk cannot exhaust us.
pub const MAX_FLIGHT: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    #[error("the server answered with something that is not TLS ({0})")]
    NotTls(String),
    #[error("malformed TLS from the server: {0}")]
    Malformed(&'static str),
    #[error("the server's first flight exceeds {MAX_FLIGHT} bytes")]
    TooLarge,
}

/// What the server said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAnswer {
    Hello(ServerHello),
    /// The server refused with an alert before saying hello.
    Alert {
        level: u8,
        description: u8,
    },
}

/// The facts a ServerHello flight carries in the clear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerHello {
    /// The negotiated version (from `supported_versions` when present).
    pub version: u16,
    pub cipher_suite: u16,
    pub retry_request: bool,
    /// The server sent a CertificateStatus message (a stapled OCSP response).
    pub ocsp_stapled: bool,
    /// DER certificates from the Certificate message (TLS 1.2 and older only; TLS 1.3
    /// encrypts it).
    pub certificates: Vec<Vec<u8>>,
    /// Size of the finite-field DH prime in a DHE ServerKeyExchange.
    pub dh_prime_bits: Option<u32>,
    /// Named group of an ECDHE ServerKeyExchange.
    pub ecdh_group: Option<u16>,
    pub certificate_requested: bool,
}

/// Parse progress over the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flight {
    NeedMore,
    Done(ServerAnswer),
}

/// Parses the server's answer from the start of the connection.
pub fn parse_flight(bytes: &[u8]) -> Result<Flight, RecordError> {
    let mut handshake = Vec::new();
    let mut hello: Option<ServerHello> = None;
    let mut rest = bytes;
    while rest.len() >= 5 {
        let content_type = rest[0];
        if !(20..=23).contains(&content_type) || rest[1] != 3 {
            return Err(RecordError::NotTls(describe_junk(rest)));
        }
        let length = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        if length > MAX_RECORD {
            return Err(RecordError::Malformed("record longer than TLS allows"));
        }
        if rest.len() < 5 + length {
            break;
        }
        let body = &rest[5..5 + length];
        rest = &rest[5 + length..];
        match content_type {
            21 => {
                if body.len() < 2 {
                    return Err(RecordError::Malformed("short alert"));
                }
                return Ok(Flight::Done(match hello {
                    Some(hello) => ServerAnswer::Hello(hello),
                    None => ServerAnswer::Alert {
                        level: body[0],
                        description: body[1],
                    },
                }));
            }
            22 => {
                handshake.extend_from_slice(body);
                // The messages are read when a run of handshake records ends, not after
                // each record: re-reading them after every record made a flight cut into
                // many tiny records cost time quadratic in its length. The answer is the
                // same, since the messages are read in order either way.
                if !starts_with_handshake_record(rest)
                    && let Some(answer) = read_messages(&handshake, &mut hello)?
                {
                    return Ok(Flight::Done(answer));
                }
            }
            // ChangeCipherSpec and encrypted data only follow a TLS 1.3 ServerHello,
            // after which we have already stopped.
            _ => {
                return Err(RecordError::Malformed(
                    "unexpected record before the server's hello",
                ));
            }
        }
    }
    if bytes.len() > MAX_FLIGHT {
        return Err(RecordError::TooLarge);
    }
    Ok(Flight::NeedMore)
}

/// Whether `bytes` starts with a complete handshake record that [`parse_flight`] takes
/// without error, so that the messages can wait for it.
fn starts_with_handshake_record(bytes: &[u8]) -> bool {
    bytes.len() >= 5 && bytes[0] == 22 && bytes[1] == 3 && {
        let length = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        length <= MAX_RECORD && bytes.len() >= 5 + length
    }
}

/// Reads a handshake message stream (the bodies of a flight's handshake records, joined)
/// as [`parse_flight`] does after reassembly: `None` until the messages say all it
/// needs. Public so the handshake layer can be fuzzed apart from the record framing.
pub fn parse_handshake(messages: &[u8]) -> Result<Option<ServerAnswer>, RecordError> {
    read_messages(messages, &mut None)
}

/// Walks the complete handshake messages; `Some` once the flight says all we need.
fn read_messages(
    mut messages: &[u8],
    hello: &mut Option<ServerHello>,
) -> Result<Option<ServerAnswer>, RecordError> {
    *hello = None;
    while messages.len() >= 4 {
        let kind = messages[0];
        let length = u32::from_be_bytes([0, messages[1], messages[2], messages[3]]) as usize;
        if length > MAX_FLIGHT {
            return Err(RecordError::TooLarge);
        }
        if messages.len() < 4 + length {
            return Ok(None);
        }
        let body = &messages[4..4 + length];
        messages = &messages[4 + length..];
        match (kind, hello.as_mut()) {
            (2, None) => {
                let parsed = server_hello(body)?;
                let finished = parsed.retry_request || parsed.version >= 0x0304;
                *hello = Some(parsed);
                if finished {
                    return Ok(hello.take().map(ServerAnswer::Hello));
                }
            }
            (_, None) => {
                return Err(RecordError::Malformed(
                    "handshake message before ServerHello",
                ));
            }
            (11, Some(current)) => current.certificates = certificate_list(body)?,
            (22, Some(current)) => current.ocsp_stapled = true,
            (12, Some(current)) => server_key_exchange(body, current),
            (13, Some(current)) => current.certificate_requested = true,
            (14, Some(_)) => return Ok(hello.take().map(ServerAnswer::Hello)),
            (_, Some(_)) => {}
        }
    }
    Ok(None)
}

fn server_hello(body: &[u8]) -> Result<ServerHello, RecordError> {
    let mut reader = Reader(body);
    let legacy_version = reader.u16()?;
    let random = reader.take(32)?;
    let session_length = usize::from(reader.u8()?);
    reader.take(session_length)?;
    let cipher_suite = reader.u16()?;
    reader.u8()?; // compression
    let mut hello = ServerHello {
        version: legacy_version,
        cipher_suite,
        retry_request: random == RETRY_REQUEST_RANDOM,
        ..ServerHello::default()
    };
    if reader.0.is_empty() {
        return Ok(hello);
    }
    let extensions_length = usize::from(reader.u16()?);
    let mut extensions = Reader(reader.take(extensions_length)?);
    while !extensions.0.is_empty() {
        let kind = extensions.u16()?;
        let length = usize::from(extensions.u16()?);
        let data = extensions.take(length)?;
        if kind == 0x002B {
            hello.version = Reader(data).u16()?;
        }
    }
    Ok(hello)
}

fn certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, RecordError> {
    let mut reader = Reader(body);
    let total = reader.u24()?;
    let mut list = Reader(reader.take(total)?);
    let mut certificates = Vec::new();
    while !list.0.is_empty() {
        let length = list.u24()?;
        certificates.push(list.take(length)?.to_vec());
    }
    Ok(certificates)
}

/// Reads the group out of a ServerKeyExchange. Which layout applies depends on the
/// suite, which the caller knows; here both are tried by their first bytes: an ECDHE
/// exchange starts with curve type 3 (named curve) and a 2-byte group, a DHE one with
/// the 2-byte length of the prime, which is never 0x03xx for a real group.
fn server_key_exchange(body: &[u8], hello: &mut ServerHello) {
    let suite = super::suites::by_id(hello.cipher_suite);
    let finite_field = suite.is_some_and(|suite| suite.uses_finite_field_dh());
    let mut reader = Reader(body);
    if finite_field {
        if let Ok(prime_length) = reader.u16()
            && let Ok(prime) = reader.take(usize::from(prime_length))
        {
            let leading_zero_bits = prime.iter().take_while(|byte| **byte == 0).count() * 8
                + prime
                    .iter()
                    .find(|byte| **byte != 0)
                    .map_or(0, |byte| byte.leading_zeros() as usize);
            hello.dh_prime_bits = Some((prime.len() * 8 - leading_zero_bits) as u32);
        }
    } else if reader.u8() == Ok(3)
        && let Ok(group) = reader.u16()
    {
        hello.ecdh_group = Some(group);
    }
}

/// A short, printable description of bytes that are not TLS (an HTTP answer, say).
fn describe_junk(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(16)];
    if head
        .iter()
        .all(|byte| byte.is_ascii_graphic() || *byte == b' ')
    {
        format!("starts with {:?}", String::from_utf8_lossy(head))
    } else {
        format!("starts with bytes {}", hex::encode(head))
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], RecordError> {
        if self.0.len() < count {
            return Err(RecordError::Malformed(
                "a length runs past the end of its message",
            ));
        }
        let (head, tail) = self.0.split_at(count);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, RecordError> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn u24(&mut self) -> Result<usize, RecordError> {
        let bytes = self.take(3)?;
        Ok(u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![content_type, 3, 3];
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    fn hello_body(version: u16, suite: u16, extensions: &[u8]) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[9; 32]);
        body.push(0);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        if !extensions.is_empty() {
            body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
            body.extend_from_slice(extensions);
        }
        body
    }

    #[test]
    fn a_tls12_flight_yields_suite_certificates_and_dh_size() {
        let mut flight = message(2, &hello_body(0x0303, 0x0033, &[]));
        let certificate = [0x30, 0x03, 1, 2, 3];
        let mut list = vec![0, 0, 8, 0, 0, 5];
        list.extend_from_slice(&certificate);
        flight.extend(message(11, &list));
        let mut exchange = vec![0x00, 0x80, 0x80];
        exchange.extend_from_slice(&[0xFF; 127]);
        flight.extend(message(12, &exchange));
        flight.extend(message(14, &[]));
        let bytes = record(22, &flight);
        // Every prefix is either "need more" or the same final answer: never a panic.
        for cut in 0..bytes.len() {
            assert_eq!(
                parse_flight(&bytes[..cut]),
                Ok(Flight::NeedMore),
                "cut at {cut}"
            );
        }
        let Ok(Flight::Done(ServerAnswer::Hello(hello))) = parse_flight(&bytes) else {
            panic!()
        };
        assert_eq!((hello.version, hello.cipher_suite), (0x0303, 0x0033));
        assert_eq!(hello.certificates, vec![certificate.to_vec()]);
        assert_eq!(hello.dh_prime_bits, Some(1024));
    }

    #[test]
    fn tls13_is_read_from_supported_versions_and_an_alert_is_a_refusal() {
        let hello = record(
            22,
            &message(
                2,
                &hello_body(0x0303, 0x1301, &[0x00, 0x2B, 0x00, 0x02, 0x03, 0x04]),
            ),
        );
        let Ok(Flight::Done(ServerAnswer::Hello(parsed))) = parse_flight(&hello) else {
            panic!()
        };
        assert_eq!(parsed.version, 0x0304);
        let alert = record(21, &[2, 40]);
        assert_eq!(
            parse_flight(&alert),
            Ok(Flight::Done(ServerAnswer::Alert {
                level: 2,
                description: 40
            }))
        );
    }

    #[test]
    fn a_flight_in_one_byte_records_reads_as_in_one_record() {
        // The record and handshake fuzz targets ran slowly on flights of many tiny
        // records: the messages were re-read after each record. They are now read once
        // per run of records; the answers must not change, including when an alert or a
        // malformed record ends the run.
        let mut flight = message(2, &hello_body(0x0303, 0xC02F, &[]));
        let mut list = vec![0, 0, 8, 0, 0, 5];
        list.extend_from_slice(&[0x30, 0x03, 1, 2, 3]);
        flight.extend(message(11, &list));
        flight.extend(message(13, &[]));
        let done = [flight.clone(), message(14, &[])].concat();
        let tiny = |messages: &[u8]| -> Vec<u8> {
            messages
                .iter()
                .flat_map(|byte| record(22, &[*byte]))
                .collect()
        };
        for tail in [
            vec![],
            record(21, &[2, 40]),
            vec![22, 3, 3, 0xFF, 0xFF],
            b"HTTP/1.1".to_vec(),
        ] {
            for messages in [&flight, &done] {
                let whole = [record(22, messages), tail.clone()].concat();
                let cut = [tiny(messages), tail.clone()].concat();
                assert_eq!(parse_flight(&cut), parse_flight(&whole));
            }
        }
        let Ok(Flight::Done(ServerAnswer::Hello(hello))) =
            parse_flight(&[tiny(&flight), record(21, &[2, 40])].concat())
        else {
            panic!("an alert after the hello reports the hello")
        };
        assert!(hello.certificate_requested);
        assert_eq!(hello.certificates.len(), 1);
    }

    #[test]
    fn http_and_junk_are_not_tls() {
        assert!(
            matches!(parse_flight(b"HTTP/1.1 400 Bad Request\r\n"), Err(RecordError::NotTls(text)) if text.contains("HTTP"))
        );
        assert!(matches!(
            parse_flight(&[22, 3, 3, 0xFF, 0xFF]),
            Err(RecordError::Malformed(_))
        ));
        assert!(matches!(
            parse_flight(&record(22, &[2, 0, 0, 1, 0])),
            Err(RecordError::Malformed(_))
        ));
    }
}
