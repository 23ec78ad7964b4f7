//! The security lead's team board (the desktop app's Review area) through the library:
//! this workstation, imported bundles and the team database on one board, and the saved
//! team database connection whose URL lives only in the keychain.

use std::path::Path;

use keyward::model::{
    AuthMethod, CredentialKind, Environment, NewCredential, NewEndpoint, NewIntegration,
    SecretValue,
};
use keyward::{BoardSource, Keyward, ReportFormat, ReportScope};

use crate::common::canary;
use crate::common::postgres::TestDatabase;

/// Adds one integration (owned by `owner`, tagged `team:TEAM`) with one credential.
fn seed(keyward: &mut Keyward, integration: &str, owner: &str, team: &str, credential: &str) {
    keyward
        .credentials()
        .add_integration(NewIntegration {
            name: integration.into(),
            provider: integration.into(),
            owner: owner.into(),
            environment: Environment::Prod,
            tags: vec![format!("team:{team}")],
            notes: None,
            issuer: None,
            endpoints: vec![NewEndpoint {
                url: format!("https://api.{integration}.example"),
                auth: AuthMethod::Bearer,
                credential: None,
            }],
        })
        .unwrap();
    keyward
        .credentials()
        .add_credential(
            NewCredential {
                name: credential.into(),
                kind: Some(CredentialKind::Token),
                provider: None,
                integration: Some(integration.into()),
                rotate_every_days: Some(90),
                expires_at: None,
                allowed_hosts: Vec::new(),
                allow_insecure: false,
                token_url: None,
                notes: None,
            },
            SecretValue::from_string(canary(credential)),
        )
        .unwrap();
}

fn home(directory: &Path, name: &str) -> Keyward {
    Keyward::init(&directory.join(name)).unwrap()
}

