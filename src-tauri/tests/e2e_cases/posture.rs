//! Posture end to end: a real TLS server on 127.0.0.1 with a self-signed certificate
//! made at test time, an integration added through the form, "Probe all" on the
//! dashboard and "Probe now" on the integration clicked in the real window, and the
//! grade and the finding read back from the posture panel and the inventory.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::driver::{Session, by_text};

/// An HTTPS server answering every request with `200 ok` and no security headers,
/// behind a self-signed certificate for localhost: the probe must grade it F.
/// Thread per connection, because the probe opens many at once (one per protocol
/// hello, the handshake, the HTTP checks). It stops with the test process.
fn self_signed_https_server() -> u16 {
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("a self-signed certificate");
    let chain = vec![CertificateDer::from(issued.cert.der().to_vec())];
    let key = PrivateKeyDer::from_pem_slice(issued.signing_key.serialize_pem().as_bytes())
        .expect("the generated key reads back");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || answer(stream, config));
        }
    });
    port
}

/// Serves one connection; hellos the server does not like just end in an alert.
fn answer(stream: TcpStream, config: Arc<rustls::ServerConfig>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
        match tls.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_user_probes_an_integration_and_sees_its_grade_and_findings() {
    let port = self_signed_https_server();
    let url = format!("https://localhost:{port}/status");
    let session = Session::start("posture").await;
    session.wait_text("h1", "Dashboard").await;

    // The background schedule off (through Settings), so every probe below is one the
    // test asked for.
    session.click(by_text("button", "Settings")).await;
    session.fill("input[name=probe-every]", "0").await;
    session.click(by_text("button", "Save settings")).await;
    session.wait_text("[role=status]", "Settings saved.").await;

    // The integration, added through the form like a user would.
    session.click(by_text("button", "Inventory")).await;
    session.click(by_text("button", "New integration")).await;
    session.fill("input[name=name]", "status-page").await;
    session.fill("input[name=provider]", "acme").await;
    session.fill("input[name=owner]", "platform").await;
    session.fill("fieldset .endpoint-row input", &url).await;
    session
        .fill("fieldset .endpoint-row .field:nth-child(2) input", "none")
        .await;
    session.click(by_text("button", "Save integration")).await;
    session.wait_text("h1", "status-page").await;
    session.wait_for("[aria-label='Overall grade: none']").await;

    // "Probe all" from the dashboard: progress, then the outcome, and the dashboard's
    // posture count reloads on the `posture-changed` event (nothing else reloads it).
    session.click(by_text("button", "Dashboard")).await;
    session
        .wait_for("[aria-label='Failing posture: not probed yet']")
        .await;
    session.click(by_text("button", "Probe all")).await;
    session
        .wait_text("[data-testid=probe-all-outcome]", "Probed 1 endpoint")
        .await;
    session.wait_for("[aria-label='Failing posture: 1']").await;

    // "Probe now" on the integration: a second result joins the history.
    session.open_from_palette("status-page").await;
    session.wait_for("[aria-label='Overall grade: F']").await;
    session.click(by_text("button", "Probe now")).await;
    session
        .wait_for("table[aria-label='Probe history'] tbody tr:nth-child(2)")
        .await;
    session.wait_text("button", "Probe now").await;
    session.wait_for("[aria-label='Overall grade: F']").await;
    let finding = session
        .wait_for("[data-finding='tls.cert.self_signed']")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        finding.contains("How to fix:"),
        "a finding must say how to fix it: {finding}"
    );
    session
        .wait_text("table[aria-label='Probe history']", &url)
        .await;

    // The panel sits below the endpoints: bring it into view, and let WebKit paint
    // the final state (its screenshot is the last painted frame, not the DOM).
    session
        .client()
        .execute_async(
            "const done = arguments[0];
             document.querySelector('section.posture').scrollIntoView({block: 'start'});
             requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
            Vec::new(),
        )
        .await
        .expect("the page scrolls");
    session.screenshot("posture").await;

    // The grade reaches the inventory too.
    session.click(by_text("button", "Inventory")).await;
    session.click(by_text("button", "Integrations")).await;
    let row = session
        .text_where("[role=table] [role=row][tabindex]", "status-page")
        .await;
    assert!(
        row.contains('F'),
        "the inventory's grade column shows the probe's grade: {row}"
    );
    session.finish().await;
}
