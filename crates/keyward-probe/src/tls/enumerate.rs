//! Protocol and cipher-suite enumeration with our own ClientHellos.
//!
//! For each protocol the suites are split into a few groups and each group is
//! enumerated on its own connection chain: offer the group, note what the server picks,
//! remove it, offer again, until the server refuses. The union over groups is exactly
//! the set the server accepts (each accepted suite sits in one group, and a group's
//! chain only ends when none of its remaining suites is acceptable), and the chains run
//! concurrently under the per-host connection limit.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use super::hello::{HelloSpec, Protocol, client_hello};
use super::record::{Flight, ServerAnswer, ServerHello, parse_flight};
use super::suites;
use crate::{ProbeError, Timeouts};

/// Suites per group for the pre-1.3 protocols.
const GROUP_SIZE: usize = 32;

/// What one protocol version looks like from the outside.
#[derive(Debug, Clone, Default)]
pub struct ProtocolScan {
    pub accepted_suites: Vec<u16>,
    /// Smallest finite-field DH prime seen with an accepted DHE suite.
    pub dh_prime_bits: Option<u32>,
    pub ocsp_stapled: bool,
    pub certificate_requested: bool,
    /// The chain from a plaintext Certificate message (TLS 1.2 and older).
    pub certificates: Vec<Vec<u8>>,
    /// Why some of the answers could not be read, if any.
    pub errors: Vec<String>,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub address: SocketAddr,
    pub server_name: String,
    pub timeouts: Timeouts,
    /// Bounds the connections open to this host at once.
    pub connections: Arc<Semaphore>,
}

/// Enumerates one protocol version.
pub async fn scan_protocol(endpoint: &Endpoint, protocol: Protocol) -> ProtocolScan {
    let candidates: Vec<u16> = if protocol == Protocol::Tls13 {
        suites::tls13().map(|suite| suite.id).collect()
    } else {
        suites::legacy()
            .filter(|suite| protocol >= Protocol::Tls12 || !suite.needs_tls12())
            .map(|suite| suite.id)
            .collect()
    };
    let chains = candidates.chunks(GROUP_SIZE).map(|group| {
        let endpoint = endpoint.clone();
        let group = group.to_vec();
        async move { enumerate_group(&endpoint, protocol, group).await }
    });
    let mut scan = ProtocolScan::default();
    for chain in futures_join_all(chains).await {
        merge(&mut scan, chain);
    }
    scan
}

fn merge(scan: &mut ProtocolScan, chain: ProtocolScan) {
    scan.accepted_suites.extend(chain.accepted_suites);
    scan.dh_prime_bits = match (scan.dh_prime_bits, chain.dh_prime_bits) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    scan.ocsp_stapled |= chain.ocsp_stapled;
    scan.certificate_requested |= chain.certificate_requested;
    if scan.certificates.is_empty() {
        scan.certificates = chain.certificates;
    }
    scan.errors.extend(chain.errors);
}

async fn enumerate_group(
    endpoint: &Endpoint,
    protocol: Protocol,
    mut offered: Vec<u16>,
) -> ProtocolScan {
    let mut scan = ProtocolScan::default();
    while !offered.is_empty() {
        match ask(endpoint, protocol, &offered).await {
            Ok(Some(hello)) if hello.version == protocol.wire() => {
                let Some(position) = offered
                    .iter()
                    .position(|suite| *suite == hello.cipher_suite)
                else {
                    scan.errors.push(format!(
                        "{}: the server chose {}, which was not offered",
                        protocol.as_str(),
                        suites::name_of(hello.cipher_suite)
                    ));
                    break;
                };
                offered.remove(position);
                scan.accepted_suites.push(hello.cipher_suite);
                if let Some(bits) = hello.dh_prime_bits {
                    scan.dh_prime_bits =
                        Some(scan.dh_prime_bits.map_or(bits, |seen| seen.min(bits)));
                }
                scan.ocsp_stapled |= hello.ocsp_stapled;
                scan.certificate_requested |= hello.certificate_requested;
                if scan.certificates.is_empty() {
                    scan.certificates = hello.certificates;
                }
            }
            // A lower version, an alert or a closed connection: refused.
            Ok(_) => break,
            Err(error) => {
                scan.errors.push(format!("{}: {error}", protocol.as_str()));
                break;
            }
        }
    }
    scan
}

/// Sends one ClientHello and reads the answer. `Ok(None)` is a refusal (alert or
/// connection closed before anything arrived).
pub async fn ask(
    endpoint: &Endpoint,
    protocol: Protocol,
    offered: &[u16],
) -> Result<Option<ServerHello>, ProbeError> {
    let _permit = endpoint
        .connections
        .acquire()
        .await
        .map_err(|_| ProbeError::Cancelled)?;
    let mut stream = connect(endpoint.address, endpoint.timeouts).await?;
    let spec = HelloSpec {
        protocol,
        suites: offered,
        server_name: Some(&endpoint.server_name),
        random: keyward_model::random::random_bytes::<32>(),
    };
    let read = async {
        stream
            .write_all(&client_hello(&spec))
            .await
            .map_err(|error| ProbeError::Io(error.to_string()))?;
        let mut received = Vec::with_capacity(8 * 1024);
        let mut buffer = [0u8; 16 * 1024];
        loop {
            let count = match stream.read(&mut buffer).await {
                Ok(count) => count,
                // A reset right after our hello is how some servers refuse.
                Err(error)
                    if error.kind() == std::io::ErrorKind::ConnectionReset
                        && received.is_empty() =>
                {
                    0
                }
                Err(error) => return Err(ProbeError::Io(error.to_string())),
            };
            if count == 0 {
                return if received.is_empty() {
                    Ok(None)
                } else {
                    Err(ProbeError::Truncated(received.len()))
                };
            }
            received.extend_from_slice(&buffer[..count]);
            match parse_flight(&received)? {
                Flight::NeedMore => {}
                Flight::Done(ServerAnswer::Hello(hello)) => return Ok(Some(hello)),
                Flight::Done(ServerAnswer::Alert { .. }) => return Ok(None),
            }
        }
    };
    tokio::time::timeout(endpoint.timeouts.read, read)
        .await
        .map_err(|_| ProbeError::Timeout {
            what: "the server's answer",
            after: endpoint.timeouts.read,
        })?
}

/// Opens a TCP connection within the connect timeout.
pub async fn connect(address: SocketAddr, timeouts: Timeouts) -> Result<TcpStream, ProbeError> {
    let stream = tokio::time::timeout(timeouts.connect, TcpStream::connect(address))
        .await
        .map_err(|_| ProbeError::Timeout {
            what: "connecting",
            after: timeouts.connect,
        })?
        .map_err(|error| ProbeError::Connect(error.to_string()))?;
    stream.set_nodelay(true).ok();
    Ok(stream)
}

/// Awaits every future concurrently, keeping their order.
pub(crate) async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for (index, future) in futures.into_iter().enumerate() {
        set.spawn(async move { (index, future.await) });
    }
    let mut outputs: Vec<Option<F::Output>> = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (index, output) = joined.expect("probe tasks do not panic");
        if outputs.len() <= index {
            outputs.resize_with(index + 1, || None);
        }
        outputs[index] = Some(output);
    }
    outputs
        .into_iter()
        .map(|output| output.expect("every task reports"))
        .collect()
}
