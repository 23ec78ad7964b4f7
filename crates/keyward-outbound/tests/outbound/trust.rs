//! The platform trust store (which reads `SSL_CERT_FILE`) plus a custom CA file: the
//! one source of roots for HTTP clients and for team sync's PostgreSQL TLS.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use keyward_outbound::{Destination, OutboundError, Policy, Trust, TrustError, tls};
use reqwest::Method;
use rustls::pki_types::ServerName;

use super::support::{Server, TestCa, child_requested, credential, ok, run_child, write_file};

#[test]
fn a_server_whose_ca_comes_only_from_ssl_cert_file_is_trusted() {
    let ca = TestCa::new("Keyward Corporate CA");
    let server = Server::tls(&ca.localhost(), ok("trusted"));
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write_file(dir.path(), "corporate.pem", &ca.cert_pem);
    let url = server.url("https", "localhost", "/");
    let port = server.port.to_string();
    let name = "trust::child_connects_with_the_platform_store";

    let trusted = run_child(
        name,
        &[
            ("SSL_CERT_FILE", &ca_file),
            ("OUTBOUND_URL", &url),
            ("OUTBOUND_PORT", &port),
            ("OUTBOUND_EXPECT", "trusted"),
        ],
    );
    assert!(
        trusted.status.success(),
        "{}",
        String::from_utf8_lossy(&trusted.stdout)
    );
    let refused = run_child(
        name,
        &[
            ("OUTBOUND_URL", &url),
            ("OUTBOUND_PORT", &port),
            ("OUTBOUND_EXPECT", "refused"),
        ],
    );
    assert!(
        refused.status.success(),
        "without SSL_CERT_FILE the same server is not trusted: {}",
        String::from_utf8_lossy(&refused.stdout)
    );
}

#[test]
#[ignore = "run by a_server_whose_ca_comes_only_from_ssl_cert_file_is_trusted"]
fn child_connects_with_the_platform_store() {
    if !child_requested() {
        return;
    }
    let url = std::env::var("OUTBOUND_URL").unwrap();
    let port: u16 = std::env::var("OUTBOUND_PORT").unwrap().parse().unwrap();
    let trusted = std::env::var("OUTBOUND_EXPECT").unwrap() == "trusted";
    let destination = Destination::of(&credential(&["localhost"], false));

    let blocking = Policy::default()
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    let result = blocking.send_to(&destination, blocking.request(Method::GET, &url));
    let client = Policy::default().client(&Trust::platform(), None).unwrap();
    let async_result = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.send_to(&destination, client.get(&url)));
    // Team sync hands the same configuration to PostgreSQL; a bare handshake with it
    // must agree with the HTTP clients.
    let handshake = handshake_with_config(port);
    if trusted {
        assert_eq!(result.unwrap().text(), "trusted");
        assert_eq!(async_result.unwrap().text(), "trusted");
        handshake.unwrap();
    } else {
        for error in [result.unwrap_err(), async_result.unwrap_err()] {
            assert!(matches!(error, OutboundError::Transport { .. }), "{error}");
            assert!(error.to_string().contains("certificate"), "{error}");
        }
        assert!(handshake.is_err());
    }
}

/// A TLS handshake and one request with [`tls::client_config`] alone.
fn handshake_with_config(port: u16) -> Result<String, rustls::Error> {
    let config = tls::client_config(&Trust::platform(), None).unwrap();
    let server_name = ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(Arc::new(config), server_name)?;
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, socket);
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|error| rustls::Error::General(error.to_string()))?;
    let mut answer = String::new();
    match stream.read_to_string(&mut answer) {
        Ok(_) => Ok(answer),
        Err(error) if !answer.is_empty() => {
            // The server closes without close_notify; what arrived is enough.
            let _ = error;
            Ok(answer)
        }
        Err(error) => Err(rustls::Error::General(error.to_string())),
    }
}

#[test]
fn a_custom_ca_file_adds_to_the_platform_store() {
    let ca = TestCa::new("Keyward Self-hosted CA");
    let server = Server::tls(&ca.localhost(), ok("self-hosted"));
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write_file(dir.path(), "ca.pem", &ca.cert_pem);
    let url = server.url("https", "127.0.0.1", "/");
    let destination = Destination::of(&credential(&["127.0.0.1"], false));

    let platform = Policy::default()
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    let error = platform
        .send_to(&destination, platform.request(Method::GET, &url))
        .unwrap_err();
    assert!(matches!(error, OutboundError::Transport { .. }), "{error}");

    let trust = Trust::with_custom_ca_file(Path::new(&ca_file)).unwrap();
    assert!(trust.anchors().len() > Trust::platform().anchors().len());
    let custom = Policy::default().blocking_client(&trust, None).unwrap();
    let reply = custom
        .send_to(&destination, custom.request(Method::GET, &url))
        .unwrap();
    assert_eq!(reply.text(), "self-hosted");
}

#[test]
fn unusable_ca_files_are_refused_with_a_reason() {
    assert!(matches!(
        Trust::with_custom_ca(b"no certificates here"),
        Err(TrustError::Empty)
    ));
    let missing = Trust::with_custom_ca_file(Path::new("/nonexistent/keyward-ca.pem")).unwrap_err();
    assert!(matches!(missing, TrustError::Read(_)), "{missing}");
    assert!(missing.to_string().contains("cannot read the CA file"));
}
