//! A credential goes only to its allowed hosts, and over TLS unless it allows plain
//! HTTP; a refusal happens before any connection.

use keyward_outbound::{Destination, Gate, OutboundError, Policy, RefusalReason, Trust};
use reqwest::Method;
use url::Url;

use super::support::{Server, credential, ok};

fn reason(error: &OutboundError) -> &RefusalReason {
    match error {
        OutboundError::Refused(refusal) => &refusal.reason,
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn a_host_outside_the_allowed_list_is_refused_before_any_connection() {
    let server = Server::plain(ok("reached"));
    let destination = Destination::of(&credential(&["api.example.com"], true));
    let urls = [
        server.url("http", "127.0.0.1", "/"),
        server.url("https", "127.0.0.1", "/"),
        server.url("http", "localhost", "/"),
    ];
    let blocking = Policy::default()
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    for url in &urls {
        let error = blocking
            .send_to(&destination, blocking.request(Method::GET, url))
            .unwrap_err();
        assert!(
            matches!(reason(&error), RefusalReason::Host { .. }),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("not among the credential's allowed hosts"),
            "{error}"
        );
    }
    let client = Policy::default().client(&Trust::platform(), None).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for url in &urls {
        let error = runtime
            .block_on(client.send_to(&destination, client.get(url)))
            .unwrap_err();
        assert!(
            matches!(reason(&error), RefusalReason::Host { .. }),
            "{error}"
        );
    }
    assert_eq!(server.connections(), 0, "nothing may connect");
}

#[test]
fn plain_http_is_refused_unless_the_credential_allows_it() {
    let server = Server::plain(ok("reached"));
    let url = server.url("http", "127.0.0.1", "/");
    let client = Policy::default()
        .blocking_client(&Trust::platform(), None)
        .unwrap();

    let strict = Destination::of(&credential(&["127.0.0.1"], false));
    let error = client
        .send_to(&strict, client.request(Method::GET, &url))
        .unwrap_err();
    assert_eq!(reason(&error), &RefusalReason::Plaintext, "{error}");
    assert_eq!(server.connections(), 0, "refused before connecting");

    let lenient = Destination::of(&credential(&["127.0.0.1"], true));
    let reply = client
        .send_to(&lenient, client.request(Method::GET, &url))
        .unwrap();
    assert_eq!(reply.text(), "reached");
    assert_eq!(server.connections(), 1);
}

#[test]
fn the_gate_judges_the_final_url_not_the_first_one() {
    let server = Server::plain(ok("reached"));
    let client = Policy::default()
        .blocking_client(&Trust::platform(), None)
        .unwrap();
    let destination = Destination::of(&credential(&["127.0.0.1"], true));
    // A builder made by another client, for a host the credential may not go to: the
    // policy client's gate still looks at where it would really go.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let foreign = reqwest::blocking::Client::new();
    let error = client
        .send_to(
            &destination,
            foreign.get(server.url("http", "localhost", "/")),
        )
        .unwrap_err();
    assert!(
        matches!(reason(&error), RefusalReason::Host { .. }),
        "{error}"
    );
    assert_eq!(server.connections(), 0);
}

#[test]
fn a_providers_default_host_stands_in_only_for_an_empty_list() {
    let api = Url::parse("https://api.github.com/user").unwrap();
    let unlisted = Destination::of(&credential(&[], false));
    assert!(
        unlisted.admit(&api).is_err(),
        "no hosts, no default: refused"
    );
    assert!(
        unlisted
            .clone()
            .with_default_host(Some("api.github.com"))
            .admit(&api)
            .is_ok()
    );
    let listed = Destination::of(&credential(&["github.example.com"], false))
        .with_default_host(Some("api.github.com"));
    assert!(
        listed.admit(&api).is_err(),
        "the user's own list wins over the provider's default"
    );
    let wildcard = Destination::of(&credential(&["*.example.com"], false));
    assert!(
        wildcard
            .admit(&Url::parse("https://api.example.com/").unwrap())
            .is_ok()
    );
    assert!(
        wildcard
            .admit(&Url::parse("https://example.com/").unwrap())
            .is_err()
    );
    let ftp = Destination::of(&credential(&["files.example.com"], true));
    assert!(matches!(
        ftp.admit(&Url::parse("ftp://files.example.com/").unwrap())
            .unwrap_err()
            .reason,
        RefusalReason::Scheme(_)
    ));
}
