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

    let dashboard = Keyward::open(&home.path()).unwrap().dashboard().unwrap();
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
    let dashboard = Keyward::open(&home.path()).unwrap().dashboard().unwrap();
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
