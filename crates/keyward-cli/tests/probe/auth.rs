//! Authentication, rule 4, rate limiting, JWT and OIDC.

use super::*;

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

#[test]
fn the_users_own_expired_token_shows_whether_expiry_is_enforced() {
    let ca = TestCa::new("Keyward Test Root");
    let ignores_exp = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if bearer_jwt_ok(seen, STRONG_SECRET, JwtCheck::Sloppy) {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let enforces_exp = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if bearer_jwt_ok(seen, STRONG_SECRET, JwtCheck::Strict) {
                Reply::hardened(200)
            } else {
                Reply::hardened(401)
            }
        }),
    );
    let expired = jwt(STRONG_SECRET, Some(-3600));
    let targets = vec![
        with_credential(
            &ignores_exp.url("localhost", "/"),
            AuthMethod::Bearer,
            CredentialKind::Token,
            &expired,
        ),
        with_credential(
            &enforces_exp.url("localhost", "/"),
            AuthMethod::Bearer,
            CredentialKind::Token,
            &expired,
        ),
    ];
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    assert_has(&reports[0], ids::JWT_EXPIRY_NOT_ENFORCED);
    assert_lacks(&reports[1], ids::JWT_EXPIRY_NOT_ENFORCED);
    assert_has(&reports[1], ids::CREDENTIAL_REJECTED);
}
