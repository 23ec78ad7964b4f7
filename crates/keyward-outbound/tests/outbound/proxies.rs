//! No proxy from the environment; the explicit one from Keyward's settings is used.

use std::path::Path;

use keyward_outbound::{Destination, Policy, Proxy, Trust};
use reqwest::Method;

use super::support::{
    Server, TestCa, child_requested, credential, handler, ok, respond, run_child, write_file,
};

const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

#[test]
fn proxies_from_the_environment_receive_nothing() {
    let proxy = Server::plain(handler(|_, out| {
        respond(out, "502 Bad Gateway", &[], "the proxy")
    }));
    let plain = Server::plain(ok("direct"));
    let ca = TestCa::new("Keyward Outbound Test CA");
    let tls = Server::tls(&ca.localhost(), ok("direct"));
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write_file(dir.path(), "ca.pem", &ca.cert_pem);
    let proxy_url = proxy.url("http", "127.0.0.1", "");
    let plain_url = plain.url("http", "127.0.0.1", "/plain");
    let tls_url = tls.url("https", "localhost", "/tls");
    let mut env: Vec<(&str, &str)> = PROXY_VARIABLES
        .iter()
        .map(|variable| (*variable, proxy_url.as_str()))
        .collect();
    env.extend([
        ("OUTBOUND_PLAIN_URL", plain_url.as_str()),
        ("OUTBOUND_TLS_URL", tls_url.as_str()),
        ("OUTBOUND_CA_FILE", ca_file.as_str()),
    ]);

    let child = run_child("proxies::child_sends_through_the_policy", &env);
    assert!(
        child.status.success(),
        "{}{}",
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
    assert_eq!(
        proxy.connections(),
        0,
        "a proxy from the environment saw: {:?}",
        proxy.heads()
    );
    assert_eq!(plain.heads().len(), 2, "blocking and async went direct");
    assert_eq!(tls.heads().len(), 2, "blocking and async went direct");

    // The control: a client that does not opt out takes the very same variables, so
    // they were live and the zero above means something.
    let control = run_child("proxies::child_sends_with_a_default_client", &env);
    assert!(
        control.status.success(),
        "{}",
        String::from_utf8_lossy(&control.stdout)
    );
    assert!(
        proxy.connections() > 0,
        "the control request should have gone to the proxy"
    );
}

#[test]
#[ignore = "run by proxies_from_the_environment_receive_nothing, with proxies set"]
fn child_sends_through_the_policy() {
    if !child_requested() {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let trust = Trust::with_custom_ca_file(Path::new(&var("OUTBOUND_CA_FILE"))).unwrap();
    let destination = Destination::of(&credential(&["127.0.0.1", "localhost"], true));
    let urls = [var("OUTBOUND_PLAIN_URL"), var("OUTBOUND_TLS_URL")];

    let blocking = Policy::default().blocking_client(&trust, None).unwrap();
    for url in &urls {
        let reply = blocking
            .send_to(&destination, blocking.request(Method::GET, url))
            .unwrap();
        assert_eq!((reply.status, reply.text().as_str()), (200, "direct"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Policy::default().client(&trust, None).unwrap();
    runtime.block_on(async {
        for url in &urls {
            let reply = client.send_to(&destination, client.get(url)).await.unwrap();
            assert_eq!((reply.status, reply.text().as_str()), (200, "direct"));
        }
    });
}

#[test]
#[ignore = "run by proxies_from_the_environment_receive_nothing, with proxies set"]
fn child_sends_with_a_default_client() {
    if !child_requested() {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let _ = client
        .get(std::env::var("OUTBOUND_PLAIN_URL").unwrap())
        .send();
}

#[test]
fn an_explicit_proxy_from_keywards_settings_is_used() {
    let proxy = Server::plain(ok("via proxy"));
    let policy = Policy {
        proxy: Some(Proxy::parse(&proxy.url("http", "127.0.0.1", "")).unwrap()),
        ..Policy::default()
    };
    let client = policy.blocking_client(&Trust::platform(), None).unwrap();
    let destination = Destination::of(&credential(&["api.example.test"], true));
    let reply = client
        .send_to(
            &destination,
            client.request(Method::GET, "http://api.example.test/v1"),
        )
        .unwrap();
    assert_eq!(reply.text(), "via proxy");
    let heads = proxy.heads();
    assert!(
        heads[0].starts_with("GET http://api.example.test/v1 HTTP/1.1"),
        "{heads:?}"
    );
}

#[test]
fn a_proxy_is_shown_without_its_password() {
    let proxy = Proxy::parse("http://corp:hunter2@proxy.example:3128").unwrap();
    assert!(!proxy.to_string().contains("hunter2"), "{proxy}");
    assert!(!format!("{proxy:?}").contains("hunter2"), "{proxy:?}");
    assert!(Proxy::parse("socks5://proxy.example:1080").is_err());
    for mistyped in ["not a url hunter2", "corp:hunter2@proxy.example:3128"] {
        let refused = Proxy::parse(mistyped).unwrap_err().to_string();
        assert!(!refused.contains("hunter2"), "{refused}");
    }
}
