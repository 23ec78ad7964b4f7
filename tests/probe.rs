//! Probe tests against real servers on 127.0.0.1. Each finding id of DESIGN.md has a
//! test that produces it and one that must not (the sound endpoint, which must come out
//! clean, is the "must not" for most). The one id that cannot be produced here is
//! `tls.protocol.sslv3`: Debian's openssl is built without SSLv3.

mod probe_support;

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

// ------------------------------------------------------------------ the sound endpoint

#[test]
fn a_sound_endpoint_gets_a_plus_and_no_finding() {
    let ca = TestCa::new("Keyward Test Root");
    let mut spec = TlsSpec::new(&ca.localhost());
    spec.ocsp = Some(b"stapled-ocsp-response".to_vec());
    let server = https_server(
        spec,
        handler(|seen| {
            if seen.path == "/.well-known/openid-configuration" {
                let issuer = format!(
                    "https://localhost:{}/",
                    seen.header("host")
                        .and_then(|host| host.rsplit(':').next())
                        .unwrap_or("443")
                );
                return Reply::hardened(200)
                    .header("content-type", "application/json")
                    .body(&good_discovery(&issuer));
            }
            if seen.path == "/api" && bearer_jwt_ok(seen, STRONG_SECRET, JwtCheck::Strict) {
                Reply::hardened(200).body("{\"ok\":true}")
            } else {
                Reply::hardened(401).body("unauthorized")
            }
        }),
    );
    let port = server.port;
    let redirect = http_server(handler(move |seen| {
        Reply::new(301).header(
            "location",
            &format!("https://localhost:{port}{}", seen.path),
        )
    }));

    let token = jwt(STRONG_SECRET, Some(3600));
    let mut sound = with_credential(
        &server.url("localhost", "/api"),
        AuthMethod::Bearer,
        CredentialKind::Token,
        &token,
    );
    sound.issuer = Some(server.url("localhost", "/"));
    let mut probe_options = options(Some(&ca.cert_pem));
    probe_options.plaintext_port = Some(redirect.port);
    probe_options.rate_limit = Some(RateLimitCheck {
        requests: 5,
        per_second: 100,
    });
    let report = probe_one(probe_options, sound);

    assert_eq!(report.error, None);
    assert!(
        report.findings.is_empty(),
        "a sound endpoint must come out clean: {:#?}",
        report.findings
    );
    assert_eq!(report.grade, Some(Grade::APlus));
    for id in keyward::probe::finding::catalogue()
        .iter()
        .map(|kind| kind.id)
    {
        assert_lacks(&report, id);
    }
    let tls = report.tls.as_ref().unwrap();
    let accepted: Vec<Protocol> = tls
        .protocols
        .iter()
        .filter(|protocol| protocol.accepted)
        .map(|protocol| protocol.protocol)
        .collect();
    assert_eq!(accepted, vec![Protocol::Tls12, Protocol::Tls13]);
    assert!(tls.ocsp_stapled && tls.certificate.as_ref().unwrap().trusted);
    let auth = report.http.as_ref().unwrap().auth.as_ref().unwrap();
    assert_eq!(
        (
            auth.without_credential,
            auth.wrong_credential,
            auth.stored_credential,
            auth.alg_none_token
        ),
        (Some(401), Some(401), Some(200), Some(401))
    );
    let serialized = serde_json::to_string(&report).unwrap();
    assert!(
        !serialized.contains(&token),
        "a report must never carry the credential"
    );
}

// ------------------------------------------------------------------ certificates

#[test]
fn each_certificate_problem_is_named_and_only_it() {
    let ca = TestCa::new("Keyward Test Root");
    let stranger = TestCa::new("Some Other Root");
    let cases: Vec<(&str, Issued)> = vec![
        (
            ids::CERT_EXPIRED,
            ca.server(&["localhost"], days(-60), days(-1)),
        ),
        (
            ids::CERT_NOT_YET_VALID,
            ca.server(&["localhost"], days(2), days(300)),
        ),
        (
            ids::CERT_EXPIRING,
            ca.server(&["localhost"], days(-60), days(10)),
        ),
        (
            ids::CERT_HOSTNAME_MISMATCH,
            ca.server(&["other.test"], days(-1), days(300)),
        ),
        (ids::CERT_UNTRUSTED, stranger.localhost()),
        (ids::CERT_SELF_SIGNED, self_signed_localhost()),
    ];
    let servers: Vec<Server> = cases
        .iter()
        .map(|(_, issued)| https_server(TlsSpec::new(issued), handler(|_| Reply::hardened(200))))
        .collect();
    let targets = servers
        .iter()
        .map(|server| target(&server.url("localhost", "/")))
        .collect();
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    let certificate_ids = [
        ids::CERT_EXPIRED,
        ids::CERT_NOT_YET_VALID,
        ids::CERT_EXPIRING,
        ids::CERT_HOSTNAME_MISMATCH,
        ids::CERT_UNTRUSTED,
        ids::CERT_SELF_SIGNED,
    ];
    for ((expected, _), report) in cases.iter().zip(&reports) {
        assert_has(report, expected);
        // A self-signed certificate is also untrusted; every other case is only itself.
        for other in certificate_ids.iter().filter(|id| *id != expected) {
            if !(*expected == ids::CERT_SELF_SIGNED && *other == ids::CERT_UNTRUSTED) {
                assert_lacks(report, other);
            }
        }
    }
    assert_eq!(
        reports[0].grade,
        Some(Grade::F),
        "an expired certificate fails the endpoint"
    );
    assert_eq!(
        reports[2].grade,
        Some(Grade::A),
        "an expiring certificate only costs the plus"
    );
}

