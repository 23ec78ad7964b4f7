//! No error names a secret from the URL (userinfo, query) or a header, in any
//! encoding it might have been turned into on the way.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use keyward_outbound::{Destination, Gate, OutboundError, Policy, Trust, redact};
use reqwest::Method;
use url::Url;

use super::support::{Server, TestCa, canary, closed_port, credential, handler, ok};

/// Every form the canary could take in a text: plain, URL-encoded (its random tail is
/// left alone by any URL encoding), base64 (alone and as Basic credentials), hex.
fn forms(canary: &str) -> Vec<String> {
    let tail = canary.rsplit(':').next().unwrap().to_owned();
    vec![
        canary.to_owned(),
        tail.clone(),
        STANDARD.encode(canary),
        URL_SAFE_NO_PAD.encode(canary),
        STANDARD.encode(format!("user:{canary}")),
        hex::encode(canary),
        hex::encode_upper(canary),
        hex::encode(&tail),
    ]
}

fn assert_clean(what: &str, text: &str, canary: &str) {
    for form in forms(canary) {
        assert!(
            !text.contains(&form),
            "{what}: the text carries the secret (as {form:?}): {text}"
        );
    }
}

/// `base` with the canary as password and as the `token` query parameter.
fn with_canary(base: &str, canary: &str) -> Url {
    let mut url = Url::parse(base).unwrap();
    url.set_username("user").unwrap();
    url.set_password(Some(canary)).unwrap();
    url.query_pairs_mut().append_pair("token", canary);
    url
}

#[test]
fn errors_never_show_the_canary_in_any_form() {
    let canary = canary();
    let silent = Server::plain(handler(|_, _| std::thread::sleep(Duration::from_secs(10))));
    let stranger = TestCa::new("A CA nobody trusts");
    let untrusted = Server::tls(&stranger.localhost(), ok("untrusted"));
    let cases = [
        ("refused", format!("http://127.0.0.1:{}/p", closed_port())),
        ("timeout", silent.url("http", "127.0.0.1", "/p")),
        ("untrusted", untrusted.url("https", "127.0.0.1", "/p")),
        ("not allowed", "https://elsewhere.example/p".to_owned()),
        ("plain HTTP", silent.url("http", "localhost", "/p")),
    ];
    let destination = Destination::of(&credential(&["127.0.0.1", "localhost"], false));
    let lenient = Destination::of(&credential(&["127.0.0.1"], true));
    let policy = Policy {
        total_timeout: Duration::from_millis(600),
        ..Policy::default()
    };
    let blocking = policy.blocking_client(&Trust::platform(), None).unwrap();
    let client = policy.client(&Trust::platform(), None).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (what, base) in &cases {
        let url = with_canary(base, &canary);
        assert_clean(what, &redact(url.as_str()), &canary);
        let gate: &Destination = if url.scheme() == "http" && url.host_str() == Some("127.0.0.1") {
            &lenient
        } else {
            &destination
        };
        let errors: Vec<OutboundError> = vec![
            blocking
                .send_to(
                    gate,
                    blocking
                        .request(Method::POST, url.clone())
                        .header("X-Api-Key", canary.as_str()),
                )
                .unwrap_err(),
            runtime
                .block_on(client.send_to(
                    gate,
                    client.get(url.clone()).header("X-Api-Key", canary.as_str()),
                ))
                .unwrap_err(),
        ];
        for error in errors {
            assert_clean(what, &error.to_string(), &canary);
            assert_clean(what, &format!("{error:?}"), &canary);
            assert_clean(what, error.url().unwrap_or_default(), &canary);
        }
        if let Err(refusal) = gate.admit(&url) {
            assert_clean(what, &refusal.to_string(), &canary);
        }
    }
}

#[test]
fn redaction_finds_urls_inside_other_texts() {
    let canary = canary();
    let url = with_canary("https://api.example.com/v1/keys", &canary);
    let text = format!("error sending request for url ({url}): connection refused");
    let redacted = redact(&text);
    assert_clean("quoted", &redacted, &canary);
    assert_eq!(
        redacted,
        "error sending request for url (https://***@api.example.com/v1/keys?***): connection refused"
    );
}