#[test]
fn the_board_lists_this_workstation_and_imported_bundles_with_owner_team_and_source() {
    let scratch = tempfile::tempdir().unwrap();
    let mut lead = home(scratch.path(), "lead");
    seed(&mut lead, "github", "platform", "core", "github-ci");
    let mut other = home(scratch.path(), "other");
    seed(&mut other, "stripe", "payments", "money", "stripe-live");
    let bundle = scratch.path().join("other.json");
    other.review().export_bundle(&bundle).unwrap();
    lead.review().import_bundles(&[bundle], true).unwrap();

    let board = lead.team().team_board().unwrap();
    let summary: Vec<(BoardSource, &str, &str, &str)> = board
        .rows
        .iter()
        .map(|row| {
            (
                row.source,
                row.row.name.as_str(),
                row.row.owner.as_str(),
                row.team.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (BoardSource::Local, "github-ci", "platform", "core"),
            (BoardSource::Bundle, "stripe-live", "payments", "money"),
        ],
        "each credential appears once, with where it came from, its owner and its team tag"
    );
    assert_eq!(board.summary.workstations, 2);
    assert!(board.rows.iter().all(|row| row.verified));

    let csv_path = scratch.path().join("team.csv");
    let rows = lead
        .review()
        .write_report(ReportFormat::Csv, ReportScope::Team, &csv_path)
        .unwrap();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(rows, 2, "the team CSV has the board's rows:\n{csv}");
    assert!(
        csv.contains("github-ci") && csv.contains("stripe-live"),
        "{csv}"
    );
    assert!(
        !csv.contains("kwcanary"),
        "no secret value in a report:\n{csv}"
    );
}

#[test]
fn a_connected_team_database_keeps_its_url_in_the_keychain_and_feeds_the_board() {
    let database = TestDatabase::new("board");
    let ca = std::env::var("KEYWARD_TEST_POSTGRES_CA").unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut member = home(scratch.path(), "member");
    seed(&mut member, "stripe", "payments", "money", "stripe-live");
    let synced = member
        .team()
        .sync_team(&database.url("require"), Some(Path::new(&ca)))
        .unwrap();

    let mut lead = home(scratch.path(), "lead");
    seed(&mut lead, "github", "platform", "core", "github-ci");
    let password = canary("pgpassword");
    let error = lead
        .team()
        .connect_team_database(
            &database.url("require"),
            Some(SecretValue::from_string(password.clone())),
            Some(&scratch.path().join("missing-ca.pem")),
        )
        .expect_err("an unreadable CA is refused");
    assert!(error.to_string().contains("missing-ca.pem"), "{error}");
    assert!(
        lead.team().team_database().unwrap().is_none(),
        "a failed connection saves nothing"
    );

    // The lead pins the member's key, whose fingerprint the member read out: rows
    // signed by keys the lead never pinned would show, but never as verified.
    lead.team()
        .trust_team_key(
            Some(&database.url("require")),
            Some(Path::new(&ca)),
            &synced.workstation,
            &synced.key_fingerprint,
        )
        .unwrap();
    let info = lead
        .team()
        .connect_team_database(
            &database.url("require"),
            Some(SecretValue::from_string(password.clone())),
            Some(Path::new(&ca)),
        )
        .unwrap();
    assert!(
        info.target.contains("***") && !info.target.contains(&password),
        "the UI sees the target with its password redacted: {}",
        info.target
    );
    let board = lead.team().team_board().unwrap();
    let sources: Vec<(BoardSource, &str)> = board
        .rows
        .iter()
        .map(|row| (row.source, row.row.name.as_str()))
        .collect();
    assert_eq!(
        sources,
        vec![
            (BoardSource::Local, "github-ci"),
            (BoardSource::TeamDatabase, "stripe-live"),
        ]
    );
    assert_eq!(board.rows[1].team, "money");
    assert!(
        board.rows.iter().all(|row| row.verified),
        "{:?}",
        board.rows
    );

    // The database holds no audit log: a team report must not pass the member's audit
    // controls on no evidence.
    let report_path = scratch.path().join("team.json");
    lead.review()
        .write_report(ReportFormat::Json, ReportScope::Team, &report_path)
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let unverified: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["id"] == "audit.unverified")
        .collect();
    assert_eq!(
        unverified.len(),
        1,
        "only the database-only workstation: {unverified:?}"
    );
    let audit_control = report["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| {
            result["framework"] == "PCI DSS 4.0"
                && result["control"] == "10.2"
                && result["evidence"].as_array().is_some_and(|evidence| {
                    evidence.iter().any(|fact| fact["id"] == "audit.unverified")
                })
        })
        .unwrap_or_else(|| {
            panic!(
                "10.2 is judged on the missing audit log: {}",
                report["compliance"]
            )
        });
    assert_eq!(audit_control["passed"], false, "{audit_control}");

    // A row edited in the database is shown, but flagged.
    crate::common::postgres::psql(
        &database.url("disable"),
        "UPDATE keyward_rows SET row_json = replace(row_json, 'payments', 'nobody') WHERE name = 'stripe-live'",
    );
    let outcome = lead.team().sync_saved_team_database().unwrap();
    assert_eq!(
        outcome.credentials, 1,
        "the lead's own inventory was pushed"
    );
    let board = lead.team().team_board().unwrap();
    assert_eq!(
        board.summary.altered_rows, 1,
        "the edited row fails its signature"
    );
    assert!(
        board
            .rows
            .iter()
            .any(|row| row.row.name == "stripe-live" && !row.verified)
    );

    let inventory = std::fs::read(scratch.path().join("lead/keyward.db")).unwrap();
    let wal = std::fs::read(scratch.path().join("lead/keyward.db-wal")).unwrap_or_default();
    for bytes in [&inventory, &wal] {
        assert!(
            !bytes
                .windows(password.len())
                .any(|window| window == password.as_bytes()),
            "the database password must live only in the keychain"
        );
    }

    lead.team().disconnect_team_database().unwrap();
    assert!(lead.team().team_database().unwrap().is_none());
    let error = lead.team().sync_saved_team_database().err().unwrap();
    assert!(error.to_string().contains("none is connected"), "{error}");
}