#[test]
fn a_missing_intermediate_is_told_apart_from_an_untrusted_chain() {
    let root = TestCa::new("Keyward Test Root");
    let intermediate = root.intermediate("Keyward Test Intermediate");
    let leaf = intermediate.localhost();
    let leaf_only = https_server(TlsSpec::new(&leaf), handler(|_| Reply::hardened(200)));
    let full_chain = Issued {
        cert_pem: format!("{}{}", leaf.cert_pem, intermediate.cert_pem),
        key_pem: leaf.key_pem.clone(),
    };
    let complete = https_server(TlsSpec::new(&full_chain), handler(|_| Reply::hardened(200)));
    let ca_file = format!("{}{}", root.cert_pem, intermediate.cert_pem);
    let reports = probe_all(
        options(Some(&ca_file)),
        vec![
            target(&leaf_only.url("localhost", "/")),
            target(&complete.url("localhost", "/")),
        ],
    );
    assert_has(&reports[0], ids::CERT_INCOMPLETE_CHAIN);
    assert_lacks(&reports[0], ids::CERT_UNTRUSTED);
    assert_lacks(&reports[1], ids::CERT_INCOMPLETE_CHAIN);
    assert_lacks(&reports[1], ids::CERT_UNTRUSTED);
}

#[test]
fn rsa_1024_and_sha1_certificates_are_weak() {
    let dir = tempfile::tempdir().unwrap();
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-sha1",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ],
        dir.path(),
    );
    let cert = std::fs::read_to_string(dir.path().join("cert.pem")).unwrap();
    let key = std::fs::read_to_string(dir.path().join("key.pem")).unwrap();
    let server = OpenSslServer::start(&cert, &key, &["-cipher", "DEFAULT:@SECLEVEL=0"]);
    let report = probe_one(options(None), target(&server.url()));
    assert_has(&report, ids::CERT_WEAK_KEY);
    assert_has(&report, ids::CERT_WEAK_SIGNATURE);
    let evidence = &report
        .findings
        .iter()
        .find(|finding| finding.id == ids::CERT_WEAK_KEY)
        .unwrap()
        .evidence;
    assert_eq!(evidence, "RSA 1024");
}

// ------------------------------------------------------------------ protocols and suites

fn rsa_2048_localhost(dir: &std::path::Path) -> (String, String) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ],
        dir,
    );
    (
        std::fs::read_to_string(dir.join("cert.pem")).unwrap(),
        std::fs::read_to_string(dir.join("key.pem")).unwrap(),
    )
}

