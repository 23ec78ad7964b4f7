//! Team-database rows are trusted only under workstation keys the reviewer pinned.
//!
//! The team database lists each workstation's public key next to its rows, and whoever
//! can change a row there can change that list too. The attack: rewrite a row (here, to
//! claim a rotation schedule the credential does not have), re-sign it with a key of
//! one's own, and write that key into `keyward_workstations`. Checked against the
//! database's own key list the row verifies; checked against the key the reviewer
//! pinned (from a bundle, with `--trust-new` once, or with `team-key trust`) it does
//! not, and an unverified row is never evidence: flagged on the board, kept out of the
//! report's controls. Runs against the real PostgreSQL of scripts/with-postgres.sh.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use keyward::{BoardSource, Keyward, ReportFormat, ReportScope};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::Value;

use crate::common::postgres::{self, TestDatabase};
use crate::common::{TestHome, canary};

/// The context string and layout team rows are signed over (keyward-team's
/// `row_message`), which an attacker can read in the source as well as we can.
fn row_message(workstation: &str, kind: &str, json: &str) -> Vec<u8> {
    let mut message = b"keyward-team-row-v1\0".to_vec();
    for part in [workstation, kind, json] {
        message.extend_from_slice(part.as_bytes());
        message.push(0);
    }
    message
}

/// `keyward sync` (or `sync --show` with `extra`) against `database`, verified TLS.
fn sync(home: &TestHome, database: &TestDatabase, extra: &[&str]) -> (i32, Value, String) {
    let url = database.url("verify-full");
    let ca = postgres::ca();
    let mut args = vec!["sync", "--postgres", &url, "--ca", &ca, "--json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = home.run(&args, b"");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|_| panic!("`keyward {}` prints JSON: {stdout}{stderr}", args.join(" ")));
    (code, json, stderr)
}

fn show(home: &TestHome, database: &TestDatabase, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--show"];
    args.extend_from_slice(extra);
    let (code, view, stderr) = sync(home, database, &args);
    assert!(code == 0 || code == 1, "{stderr}");
    (code, view)
}

/// (trust, verified) of the credential row `name` in a team view.
fn row(view: &Value, name: &str) -> (String, bool) {
    let row = view["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["credential"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} is in the team view: {view}"));
    (
        row["trust"].as_str().unwrap().to_owned(),
        row["verified"].as_bool().unwrap(),
    )
}

