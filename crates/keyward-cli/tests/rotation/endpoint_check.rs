//! Rotation verifies a new value at the endpoints that use it, through the probe's
//! authenticated request, before the value becomes current; and that request obeys the
//! credential's host and TLS rules like every other use of a secret.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use keyward::model::{
    AuthMethod, CredentialKind, Environment, NewCredential, NewEndpoint, NewIntegration,
    SecretValue,
};

use super::Home;

/// A loopback HTTP endpoint that records the bearer tokens it is sent and answers
/// `status` to each; it serves `requests` requests, then stops.
fn endpoint(status: u16, requests: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/v1/me",
        listener.local_addr().unwrap().port()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                if let Some(token) = line.trim_end().strip_prefix("authorization: Bearer ") {
                    record.lock().unwrap().push(token.to_owned());
                }
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, seen)
}

fn home_using(url: &str, allow_insecure: bool) -> (Home, String) {
    let mut home = Home::new();
    let old = "tok_0123456789abcdefghijklmnopqrstuv".to_owned();
    home.keyward
        .credentials()
        .add_credential(
            NewCredential {
                name: "service-token".into(),
                kind: Some(CredentialKind::Token),
                allowed_hosts: vec!["127.0.0.1".into()],
                allow_insecure,
                ..Default::default()
            },
            SecretValue::from_string(old.clone()),
        )
        .unwrap();
    home.keyward
        .credentials()
        .add_integration(NewIntegration {
            name: "internal-api".into(),
            provider: "internal".into(),
            owner: "platform".into(),
            environment: Environment::Dev,
            tags: Vec::new(),
            notes: None,
            issuer: None,
            endpoints: vec![NewEndpoint {
                url: url.to_owned(),
                auth: AuthMethod::Bearer,
                credential: Some("service-token".into()),
            }],
        })
        .unwrap();
    (home, old)
}

fn rotate_with_check(home: &mut Home) -> keyward::Result<keyward::rotate::RotationOutcome> {
    let check = home
        .keyward
        .posture()
        .endpoint_check("service-token")
        .unwrap();
    assert!(
        !check.is_empty(),
        "the integration's endpoint uses this credential"
    );
    home.keyward.rotation().rotate_credential(
        "service-token",
        &Default::default(),
        Some(&check),
        &mut |_| {},
    )
}

#[test]
fn a_new_value_the_endpoint_accepts_becomes_current() {
    let (url, seen) = endpoint(200, 1);
    let (mut home, old) = home_using(&url, true);
    let plan = home
        .keyward
        .rotation()
        .plan_rotation("service-token")
        .unwrap();
    let origin = url.trim_end_matches("/v1/me");
    assert_eq!(
        plan.verify_endpoints,
        vec![format!("{origin} (bearer)")],
        "the plan names where the new value is checked, by origin only"
    );
    // `rotate_checked` is what the desktop app runs: it builds the same check.
    home.keyward
        .rotation()
        .rotate_checked("service-token", &Default::default(), &mut |_| {})
        .unwrap();
    let new = home.value("service-token");
    assert_ne!(new, old);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![new],
        "the endpoint was asked with the new value, once"
    );
    home.assert_settled();
}

#[test]
fn a_new_value_the_endpoint_refuses_is_rolled_back() {
    let (url, seen) = endpoint(401, 1);
    let (mut home, old) = home_using(&url, true);
    let error = rotate_with_check(&mut home).unwrap_err().to_string();
    assert!(
        error.contains("refused the new value (HTTP 401)") && error.contains("rolled back"),
        "{error}"
    );
    assert!(
        !error.contains("/v1/me"),
        "messages name the origin only: {error}"
    );
    assert_eq!(
        home.value("service-token"),
        old,
        "the old value stays current"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    home.assert_settled();
}

#[test]
fn the_check_never_sends_a_value_over_plain_http_unless_allowed() {
    let (url, seen) = endpoint(200, 1);
    let (mut home, old) = home_using(&url, false);
    let error = rotate_with_check(&mut home).unwrap_err().to_string();
    assert!(error.contains("not sent over plain HTTP"), "{error}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "no request may carry the value"
    );
    assert_eq!(home.value("service-token"), old);
}