#[test]
fn tls_1_0_and_1_1_are_found_by_our_own_hellos() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    let tls10 = OpenSslServer::start(&cert, &key, &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let tls11 = OpenSslServer::start(&cert, &key, &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let reports = probe_all(
        options(None),
        vec![target(&tls10.url()), target(&tls11.url())],
    );
    assert_has(&reports[0], ids::PROTOCOL_TLS10);
    assert_lacks(&reports[0], ids::PROTOCOL_TLS11);
    assert_has(&reports[1], ids::PROTOCOL_TLS11);
    assert_lacks(&reports[1], ids::PROTOCOL_TLS10);
    for report in &reports {
        assert_has(report, ids::NO_TLS13);
        assert_lacks(report, ids::PROTOCOL_SSLV3);
        assert!(
            report.grade.unwrap() >= Grade::B,
            "a legacy protocol caps the grade at B"
        );
    }
}

#[test]
fn weak_suites_static_rsa_and_missing_aead_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    let weak = OpenSslServer::start(
        &cert,
        &key,
        &[
            "-no_tls1_3",
            "-cipher",
            "ADH-AES128-SHA:NULL-SHA256:AES128-SHA:@SECLEVEL=0",
        ],
    );
    let strong = OpenSslServer::start(
        &cert,
        &key,
        &["-no_tls1_3", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
    );
    let reports = probe_all(
        options(None),
        vec![target(&weak.url()), target(&strong.url())],
    );
    let weak_report = &reports[0];
    assert_has(weak_report, ids::CIPHER_WEAK);
    assert_has(weak_report, ids::CIPHER_NO_FORWARD_SECRECY);
    assert_has(weak_report, ids::CIPHER_NO_AEAD);
    let evidence = &weak_report
        .findings
        .iter()
        .find(|finding| finding.id == ids::CIPHER_WEAK)
        .unwrap()
        .evidence;
    assert!(
        evidence.contains("(anon)") && evidence.contains("(NULL)"),
        "{evidence}"
    );
    let suites = &weak_report
        .tls
        .as_ref()
        .unwrap()
        .protocols
        .iter()
        .find(|protocol| protocol.protocol == Protocol::Tls12)
        .unwrap()
        .cipher_suites;
    assert_eq!(
        suites.len(),
        3,
        "enumeration finds exactly the configured suites: {suites:?}"
    );
    let strong_report = &reports[1];
    for id in [
        ids::CIPHER_WEAK,
        ids::CIPHER_NO_FORWARD_SECRECY,
        ids::CIPHER_NO_AEAD,
    ] {
        assert_lacks(strong_report, id);
    }
    assert_has(strong_report, ids::NO_TLS13);
}

#[test]
fn small_dh_groups_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    openssl(&["dhparam", "-out", "dh1024.pem", "1024"], dir.path());
    let dh1024 = dir.path().join("dh1024.pem");
    let small = OpenSslServer::start(
        &cert,
        &key,
        &[
            "-no_tls1_3",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-dhparam",
            dh1024.to_str().unwrap(),
        ],
    );
    let automatic = OpenSslServer::start(
        &cert,
        &key,
        &["-no_tls1_3", "-cipher", "DHE-RSA-AES128-GCM-SHA256"],
    );
    let reports = probe_all(
        options(None),
        vec![target(&small.url()), target(&automatic.url())],
    );
    assert_has(&reports[0], ids::KEX_WEAK_DH);
    assert_eq!(reports[0].tls.as_ref().unwrap().dh_prime_bits, Some(1024));
    assert_lacks(&reports[1], ids::KEX_WEAK_DH);
    assert!(reports[1].tls.as_ref().unwrap().dh_prime_bits.unwrap() >= 2048);
}

// ------------------------------------------------------------------ stapling and client certificates

#[test]
fn missing_stapling_and_client_certificate_requests_are_informational() {
    let ca = TestCa::new("Keyward Test Root");
    let plain = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let mut mtls_spec = TlsSpec::new(&ca.localhost());
    mtls_spec.client_auth = Some((ca.cert_pem.clone(), true));
    mtls_spec.ocsp = Some(b"ocsp".to_vec());
    let mtls = https_server(mtls_spec, handler(|_| Reply::hardened(200)));
    let reports = probe_all(
        options(Some(&ca.cert_pem)),
        vec![
            target(&plain.url("localhost", "/")),
            target(&mtls.url("localhost", "/")),
        ],
    );
    assert_has(&reports[0], ids::OCSP_NO_STAPLING);
    assert_lacks(&reports[0], ids::CLIENT_CERT_REQUIRED);
    assert_has(&reports[1], ids::CLIENT_CERT_REQUIRED);
    assert_lacks(&reports[1], ids::OCSP_NO_STAPLING);
    assert_eq!(
        reports[1].tls.as_ref().unwrap().client_certificate,
        keyward::probe::tls::ClientCertificatePolicy::Required
    );
}