fn key_trust(view: &Value, workstation: &str) -> String {
    view["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["workstation"] == workstation)
        .unwrap_or_else(|| panic!("{workstation} has a key in the view: {view}"))["trust"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A workstation with one integration and one credential in it, with no rotation
/// period (so reports find `rotation.unscheduled`), synced; returns (home, id, key
/// fingerprint).
fn workstation(
    database: &TestDatabase,
    integration: &str,
    owner: &str,
) -> (TestHome, String, String) {
    let home = TestHome::new();
    home.keyward(&[
        "integration",
        "add",
        integration,
        "--provider",
        integration,
        "--owner",
        owner,
        "--env",
        "prod",
        "--endpoint",
        &format!("https://api.{integration}.example"),
    ])
    .assert()
    .success();
    let credential = format!("{integration}-live");
    home.keyward(&[
        "cred",
        "add",
        &credential,
        "--kind",
        "token",
        "--integration",
        integration,
        "--value-stdin",
    ])
    .write_stdin(canary(integration))
    .assert()
    .success();
    let (code, outcome, stderr) = sync(&home, database, &[]);
    assert_eq!(code, 0, "{stderr}");
    (
        home,
        outcome["workstation"].as_str().unwrap().to_owned(),
        outcome["key_fingerprint"].as_str().unwrap().to_owned(),
    )
}

/// The attack: `credential`'s row now claims a 30-day rotation schedule, signed by a
/// fresh key that replaces the workstation's key in `keyward_workstations`.
fn forge(database: &TestDatabase, workstation: &str, credential: &str) -> String {
    let stored = database.query(&format!(
        "SELECT row_json FROM keyward_rows WHERE workstation_id = '{workstation}' AND name = '{credential}'"
    ));
    let mut json: Value = serde_json::from_str(&stored).unwrap();
    assert!(
        json["rotate_every_days"].is_null(),
        "the honest row has no schedule: {json}"
    );
    json["rotate_every_days"] = 30.into();
    json["next_rotation"] = "2999-01-01T00:00:00Z".into();
    json["rotation_overdue"] = false.into();
    let forged = serde_json::to_string(&json).unwrap();
    let document = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let attacker = Ed25519KeyPair::from_pkcs8(document.as_ref()).unwrap();
    let signature = BASE64.encode(
        attacker
            .sign(&row_message(workstation, "credential", &forged))
            .as_ref(),
    );
    let public_key = BASE64.encode(attacker.public_key().as_ref());
    let changed = database.query(&format!(
        "WITH r AS (UPDATE keyward_rows SET row_json = $kw${forged}$kw$, signature = '{signature}'
             WHERE workstation_id = '{workstation}' AND name = '{credential}' RETURNING 1),
         w AS (UPDATE keyward_workstations SET public_key = '{public_key}' WHERE id = '{workstation}' RETURNING 1)
         SELECT (SELECT count(*) FROM r) || ',' || (SELECT count(*) FROM w)"
    ));
    assert_eq!(
        changed, "1,1",
        "the test must really rewrite the row and the key list"
    );
    let digest = ring::digest::digest(&ring::digest::SHA256, attacker.public_key().as_ref());
    digest.as_ref()[..16]
        .chunks(2)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn a_row_re_signed_with_a_key_swapped_into_the_team_database_is_never_verified_or_evidence() {
    let database = TestDatabase::new("pins");
    let (alice, alice_id, alice_key) = workstation(&database, "stripe", "payments");
    let (_bob, bob_id, _) = workstation(&database, "github", "platform");
    let lead = TestHome::new();

    // Nothing pinned yet: the database's own key list vouches for nothing.
    let (code, view) = show(&lead, &database, &[]);
    assert_eq!(code, 1, "unverified rows are a finding: {view}");
    assert_eq!(row(&view, "stripe-live"), ("unknown-key".into(), false));
    assert_eq!(key_trust(&view, &alice_id), "unknown");
    // A workstation's own rows verify under its own key.
    let (code, view) = show(&alice, &database, &[]);
    assert_eq!(row(&view, "stripe-live"), ("verified".into(), true));
    assert_eq!(key_trust(&view, &bob_id), "unknown");
    assert_eq!(code, 1, "bob's rows are not verified on alice's home");

    // Trust on first use, once; the pins stay.
    let (code, view) = show(&lead, &database, &["--trust-new"]);
    assert_eq!(code, 0, "{view}");
    assert_eq!(key_trust(&view, &alice_id), "newly-pinned");
    let (code, view) = show(&lead, &database, &[]);
    assert_eq!(code, 0, "{view}");
    assert_eq!(key_trust(&view, &alice_id), "pinned");
    assert_eq!(row(&view, "stripe-live"), ("verified".into(), true));

    let attacker_key = forge(&database, &alice_id, "stripe-live");
    for extra in [&[][..], &["--trust-new"]] {
        let (code, view) = show(&lead, &database, extra);
        assert_eq!(code, 1, "{extra:?}: {view}");
        assert_eq!(
            row(&view, "stripe-live"),
            ("key-changed".into(), false),
            "{extra:?}: a row signed by a key swapped into the database is not verified, and --trust-new never pins a changed key"
        );
        assert_eq!(key_trust(&view, &alice_id), "changed");
        assert_eq!(row(&view, "github-live"), ("verified".into(), true));
    }
    let (_, view) = show(&lead, &database, &[]);
    let alice_integration = view["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["workstation"] == alice_id.as_str())
        .unwrap();
    assert_eq!(
        alice_integration["trust"], "verified",
        "rows the pinned key signed still verify: {alice_integration}"
    );
    let (_, stdout, _) = lead.run(
        &[
            "sync",
            "--postgres",
            &database.url("verify-full"),
            "--ca",
            &postgres::ca(),
            "--show",
        ],
        b"",
    );
    assert!(
        stdout.contains("KEY CHANGED")
            && stdout.contains(&attacker_key)
            && stdout.contains(&alice_key),
        "the table flags the row and names both keys:\n{stdout}"
    );

    // The board and the team report, through the library as the desktop app sees them.
    let mut keyward = Keyward::open(&lead.path()).unwrap();
    keyward
        .team()
        .connect_team_database(
            &database.url("verify-full"),
            None,
            Some(Path::new(&postgres::ca())),
        )
        .unwrap();
    let board = keyward.team().team_board().unwrap();
    let mut flagged: Vec<(&str, bool)> = board
        .rows
        .iter()
        .filter(|row| row.source == BoardSource::TeamDatabase)
        .map(|row| (row.row.name.as_str(), row.verified))
        .collect();
    flagged.sort();
    assert_eq!(
        flagged,
        [("github-live", true), ("stripe-live", false)],
        "the forged row is on the board, flagged"
    );
    assert_eq!(board.summary.altered_rows, 1);
    let forged_row = board
        .rows
        .iter()
        .find(|row| row.row.name == "stripe-live")
        .unwrap();
    assert_eq!(forged_row.row.worst_severity, "high", "{forged_row:?}");

    let report_path = lead.dir.path().join("team.json");
    keyward
        .review()
        .write_report(ReportFormat::Json, ReportScope::Team, &report_path)
        .unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["name"] != "stripe-live"),
        "an unverified row is no report row: {}",
        report["rows"]
    );
    let unverified: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["id"] == "team.unverified")
        .collect();
    assert_eq!(unverified.len(), 1, "{unverified:?}");
    assert!(
        unverified[0]["subject"]
            .as_str()
            .unwrap()
            .contains("stripe-live"),
        "the report names the row it could not verify: {}",
        unverified[0]
    );
    let stripe_controls: Vec<&Value> = report["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["scope"].as_str().unwrap().ends_with("/ stripe"))
        .collect();
    assert!(!stripe_controls.is_empty(), "{}", report["compliance"]);
    for result in &stripe_controls {
        assert_eq!(
            result["passed"], false,
            "no control passes on what an unverified row claims: {result}"
        );
        assert!(
            result["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|fact| fact["id"] == "team.unverified"),
            "{result}"
        );
        assert!(
            result["evidence"].as_array().unwrap().iter().all(|fact| {
                fact["credential"] != "stripe-live" || fact["id"] == "team.unverified"
            }),
            "the row's own claims are no evidence either way: {result}"
        );
    }
    drop(keyward);

    // Pinning the new key explicitly takes the fingerprint its owner read out, and
    // nothing else.
    let (code, _, stderr) = lead.run(
        &["team-key", "trust", &alice_id, "--fingerprint", &alice_key],
        b"",
    );
    assert_eq!(
        code, 2,
        "the database lists another key than the one named: {stderr}"
    );
    assert!(stderr.contains("do not trust it"), "{stderr}");
    let (code, stdout, stderr) = lead.run(
        &[
            "team-key",
            "trust",
            &alice_id,
            "--fingerprint",
            &attacker_key,
        ],
        b"",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&attacker_key), "{stdout}");
    let mut keyward = Keyward::open(&lead.path()).unwrap();
    let board = keyward.team().team_board().unwrap();
    assert!(
        board
            .rows
            .iter()
            .any(|row| row.row.name == "stripe-live" && row.verified),
        "a key pinned after the pull counts on the next board, without a new pull"
    );
}

#[test]
fn keys_are_pinned_explicitly_or_from_bundles_and_only_those_verify() {
    let database = TestDatabase::new("pins");
    let (alice, alice_id, _) = workstation(&database, "stripe", "payments");
    let (_bob, bob_id, bob_key) = workstation(&database, "github", "platform");

    // Explicitly, with the fingerprint bob's `keyward sync` printed.
    let lead = TestHome::new();
    let url = database.url("verify-full");
    let ca = postgres::ca();
    let (code, stdout, stderr) = lead.run(
        &[
            "team-key",
            "trust",
            &bob_id,
            "--fingerprint",
            &bob_key.to_uppercase(),
            "--postgres",
            &url,
            "--ca",
            &ca,
            "--json",
        ],
        b"",
    );
    assert_eq!(code, 0, "{stderr}");
    let pinned: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(pinned["workstation"], bob_id.as_str());
    let (code, view) = show(&lead, &database, &[]);
    assert_eq!(code, 1, "alice is still unknown here: {view}");
    assert_eq!(row(&view, "github-live"), ("verified".into(), true));
    assert_eq!(row(&view, "stripe-live"), ("unknown-key".into(), false));

    // From alice's signed bundle: one pin per workstation, whichever way it came.
    let bundle = alice.dir.path().join("alice.json");
    alice
        .keyward(&["export", "--bundle", "--out", bundle.to_str().unwrap()])
        .assert()
        .success();
    lead.keyward(&["review", "import", bundle.to_str().unwrap(), "--trust-new"])
        .assert()
        .success();
    let (code, view) = show(&lead, &database, &[]);
    assert_eq!(code, 0, "{view}");
    assert_eq!(row(&view, "stripe-live"), ("verified".into(), true));
    assert_eq!(key_trust(&view, &alice_id), "pinned");

    // A key pinned from the team database is no bundle: the review lists alice's only.
    let (code, stdout, stderr) = lead.run(&["review", "show", "--json"], b"");
    assert_eq!(code, 0, "{stderr}");
    let overview: Value = serde_json::from_str(&stdout).unwrap();
    let listed: Vec<&str> = overview["workstations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bundle| bundle["workstation"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [alice_id.as_str()], "{overview}");

    // But it binds bundles: one signed by another key under bob's id is refused.
    let impostor = TestHome::new();
    impostor.sql(&format!(
        "INSERT INTO settings (key, value) VALUES ('workstation_id', '{bob_id}')"
    ));
    let forged = impostor.dir.path().join("bob.json");
    impostor
        .keyward(&["export", "--bundle", "--out", forged.to_str().unwrap()])
        .assert()
        .success();
    let (code, _, stderr) = lead.run(
        &["review", "import", forged.to_str().unwrap(), "--trust-new"],
        b"",
    );
    assert_eq!(code, 2, "another key for a pinned workstation: {stderr}");
}
