//! The sound endpoint: the "must not" for nearly every finding id.

use super::*;

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