#[test]
fn mtls_is_checked_with_the_stored_client_certificate() {
    let ca = TestCa::new("Keyward Test Root");
    let client = ca.client("ci-robot");
    let mut required = TlsSpec::new(&ca.localhost());
    required.client_auth = Some((ca.cert_pem.clone(), true));
    let enforced = https_server(required, handler(|_| Reply::hardened(200)));
    let mut optional = TlsSpec::new(&ca.localhost());
    optional.client_auth = Some((ca.cert_pem.clone(), false));
    let lax = https_server(optional, handler(|_| Reply::hardened(200)));
    let targets = vec![
        with_credential(
            &enforced.url("localhost", "/"),
            AuthMethod::Mtls,
            CredentialKind::ClientCert,
            &client.bundle(),
        ),
        with_credential(
            &lax.url("localhost", "/"),
            AuthMethod::Mtls,
            CredentialKind::ClientCert,
            &client.bundle(),
        ),
    ];
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    assert_lacks(&reports[0], ids::MTLS_NOT_ENFORCED);
    assert_lacks(&reports[0], ids::CREDENTIAL_REJECTED);
    assert_eq!(
        reports[0]
            .http
            .as_ref()
            .unwrap()
            .auth
            .as_ref()
            .unwrap()
            .stored_credential,
        Some(200),
        "the stored certificate is accepted"
    );
    assert_has(&reports[1], ids::MTLS_NOT_ENFORCED);
    assert_eq!(reports[1].grade, Some(Grade::F));
}

// ------------------------------------------------------------------ HTTP headers

#[test]
fn leaky_headers_cors_and_error_pages_are_found() {
    let ca = TestCa::new("Keyward Test Root");
    let leaky = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if seen.path.starts_with("/.keyward-probe") {
                return Reply::new(500)
                    .body("Traceback (most recent call last):\n  File \"app.py\", line 3");
            }
            let mut reply = Reply::new(200)
                .header("server", "nginx/1.18.0")
                .header("x-powered-by", "PHP/7.4.3");
            if let Some(origin) = seen.header("origin") {
                reply = reply
                    .header("access-control-allow-origin", origin)
                    .header("access-control-allow-credentials", "true");
            }
            reply
        }),
    );
    let short = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| {
            Reply::new(200)
                .header("strict-transport-security", "max-age=3600")
                .header("x-content-type-options", "nosniff")
        }),
    );
    let reports = probe_all(
        options(Some(&ca.cert_pem)),
        vec![
            target(&leaky.url("localhost", "/")),
            target(&short.url("localhost", "/")),
        ],
    );
    for id in [
        ids::HSTS_MISSING,
        ids::SERVER_VERSION,
        ids::NOSNIFF_MISSING,
        ids::CORS_CREDENTIALED_WILDCARD,
        ids::CORS_NULL_ORIGIN,
        ids::STACK_TRACE,
    ] {
        assert_has(&reports[0], id);
        assert_lacks(&reports[1], id);
    }
    assert_lacks(&reports[0], ids::HSTS_SHORT);
    assert_has(&reports[1], ids::HSTS_SHORT);
}

#[test]
fn plain_http_exposure_is_found() {
    let ca = TestCa::new("Keyward Test Root");
    let secure = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let serving = http_server(handler(|_| Reply::new(200).body("hello over plaintext")));
    let elsewhere = http_server(handler(|_| {
        Reply::new(302).header("location", "http://login.example/")
    }));
    let probe_with = |plain_port: u16| {
        let mut probe_options = options(Some(&ca.cert_pem));
        probe_options.plaintext_port = Some(plain_port);
        probe_one(probe_options, target(&secure.url("localhost", "/")))
    };
    let served = probe_with(serving.port);
    assert_has(&served, ids::PLAINTEXT_AVAILABLE);
    assert_has(&served, ids::NO_HTTPS_REDIRECT);
    let redirected = probe_with(elsewhere.port);
    assert_lacks(&redirected, ids::PLAINTEXT_AVAILABLE);
    assert_has(&redirected, ids::NO_HTTPS_REDIRECT);
    // A plain-HTTP target is itself plaintext exposure.
    let direct = probe_one(options(None), target(&serving.plain_url("/")));
    assert_has(&direct, ids::PLAINTEXT_AVAILABLE);
    assert!(direct.tls.is_none());
}

// ------------------------------------------------------------------ authentication

