//! Team sync against a real PostgreSQL on loopback (scripts/with-postgres.sh starts it,
//! with TLS under a test CA). Each test creates and drops its own database.

use crate::common::postgres::{self, TestDatabase};
use crate::common::{TestHome, canary};

fn sync(home: &TestHome, database: &TestDatabase) -> (i32, String, String) {
    home.run(
        &[
            "sync",
            "--postgres",
            &database.url("require"),
            "--ca",
            &postgres::ca(),
            "--json",
        ],
        b"",
    )
}

/// `sync --show` (pinning the other workstations' keys on first view: here the
/// signatures are on trial, not the pins; security/team_pinning.rs tries those).
fn show(home: &TestHome, database: &TestDatabase) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = home.run(
        &[
            "sync",
            "--postgres",
            &database.url("require"),
            "--ca",
            &postgres::ca(),
            "--show",
            "--trust-new",
            "--json",
        ],
        b"",
    );
    assert!(code == 0 || code == 1, "{stderr}");
    (code, serde_json::from_str(&stdout).unwrap())
}

fn workstation(credentials: usize, label: &str) -> TestHome {
    let home = TestHome::new();
    for index in 0..credentials {
        home.add(&format!("{label}-{index}"), "token", &canary(label));
    }
    home
}

#[test]
fn concurrent_syncs_from_several_workstations_lose_and_duplicate_nothing() {
    let database = TestDatabase::new("test");
    let homes: Vec<TestHome> = (0..4)
        .map(|index| workstation(15, &format!("w{index}")))
        .collect();
    // All four at once, twice over, against a fresh schema: they also race to migrate it.
    for round in 0..2 {
        let children: Vec<_> = homes
            .iter()
            .map(|home| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("keyward"))
                    .env("KEYWARD_HOME", home.path())
                    .args([
                        "sync",
                        "--postgres",
                        &database.url("require"),
                        "--ca",
                        &postgres::ca(),
                    ])
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(
                child.wait().unwrap().success(),
                "round {round}: a concurrent sync failed"
            );
        }
    }
    assert_eq!(
        database.query("SELECT count(*) FROM keyward_rows WHERE kind = 'credential'"),
        "60"
    );
    assert_eq!(
        database.query("SELECT count(*) FROM keyward_workstations"),
        "4"
    );
    assert_eq!(
        database
            .query("SELECT min(sync_count) || ',' || max(sync_count) FROM keyward_workstations"),
        "2,2"
    );
    let (code, view) = show(&homes[0], &database);
    assert_eq!(code, 0);
    let rows = view["credentials"].as_array().unwrap();
    assert_eq!(rows.len(), 60);
    assert!(
        rows.iter().all(|row| row["verified"] == true),
        "every row carries a valid signature"
    );
}

#[test]
fn a_resync_after_local_changes_updates_and_removes_rows() {
    let database = TestDatabase::new("test");
    let home = workstation(3, "local");
    assert_eq!(sync(&home, &database).0, 0);
    home.keyward(&["cred", "rm", "local-1"]).assert().success();
    home.add("local-new", "api-key", &canary("new"));
    let (code, stdout, stderr) = sync(&home, &database);
    assert_eq!(code, 0, "{stderr}");
    let outcome: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(outcome["removed"], 1);
    assert_eq!(
        database.query(
            "SELECT string_agg(name, ',' ORDER BY name) FROM keyward_rows WHERE kind = 'credential'"
        ),
        "local-0,local-2,local-new"
    );
}

#[test]
fn an_edited_row_fails_its_signature_in_the_team_view() {
    let database = TestDatabase::new("test");
    let home = workstation(2, "edit");
    assert_eq!(sync(&home, &database).0, 0);
    let changed = database.query(
        "WITH edited AS (UPDATE keyward_rows SET row_json = replace(row_json, '\"rotation_overdue\":false', '\"rotation_overdue\":true')
         WHERE name = 'edit-0' RETURNING 1) SELECT count(*) FROM edited",
    );
    assert_eq!(changed, "1", "the test must really edit the row");
    let (code, view) = show(&home, &database);
    assert_eq!(code, 1, "an altered row is a finding");
    let edited = view["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["credential"]["name"] == "edit-0")
        .unwrap();
    assert_eq!(edited["verified"], false);
}

#[test]
fn tls_is_verified_against_the_given_ca_only() {
    let database = TestDatabase::new("test");
    let home = workstation(1, "tls");
    let (code, _, stderr) = home.run(&["sync", "--postgres", &database.url("require")], b"");
    assert_eq!(
        code, 3,
        "a certificate from an unknown CA must be refused: {stderr}"
    );
    assert!(
        stderr.contains("certificate") || stderr.contains("UnknownIssuer"),
        "{stderr}"
    );
    assert_eq!(
        sync(&home, &database).0,
        0,
        "with --ca the same server is accepted"
    );
}

#[test]
fn a_newer_team_schema_and_a_foreign_key_are_refused() {
    let database = TestDatabase::new("test");
    let home = workstation(1, "schema");
    assert_eq!(sync(&home, &database).0, 0);
    // Another home claiming this workstation's id signs with a different key.
    let impostor = TestHome::new();
    let id = database.query("SELECT id FROM keyward_workstations");
    impostor.sql(&format!(
        "INSERT INTO settings (key, value) VALUES ('workstation_id', '{id}')"
    ));
    let (code, _, stderr) = sync(&impostor, &database);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("registered with another signing key"),
        "{stderr}"
    );
    database.query("UPDATE keyward_schema SET version = 99");
    let (code, _, stderr) = sync(&home, &database);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("schema version 99"), "{stderr}");
}

#[test]
fn synced_rows_carry_no_secret_value() {
    let database = TestDatabase::new("test");
    let home = TestHome::new();
    let value = canary("synced");
    home.add("synced", "token", &value);
    assert_eq!(sync(&home, &database).0, 0);
    let dump = database.query("SELECT string_agg(row_json || signature, '') FROM keyward_rows")
        + &database.query("SELECT string_agg(w::text, '') FROM keyward_workstations w");
    assert!(dump.contains("synced"), "the row itself is there");
    assert!(
        !dump.contains(&value),
        "no synced row may carry a secret value"
    );
}
