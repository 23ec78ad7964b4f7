//! The desktop dashboard: counts and the same warnings `keyward check` lists; leak and
//! posture counts stay unknown until a scan or a probe has run.

use keyward::Keyward;

use crate::common::{TestHome, canary};

#[test]
fn the_dashboard_counts_what_the_policy_warns_about_and_knows_what_it_does_not_know() {
    let home = TestHome::new();
    home.keyward(&[
        "cred",
        "add",
        "old-token",
        "--kind",
        "token",
        "--rotate-every",
        "30d",
        "--value-stdin",
    ])
    .write_stdin(canary("old"))
    .assert()
    .success();
    let past = (chrono::Utc::now() - chrono::Duration::days(45))
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    home.sql(&format!("UPDATE credentials SET rotated_at = '{past}', created_at = '{past}' WHERE name = 'old-token'"));

    let dashboard = Keyward::open(&home.path())
        .unwrap()
        .review()
        .dashboard()
        .unwrap();
    assert_eq!(dashboard.credentials, 1);
    assert_eq!(dashboard.overdue_rotations, 1);
    assert_eq!(dashboard.leaks, None, "no scan has run: unknown, not zero");
    assert_eq!(
        dashboard.failing_posture, None,
        "no probe has run: unknown, not zero"
    );
    let (_, check, _) = home.run(&["check", "--json"], b"");
    let check: serde_json::Value = serde_json::from_str(&check).unwrap();
    let listed: Vec<String> = check["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| warning["id"].as_str().unwrap().to_owned())
        .collect();
    let shown: Vec<String> = dashboard
        .warnings
        .iter()
        .map(|warning| warning.id.clone())
        .collect();
    assert_eq!(
        shown, listed,
        "the app and `keyward check` list the same warnings"
    );
    assert!(
        shown.iter().any(|id| id.starts_with("rotation-overdue")),
        "{shown:?}"
    );

    // A scan that finds the vault value in a working copy makes the leak count known.
    let leaked = canary("leak");
    home.add("leaky", "token", &leaked);
    let work = home.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("settings.py"), format!("TOKEN = \"{leaked}\"\n")).unwrap();
    home.keyward(&["scan"]).arg(&work).assert().code(1);
    let dashboard = Keyward::open(&home.path())
        .unwrap()
        .review()
        .dashboard()
        .unwrap();
    assert_eq!(dashboard.leaks, Some(1), "{:?}", dashboard.warnings);
}

#[test]
fn a_team_review_period_raises_review_warnings_until_a_decision_is_recorded() {
    let home = TestHome::new();
    home.add("ci-token", "token", &canary("review"));
    let ids = |home: &TestHome| -> Vec<String> {
        let (_, check, _) = home.run(&["check", "--json"], b"");
        let check: serde_json::Value = serde_json::from_str(&check).unwrap();
        check["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|warning| warning["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        !ids(&home).iter().any(|id| id.starts_with("review-overdue")),
        "no review policy, no review warnings"
    );
    home.sql("INSERT INTO settings (key, value) VALUES ('review_every_days', '30')");
    let past = (chrono::Utc::now() - chrono::Duration::days(40))
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    home.sql(&format!(
        "UPDATE credentials SET created_at = '{past}' WHERE name = 'ci-token'"
    ));
    assert!(
        ids(&home).contains(&"review-overdue:ci-token".to_owned()),
        "{:?}",
        ids(&home)
    );
    home.keyward(&["review", "decide", "ci-token", "--decision", "keep"])
        .assert()
        .success();
    assert!(
        !ids(&home).iter().any(|id| id.starts_with("review-overdue")),
        "a fresh decision clears it"
    );
}

/// A JWT whose `exp` is `exp` (seconds since the epoch), with a unique signature part.
fn jwt(exp: i64) -> String {
    use base64::Engine;
    let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    format!(
        "{}.{}.{}",
        encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        encode(&format!(r#"{{"sub":"ci","exp":{exp}}}"#)),
        canary("sig")
    )
}

/// How many times the warnings opened token values to read JWT expiries.
fn jwt_reads(home: &TestHome) -> usize {
    let (_, audit, _) = home.run(&["audit", "list", "--json"], b"");
    audit.matches("jwt-expiry").count()
}

#[test]
fn jwt_expiry_is_read_from_the_keychain_once_per_value() {
    let home = TestHome::new();
    let expired = (chrono::Utc::now() - chrono::Duration::hours(3)).timestamp();
    home.keyward(&["cred", "add", "session", "--kind", "token", "--value-stdin"])
        .write_stdin(jwt(expired))
        .assert()
        .success();
    let jwt_warnings = || {
        let dashboard = Keyward::open(&home.path())
            .unwrap()
            .review()
            .dashboard()
            .unwrap();
        dashboard
            .warnings
            .iter()
            .filter(|warning| warning.id.starts_with("jwt-expired"))
            .count()
    };

    assert_eq!(jwt_warnings(), 1);
    assert_eq!(jwt_reads(&home), 1, "the first look reads the value");
    assert_eq!(jwt_warnings(), 1, "the expiry is remembered, not forgotten");
    assert_eq!(
        jwt_reads(&home),
        1,
        "later looks do not open the keychain again"
    );

    // A new value (a new fingerprint) is read again: a fresh token clears the warning.
    let fresh = (chrono::Utc::now() + chrono::Duration::days(30)).timestamp();
    home.keyward(&["cred", "rm", "session"]).assert().success();
    home.keyward(&["cred", "add", "session", "--kind", "token", "--value-stdin"])
        .write_stdin(jwt(fresh))
        .assert()
        .success();
    assert_eq!(jwt_warnings(), 0);
    assert_eq!(jwt_reads(&home), 2);
    let cached: i64 = rusqlite::Connection::open(home.database())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM settings WHERE key LIKE 'jwt-expiry:%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(cached, 1, "the old value's entry is dropped");
}