#[test]
fn authentication_that_does_not_hold_is_reported() {
    let ca = TestCa::new("Keyward Test Root");
    let key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    let open = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let any_key = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if seen.header("x-api-key").is_some() {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let other_key = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if seen.header("x-api-key") == Some("sk_live_rotated") {
                Reply::hardened(200)
            } else {
                Reply::hardened(403)
            }
        }),
    );
    let cacheable = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(move |seen| {
            if seen.header("x-api-key") == Some(key) {
                Reply::new(200)
                    .header("strict-transport-security", "max-age=31536000")
                    .header("x-content-type-options", "nosniff")
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let method = AuthMethod::Header("X-Api-Key".into());
    let targets = [&open, &any_key, &other_key, &cacheable]
        .iter()
        .map(|server| {
            with_credential(
                &server.url("localhost", "/"),
                method.clone(),
                CredentialKind::ApiKey,
                key,
            )
        })
        .collect();
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    assert_has(&reports[0], ids::UNAUTHENTICATED_ACCESS);
    assert_has(&reports[1], ids::ACCEPTS_INVALID_CREDENTIAL);
    assert_lacks(&reports[1], ids::UNAUTHENTICATED_ACCESS);
    assert_has(&reports[2], ids::CREDENTIAL_REJECTED);
    assert_lacks(&reports[2], ids::ACCEPTS_INVALID_CREDENTIAL);
    assert_has(&reports[3], ids::SENSITIVE_CACHEABLE);
    for id in [
        ids::UNAUTHENTICATED_ACCESS,
        ids::ACCEPTS_INVALID_CREDENTIAL,
        ids::CREDENTIAL_REJECTED,
    ] {
        assert_lacks(&reports[3], id);
    }
    let wrong_keys: Vec<String> = any_key
        .requests()
        .iter()
        .filter_map(|seen| seen.header("x-api-key").map(str::to_owned))
        .filter(|sent| sent != key)
        .collect();
    assert!(
        wrong_keys
            .iter()
            .all(|sent| sent.len() == key.len() && sent.starts_with("sk_live_")),
        "the wrong key has the stored one's shape: {wrong_keys:?}"
    );
}

#[test]
fn query_credentials_and_basic_over_http_are_findings_and_rule_4_holds() {
    let ca = TestCa::new("Keyward Test Root");
    let query_api = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if seen
                .query
                .as_deref()
                .is_some_and(|query| query.contains("key=k3y-value-123"))
            {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let basic_https = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if seen
                .header("authorization")
                .is_some_and(|value| value.starts_with("Basic "))
            {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let basic_plain = http_server(handler(|_| Reply::new(401)));
    let mut plain_target = target(&basic_plain.plain_url("/"));
    plain_target.auth = AuthMethod::Basic;
    let stored = credential("basic", CredentialKind::Basic, &["127.0.0.1"], false);
    let refusal = CredentialUse::authorize(
        &stored,
        AuthMethod::Basic,
        SecretValue::from_string("alice:pw".into()),
        &plain_target.url,
    )
    .unwrap_err();
    assert!(refusal.to_string().contains("plain HTTP"), "{refusal}");

    let targets = vec![
        with_credential(
            &query_api.url("localhost", "/"),
            AuthMethod::Query("key".into()),
            CredentialKind::ApiKey,
            "k3y-value-123",
        ),
        with_credential(
            &basic_https.url("localhost", "/"),
            AuthMethod::Basic,
            CredentialKind::Basic,
            "alice:correct-horse",
        ),
        plain_target,
    ];
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    assert_has(&reports[0], ids::CREDENTIAL_IN_QUERY);
    assert_lacks(&reports[1], ids::CREDENTIAL_IN_QUERY);
    assert_lacks(&reports[1], ids::BASIC_OVER_HTTP);
    assert_has(&reports[2], ids::BASIC_OVER_HTTP);
    assert!(
        basic_plain
            .requests()
            .iter()
            .all(|seen| seen.header("authorization").is_none()),
        "no credential may travel over plain HTTP"
    );
    assert!(
        reports[0]
            .findings
            .iter()
            .all(|finding| !finding.evidence.contains("k3y-value-123")),
        "evidence must not carry the key"
    );
}

#[test]
fn a_credential_never_follows_a_redirect_to_another_host() {
    let ca = TestCa::new("Keyward Test Root");
    let elsewhere = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let elsewhere_url = elsewhere.url("127.0.0.1", "/collect");
    let redirecting = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(move |_| Reply::hardened(302).header("location", &elsewhere_url)),
    );
    let probe_target = with_credential(
        &redirecting.url("localhost", "/"),
        AuthMethod::Bearer,
        CredentialKind::Token,
        "tok_0123456789abcdef",
    );
    let report = probe_one(options(Some(&ca.cert_pem)), probe_target);
    assert!(report.error.is_none());
    assert!(
        redirecting
            .requests()
            .iter()
            .any(|seen| seen.header("authorization").is_some()),
        "the allowed host gets the credential"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "a redirect must not carry the credential to another host"
    );
    let stored = credential("api", CredentialKind::Token, &["localhost"], false);
    let refusal = CredentialUse::authorize(
        &stored,
        AuthMethod::Bearer,
        SecretValue::from_string("t".into()),
        &elsewhere.url("127.0.0.1", "/").parse().unwrap(),
    );
    assert!(
        refusal.is_err(),
        "a host outside the allowed list is refused at the gate"
    );
}

#[test]
fn the_rate_limit_burst_is_opt_in() {
    let ca = TestCa::new("Keyward Test Root");
    let unlimited = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::new(200).header("strict-transport-security", "max-age=31536000")),
    );
    let default_report = probe_one(
        options(Some(&ca.cert_pem)),
        target(&unlimited.url("localhost", "/")),
    );
    assert_lacks(&default_report, ids::NO_RATE_LIMIT);
    let quiet = unlimited.requests().len();
    assert!(
        quiet < 10,
        "without the opt-in no burst is sent ({quiet} requests)"
    );
    let mut burst = options(Some(&ca.cert_pem));
    burst.rate_limit = Some(RateLimitCheck {
        requests: 20,
        per_second: 500,
    });
    let report = probe_one(burst, target(&unlimited.url("localhost", "/")));
    assert_has(&report, ids::NO_RATE_LIMIT);
    assert_eq!(report.http.unwrap().rate_limit.unwrap().requests, 20);
}

// ------------------------------------------------------------------ JWT and OIDC

#[test]
fn jwt_weaknesses_are_found_against_the_users_own_endpoint() {
    let ca = TestCa::new("Keyward Test Root");
    let sloppy = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if bearer_jwt_ok(seen, "secret", JwtCheck::Sloppy) {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let strict = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if bearer_jwt_ok(seen, STRONG_SECRET, JwtCheck::Strict) {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let targets = vec![
        with_credential(
            &sloppy.url("localhost", "/"),
            AuthMethod::Bearer,
            CredentialKind::Token,
            &jwt("secret", Some(30 * 86_400)),
        ),
        with_credential(
            &strict.url("localhost", "/"),
            AuthMethod::Bearer,
            CredentialKind::Token,
            &jwt(STRONG_SECRET, None),
        ),
    ];
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    for id in [
        ids::JWT_WEAK_HMAC_SECRET,
        ids::JWT_LONG_LIFETIME,
        ids::JWT_ALG_NONE_ACCEPTED,
        ids::JWT_EXPIRY_NOT_ENFORCED,
    ] {
        assert_has(&reports[0], id);
        assert_lacks(&reports[1], id);
    }
    assert_lacks(&reports[0], ids::JWT_NO_EXPIRY);
    assert_has(&reports[1], ids::JWT_NO_EXPIRY);
}

#[test]
fn oidc_discovery_weaknesses_are_found() {
    let ca = TestCa::new("Keyward Test Root");
    let provider = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| {
            Reply::hardened(200).body(
                &serde_json::json!({
                    "issuer": "https://localhost/",
                    "authorization_endpoint": "http://localhost/authorize",
                    "response_types_supported": ["code", "token"],
                    "grant_types_supported": ["authorization_code", "implicit", "password"],
                    "code_challenge_methods_supported": ["plain"],
                    "id_token_signing_alg_values_supported": ["RS256", "none"],
                })
                .to_string(),
            )
        }),
    );
    let mut probe_target = target(&provider.url("localhost", "/api"));
    probe_target.issuer = Some(provider.url("localhost", "/"));
    let report = probe_one(options(Some(&ca.cert_pem)), probe_target);
    for id in [
        ids::OIDC_NO_PKCE_S256,
        ids::OIDC_IMPLICIT_GRANT,
        ids::OIDC_PASSWORD_GRANT,
        ids::OIDC_INSECURE_ENDPOINT,
        ids::OIDC_ALG_NONE,
    ] {
        assert_has(&report, id);
    }
}

// ------------------------------------------------------------------ misbehaving servers

fn garbage(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let _ = stream.write_all(b"\x00\xffthis is not TLS at all\r\n");
}

fn half_record_then_close(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let _ = stream.write_all(&[22, 3, 3, 0x40, 0x00, 2, 0, 0]);
}

fn half_record_then_hold(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let _ = stream.write_all(&[22, 3, 3, 0x40, 0x00, 2, 0, 0]);
    std::thread::sleep(Duration::from_secs(8));
}

fn slowloris(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let record = [22u8, 3, 3, 0x10, 0x00];
    for byte in record.iter().chain(std::iter::repeat_n(&0u8, 40)) {
        if stream.write_all(&[*byte]).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn ten_megabytes_of_junk(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let chunk: Vec<u8> = (0..65_536u32)
        .map(|index| (index * 7919 % 251) as u8)
        .collect();
    for _ in 0..160 {
        if stream.write_all(&chunk).is_err() {
            return;
        }
    }
}

fn endless_flight(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    // A plausible ServerHello, then handshake records that never finish the flight.
    let mut hello = vec![2, 0, 0, 38, 3, 3];
    hello.extend_from_slice(&[7; 32]);
    hello.extend_from_slice(&[0, 0xC0, 0x2F, 0]);
    let mut first = vec![22, 3, 3, 0, hello.len() as u8];
    first.extend_from_slice(&hello);
    if stream.write_all(&first).is_err() {
        return;
    }
    let mut filler = vec![22, 3, 3, 0x40, 0x00, 99, 0, 0x3F, 0xFC];
    filler.resize(5 + 0x4000, 0xAB);
    for _ in 0..640 {
        if stream.write_all(&filler).is_err() {
            return;
        }
    }
}

#[test]
fn misbehaving_servers_end_in_a_clear_per_target_error_and_others_continue() {
    let ca = TestCa::new("Keyward Test Root");
    let good = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let plain = http_server(handler(|_| Reply::new(200)));
    let bad = [
        ("closed port", closed_port()),
        ("garbage", raw_server(garbage)),
        (
            "half record, then close",
            raw_server(half_record_then_close),
        ),
        (
            "half record, then silence",
            raw_server(half_record_then_hold),
        ),
        ("slowloris", raw_server(slowloris)),
        ("10 MB of junk", raw_server(ten_megabytes_of_junk)),
        ("endless handshake flight", raw_server(endless_flight)),
        ("plain HTTP on the TLS URL", plain.port),
    ];
    let mut targets: Vec<ProbeTarget> = bad
        .iter()
        .map(|(_, port)| target(&format!("https://localhost:{port}/")))
        .collect();
    targets.push(target(&good.url("localhost", "/")));
    let mut quick = options(Some(&ca.cert_pem));
    quick.timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(1),
    };
    let reports = probe_all(quick, targets);
    for ((what, _), report) in bad.iter().zip(&reports) {
        let error = report
            .error
            .as_deref()
            .unwrap_or_else(|| panic!("{what}: expected an error, got {:?}", ids_of(report)));
        assert!(
            report.grade.is_none(),
            "{what}: an unprobed target has no grade"
        );
        assert!(!error.is_empty(), "{what}");
    }
    assert!(
        reports[0].error.as_deref().unwrap().contains("connect"),
        "{:?}",
        reports[0].error
    );
    assert!(
        reports[1].error.as_deref().unwrap().contains("not TLS"),
        "{:?}",
        reports[1].error
    );
    assert!(
        reports[7].error.as_deref().unwrap().contains("HTTP"),
        "{:?}",
        reports[7].error
    );
    let last = reports.last().unwrap();
    assert_eq!(last.error, None, "the good target is still probed");
    assert!(last.grade.is_some());
}

// ------------------------------------------------------------------ history through the service (real keychain)

#[test]
fn every_probe_is_kept_and_a_worse_result_is_a_regression() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use keyward::clock::FixedClock;
    use keyward::model::{Environment, NewCredential, NewEndpoint, NewIntegration};

    let ca = TestCa::new("Keyward Test Root");
    let token = "tok_live_a1b2c3d4e5f6a7b8c9d0";
    let hsts = Arc::new(AtomicBool::new(true));
    let server_hsts = hsts.clone();
    let api = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(move |seen| {
            let mut reply = if seen.header("authorization") == Some(&format!("Bearer {token}")) {
                Reply::new(200)
            } else {
                Reply::new(401)
            };
            reply = reply
                .header("x-content-type-options", "nosniff")
                .header("cache-control", "no-store");
            if server_hsts.load(Ordering::SeqCst) {
                reply = reply.header("strict-transport-security", "max-age=31536000");
            }
            reply
        }),
    );
    let plain = http_server(handler(|_| Reply::new(401)));

    let home = tempfile::tempdir().unwrap();
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let mut keyward = keyward::Keyward::init(home.path())
        .unwrap()
        .with_clock(clock.clone());
    keyward
        .add_credential(
            NewCredential {
                name: "api-token".into(),
                kind: Some(CredentialKind::Token),
                allowed_hosts: vec!["localhost".into()],
                ..Default::default()
            },
            SecretValue::from_string(token.into()),
        )
        .unwrap();
    keyward
        .add_integration(NewIntegration {
            name: "payments".into(),
            provider: "acme".into(),
            owner: "platform".into(),
            environment: Environment::Prod,
            tags: Vec::new(),
            notes: None,
            issuer: None,
            endpoints: vec![
                NewEndpoint {
                    url: api.url("localhost", "/api"),
                    auth: AuthMethod::Bearer,
                    credential: Some("api-token".into()),
                },
                NewEndpoint {
                    url: plain.plain_url("/api"),
                    auth: AuthMethod::Bearer,
                    credential: Some("api-token".into()),
                },
            ],
        })
        .unwrap();
    let probe_options = || options(Some(&ca.cert_pem));
    let day = chrono::Duration::hours(24);
    assert_eq!(
        keyward.probe_due(start, day).unwrap(),
        vec!["payments".to_string()],
        "never probed means due"
    );

    let first = keyward
        .probe_integration("payments", probe_options())
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(
        first.iter().all(|outcome| outcome.regression.is_none()),
        "a first result has nothing to regress from"
    );
    assert_eq!(
        first[0]
            .report
            .http
            .as_ref()
            .unwrap()
            .auth
            .as_ref()
            .unwrap()
            .stored_credential,
        Some(200)
    );
    assert!(
        first[1]
            .report
            .notes
            .iter()
            .any(|note| note.contains("withheld")),
        "{:?}",
        first[1].report.notes
    );
    assert!(
        plain
            .requests()
            .iter()
            .all(|seen| seen.header("authorization").is_none()),
        "rule 4: never over plain HTTP"
    );
    assert!(
        keyward.probe_due(start, day).unwrap().is_empty(),
        "just probed"
    );

    hsts.store(false, Ordering::SeqCst);
    clock.set(start + day);
    assert_eq!(
        keyward.probe_due(start + day, day).unwrap(),
        vec!["payments".to_string()]
    );
    let second = keyward
        .probe_integration("payments", probe_options())
        .unwrap();
    let regression = second[0]
        .regression
        .as_ref()
        .expect("losing HSTS is a regression");
    assert!(
        regression
            .new_findings
            .iter()
            .any(|finding| finding.id == ids::HSTS_MISSING)
    );
    assert!(
        regression.grade > regression.previous_grade,
        "the grade went down: {regression:?}"
    );

    let history = keyward.probe_history("payments", 10).unwrap();
    assert_eq!(history.len(), 4);
    assert!(
        history[0].report.probed_at > history[3].report.probed_at,
        "newest first"
    );
    assert_eq!(keyward.probe_regressions(start).unwrap().len(), 1);
    let audit = keyward.audit_entries().unwrap();
    assert_eq!(
        audit.iter().filter(|entry| entry.action == "probe").count(),
        4,
        "every probed target is audited"
    );
    assert!(
        audit
            .iter()
            .any(|entry| entry.action == "credential.use" && entry.subject == "api-token")
    );
    assert!(
        audit.iter().all(|entry| !entry.detail.contains(token)),
        "no secret in the audit trail"
    );
}

