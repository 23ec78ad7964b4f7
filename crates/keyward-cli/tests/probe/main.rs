//! Probe tests against real servers on 127.0.0.1. Each finding id of DESIGN.md has a
//! test that produces it and one that must not (the sound endpoint, which must come out
//! clean, is the "must not" for most). The one id that cannot be produced here is
//! `tls.protocol.sslv3`: Debian's openssl is built without SSLv3.

use keyward_testsupport::tls_servers as probe_support;

mod auth;
mod certificates;
mod http;
mod posture;
mod robustness;
mod service;
mod sound;
mod tls;

use std::net::TcpStream;
use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use keyward::model::{AuthMethod, Credential, CredentialKind, SecretValue, StorageKind};
use keyward::probe::finding::ids;
use keyward::probe::tls::Protocol;
use keyward::probe::{
    CredentialUse, Grade, ProbeOptions, ProbeReport, ProbeTarget, Prober, RateLimitCheck, Timeouts,
};
use probe_support::*;

const STRONG_SECRET: &str = "7d1f0c9b4e2a8f63d5c7b1e09a4f2c6d";

fn options(ca_pem: Option<&str>) -> ProbeOptions {
    ProbeOptions {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(2),
        },
        custom_ca_pem: ca_pem.map(|pem| pem.as_bytes().to_vec()),
        ..ProbeOptions::default()
    }
}

fn probe_all(options: ProbeOptions, targets: Vec<ProbeTarget>) -> Vec<ProbeReport> {
    Prober::new(options)
        .expect("options are valid")
        .probe_blocking(targets, |_| {})
}

fn probe_one(options: ProbeOptions, target: ProbeTarget) -> ProbeReport {
    probe_all(options, vec![target]).remove(0)
}

fn target(url: &str) -> ProbeTarget {
    ProbeTarget::new(url.parse().expect("test URL parses"))
}

fn ids_of(report: &ProbeReport) -> Vec<&str> {
    report
        .findings
        .iter()
        .map(|finding| finding.id.as_str())
        .collect()
}

#[track_caller]
fn assert_has(report: &ProbeReport, id: &str) {
    assert!(
        report.has_finding(id),
        "{} should report {id}; got {:?} (error {:?})",
        report.target,
        ids_of(report),
        report.error
    );
}

#[track_caller]
fn assert_lacks(report: &ProbeReport, id: &str) {
    assert!(
        !report.has_finding(id),
        "{} must not report {id}; got {:?}",
        report.target,
        report.findings
    );
}

fn credential(
    name: &str,
    kind: CredentialKind,
    hosts: &[&str],
    allow_insecure: bool,
) -> Credential {
    Credential {
        id: 1,
        name: name.into(),
        kind,
        provider: None,
        integration: None,
        created_at: Utc::now(),
        rotated_at: Utc::now(),
        expires_at: None,
        rotate_every_days: None,
        rotation_method: None,
        allowed_hosts: hosts.iter().map(|host| host.to_string()).collect(),
        allow_insecure,
        token_url: None,
        fingerprint: String::new(),
        value_length: 1,
        storage: StorageKind::Keychain,
        certificate: None,
        notes: None,
    }
}

/// A target carrying `value` as `method`, cleared through the rule-4 gate.
fn with_credential(
    url: &str,
    method: AuthMethod,
    kind: CredentialKind,
    value: &str,
) -> ProbeTarget {
    let mut probe_target = target(url);
    let parsed = probe_target.url.clone();
    let host = parsed.host_str().unwrap();
    let stored = credential("api", kind, &[host], false);
    probe_target.auth = method.clone();
    probe_target.credential = Some(
        CredentialUse::authorize(
            &stored,
            method,
            SecretValue::from_string(value.to_owned()),
            &parsed,
        )
        .expect("the host is allowed"),
    );
    probe_target
}

fn jwt(secret: &str, lifetime: Option<i64>) -> String {
    let now = Utc::now().timestamp();
    let mut claims = serde_json::json!({"sub": "ci", "iat": now});
    if let Some(seconds) = lifetime {
        claims["exp"] = serde_json::json!(now + seconds);
    }
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// How a test API checks bearer JWTs.
#[derive(Clone, Copy)]
enum JwtCheck {
    Strict,
    /// Accepts `alg: none` and ignores `exp`.
    Sloppy,
}

fn bearer_jwt_ok(seen: &Seen, secret: &str, check: JwtCheck) -> bool {
    let Some(token) = seen
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    if let JwtCheck::Sloppy = check {
        validation.validate_exp = false;
        if jsonwebtoken::decode_header(token).is_err() && token.ends_with('.') {
            // Header `alg: none`, which jsonwebtoken refuses to parse: a sloppy server takes it.
            return true;
        }
    }
    jsonwebtoken::decode::<serde_json::Value>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .is_ok()
}

fn good_discovery(issuer: &str) -> String {
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}token"),
        "jwks_uri": format!("{issuer}jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["ES256"],
    })
    .to_string()
}
