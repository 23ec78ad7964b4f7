//! History and regressions through the service (real keychain), and the CLI contract.

use super::*;

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
        .credentials()
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
        .credentials()
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
        keyward.posture().probe_due(start, day).unwrap(),
        vec!["payments".to_string()],
        "never probed means due"
    );

    let first = keyward
        .posture()
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
        keyward.posture().probe_due(start, day).unwrap().is_empty(),
        "just probed"
    );

    hsts.store(false, Ordering::SeqCst);
    clock.set(start + day);
    assert_eq!(
        keyward.posture().probe_due(start + day, day).unwrap(),
        vec!["payments".to_string()]
    );
    let second = keyward
        .posture()
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

    let history = keyward.posture().probe_history("payments", 10).unwrap();
    assert_eq!(history.len(), 4);
    assert!(
        history[0].report.probed_at > history[3].report.probed_at,
        "newest first"
    );
    assert_eq!(keyward.posture().probe_regressions(start).unwrap().len(), 1);
    let audit = keyward.review().audit_entries().unwrap();
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