// ------------------------------------------------------------------ the CLI contract

#[test]
fn keyward_probe_json_follows_the_contract_and_exits_1_on_findings() {
    let ca = TestCa::new("Keyward Test Root");
    let expiring = https_server(
        TlsSpec::new(&ca.server(&["localhost"], days(-60), days(10))),
        handler(|_| Reply::hardened(200)),
    );
    let low_only = https_server(TlsSpec::new(&ca.localhost()), handler(|_| Reply::new(200)));
    let home = tempfile::tempdir().unwrap();
    let ca_file = home.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.cert_pem).unwrap();
    assert_cmd::Command::cargo_bin("keyward")
        .unwrap()
        .arg("--home")
        .arg(home.path())
        .arg("init")
        .assert()
        .success();
    let output = assert_cmd::Command::cargo_bin("keyward")
        .unwrap()
        .arg("--home")
        .arg(home.path())
        .args(["probe", &expiring.url("localhost", "/"), "--json", "--ca"])
        .arg(&ca_file)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "an expiring certificate is a medium finding: {output:?}"
    );
    let reports: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    let report = &reports[0];
    for key in ["target", "grade", "tls", "http", "findings"] {
        assert!(
            report.get(key).is_some(),
            "`{key}` is part of the probe contract"
        );
    }
    let finding = &report["findings"][0];
    for key in ["id", "severity", "message", "evidence"] {
        assert!(finding.get(key).is_some(), "findings carry `{key}`");
    }

    assert_cmd::Command::cargo_bin("keyward")
        .unwrap()
        .arg("--home")
        .arg(home.path())
        .args(["probe", &low_only.url("localhost", "/"), "--ca"])
        .arg(&ca_file)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("http.hsts.missing"));

    let unreadable = assert_cmd::Command::cargo_bin("keyward")
        .unwrap()
        .arg("--home")
        .arg(home.path())
        .args(["probe", "https://localhost/", "--ca", "/nonexistent/ca.pem"])
        .output()
        .unwrap();
    assert_eq!(
        unreadable.status.code(),
        Some(2),
        "a bad --ca is an input error"
    );
    assert!(String::from_utf8_lossy(&unreadable.stderr).contains("--ca"));
}
