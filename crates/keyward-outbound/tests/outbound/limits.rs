//! Bounded body, bounded time.

use std::time::Duration;

use keyward_outbound::{BodyEnd, Destination, OutboundError, Policy, Trust};
use reqwest::Method;

use super::support::{Handler, Server, credential, handler, ok};

/// Headers, then a body that never ends.
fn endless() -> Handler {
    handler(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
        let chunk = [b'x'; 8192];
        while out.write_all(&chunk).and_then(|()| out.flush()).is_ok() {}
    })
}

fn capped(limit: usize) -> Policy {
    Policy {
        body_limit: limit,
        // Long enough that only the cap can end the read in a passing run.
        total_timeout: Duration::from_secs(60),
        ..Policy::default()
    }
}

#[test]
fn a_body_over_the_cap_is_cut_and_the_rest_never_read() {
    let server = Server::plain(endless());
    let url = server.url("http", "127.0.0.1", "/");
    let destination = Destination::of(&credential(&["127.0.0.1"], true));

    let blocking = capped(10_000)
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    let reply = blocking
        .send_to(&destination, blocking.request(Method::GET, &url))
        .unwrap();
    assert_eq!(reply.end, BodyEnd::Limit);
    assert_eq!(reply.body.len(), 10_000);
    assert!(reply.body.iter().all(|byte| *byte == b'x'));

    let client = capped(3_000).client(&Trust::platform(), None).unwrap();
    let reply = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.send_to(&destination, client.get(&url)))
        .unwrap();
    assert_eq!(reply.end, BodyEnd::Limit);
    assert_eq!(reply.body.len(), 3_000);
}

#[test]
fn a_body_within_the_cap_is_complete() {
    let server = Server::plain(ok("0123456789"));
    let destination = Destination::of(&credential(&["127.0.0.1"], true));
    let client = capped(10)
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    let reply = client
        .send_to(
            &destination,
            client.request(Method::GET, server.url("http", "127.0.0.1", "/")),
        )
        .unwrap();
    assert_eq!(
        reply.end,
        BodyEnd::Complete,
        "exactly the limit is complete"
    );
    assert_eq!(reply.text(), "0123456789");
}

#[test]
fn a_server_that_never_answers_is_cut_off_by_the_total_timeout() {
    let server = Server::plain(handler(|_, _| std::thread::sleep(Duration::from_secs(20))));
    let policy = Policy {
        total_timeout: Duration::from_millis(500),
        ..Policy::default()
    };
    let client = policy.blocking_client(&Trust::platform(), None).unwrap();
    let error = client
        .send(client.request(Method::GET, server.url("http", "127.0.0.1", "/")))
        .unwrap_err();
    assert!(matches!(error, OutboundError::Timeout { .. }), "{error}");
    assert_eq!(error.to_string(), "timed out");
}

#[test]
fn a_trickling_body_is_cut_off_by_the_total_timeout_and_keeps_what_arrived() {
    let server = Server::plain(handler(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        for _ in 0..1000 {
            if out.write_all(b"x").and_then(|()| out.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }));
    let policy = Policy {
        total_timeout: Duration::from_millis(700),
        ..Policy::default()
    };
    let client = policy.client(&Trust::platform(), None).unwrap();
    let reply = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.send(client.get(server.url("http", "127.0.0.1", "/"))))
        .unwrap();
    assert_eq!(reply.end, BodyEnd::Interrupted("timed out".into()));
    assert!(!reply.body.is_empty() && reply.body.len() < 1000);
}
