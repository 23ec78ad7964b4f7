//! Tamper-evident inventory. Someone who can write `keyward.db` but not read the
//! keychain edits the rows that decide where a secret goes — an endpoint's URL, a
//! credential's plain-HTTP permission, a rotation recipe, another row's values with its
//! MAC, a pinned workstation key, a setting that weakens a check — the way they would:
//! with SQL on the real file. Every path that would send the secret refuses before
//! anything leaves (the second loopback server, the attacker's, sees no request and no
//! form of the secret), the error names the altered row, and `keyward audit verify`
//! exits 1 naming each altered row by table, id and the fields its MAC covers. Changes
//! made through Keyward re-seal what they change, so they never raise an alarm.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use keyward_testsupport::hostile::{Behaviour, Hostile};
use keyward_testsupport::http_stand_in::{self, Handler, Request, Response, Server};
use keyward_testsupport::providers::{FakeTokens, key_api_recipe};

use crate::common::leaks::Needles;
use crate::common::{TestHome, canary};

/// A server that answers 200 to everything and keeps every request it got.
fn recording() -> (Handler, Arc<Mutex<Vec<Request>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    (
        Arc::new(move |request: Request| {
            kept.lock().unwrap().push(request);
            Response::json(200, serde_json::json!({"ok": true}))
        }),
        seen,
    )
}

/// An HTTPS stand-in on 127.0.0.1 whose CA is written to its own directory.
fn stand_in(home: &TestHome, name: &str, handler: Handler) -> Server {
    let dir = home.dir.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    http_stand_in::start(&dir, handler)
}

/// One CA file trusting both servers, as a machine whose trust store knows both would.
fn trusting(home: &TestHome, servers: &[&Server]) -> String {
    let mut pem = Vec::new();
    for server in servers {
        pem.extend(std::fs::read(&server.ca_file).unwrap());
    }
    home.write_file("both-cas.pem", &pem)
        .to_str()
        .unwrap()
        .to_owned()
}

/// Every byte a server was sent: request lines, headers and bodies.
fn sent_to(requests: &Mutex<Vec<Request>>) -> String {
    requests
        .lock()
        .unwrap()
        .iter()
        .map(|request| format!("{request:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn add_credential(home: &TestHome, name: &str, value: &str, host: &str) {
    home.keyward(&[
        "cred",
        "add",
        name,
        "--kind",
        "api-key",
        "--host",
        host,
        "--value-stdin",
    ])
    .write_stdin(value)
    .assert()
    .success();
}

fn add_integration(home: &TestHome, name: &str, endpoint: &str, credential: Option<&str>) {
    let mut args = vec![
        "integration",
        "add",
        name,
        "--provider",
        "example",
        "--owner",
        "payments",
        "--env",
        "prod",
        "--endpoint",
        endpoint,
        "--auth",
        "bearer",
    ];
    if let Some(credential) = credential {
        args.extend(["--cred", credential]);
    }
    home.keyward(&args).assert().success();
}

fn query_i64(home: &TestHome, sql: &str) -> i64 {
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}

/// The altered rows `audit verify --json` names, as (table, row).
fn altered_rows(report: &serde_json::Value) -> Vec<(String, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|problem| problem["problem"] == "row-altered")
        .map(|problem| {
            (
                problem["table"].as_str().unwrap().to_owned(),
                problem["row"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_endpoint_redirected_by_hand_is_refused_before_probe_or_rotation_sends_the_secret() {
    let home = TestHome::new();
    let value = canary("endpoint");
    let (legit, legit_seen) = recording();
    let (attacker, attacker_seen) = recording();
    let legit = stand_in(&home, "legit", legit);
    let attacker = stand_in(&home, "attacker", attacker);
    let ca = trusting(&home, &[&legit, &attacker]);
    add_credential(&home, "payments", &value, "127.0.0.1");
    add_integration(
        &home,
        "billing",
        &format!("{}/v1/me", legit.base_url()),
        Some("payments"),
    );
    // The path works and sends the credential where it belongs.
    let (code, stdout, stderr) = home.run(&["probe", "--integration", "billing", "--ca", &ca], b"");
    assert!((0..=1).contains(&code), "{stdout}{stderr}");
    assert!(
        sent_to(&legit_seen).contains(&value),
        "the probe sends the credential to its endpoint"
    );
    let (code, output, _) = home.audit_verify();
    assert_eq!(code, 0, "an unedited home verifies: {output}");

    // Same host, the attacker's port: the host rule alone cannot tell.
    let endpoint = query_i64(&home, "SELECT id FROM endpoints");
    home.sql(&format!(
        "UPDATE endpoints SET url = '{}/v1/me' WHERE id = {endpoint}",
        attacker.base_url()
    ));

    let mut outputs = Vec::new();
    let (code, stdout, stderr) = home.run(&["probe", "--integration", "billing", "--ca", &ca], b"");
    assert_eq!(
        code, 3,
        "a redirected endpoint is refused: {stdout}{stderr}"
    );
    assert!(
        stderr.contains(&format!("endpoints row {endpoint}"))
            && stderr.contains("endpoint of integration `billing`")
            && stderr.contains("changed outside Keyward"),
        "the error names the altered row: {stderr}"
    );
    outputs.push(("probe".to_owned(), stdout + &stderr));

    // Rotation checks a new value against the endpoints that use the credential.
    let (code, stdout, stderr) = home.run(&["rotate", "payments", "--yes"], b"");
    assert_ne!(
        code, 0,
        "rotation must not verify at a redirected endpoint: {stdout}"
    );
    assert!(
        stderr.contains(&format!("endpoints row {endpoint}")),
        "{stderr}"
    );
    outputs.push(("rotate".to_owned(), stdout + &stderr));
    assert_eq!(
        home.reveal("payments"),
        value,
        "the refused rotation changed nothing"
    );

    // An edit through Keyward must not launder the redirected row into a sealed one.
    let (code, _, stderr) = home.run(
        &["integration", "edit", "billing", "--owner", "someone-else"],
        b"",
    );
    assert_eq!(code, 3, "{stderr}");

    assert!(
        attacker_seen.lock().unwrap().is_empty(),
        "the attacker's server got requests: {}",
        sent_to(&attacker_seen)
    );
    let needles = Needles::of(&value);
    assert_eq!(needles.found_in(sent_to(&attacker_seen).as_bytes()), None);
    needles.assert_absent(&home, &outputs);

    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!(
            "endpoints row {endpoint} (endpoint of integration `billing`)"
        )) && output.contains("URL, auth method"),
        "verify names the table, the row and the fields: {output}"
    );
    assert_eq!(
        altered_rows(&report),
        [("endpoints".to_owned(), endpoint.to_string())]
    );
}

#[test]
fn a_credential_allowed_plain_http_by_hand_is_refused_before_its_value_is_read() {
    let home = TestHome::new();
    let value = canary("insecure");
    let plain = Hostile::start(Behaviour::Refuse);
    add_credential(&home, "payments", &value, "127.0.0.1");
    add_integration(&home, "status", &plain.url("/v1/me"), Some("payments"));
    // Plain HTTP is not allowed for this credential: the probe withholds it.
    let (code, stdout, stderr) = home.run(&["probe", "--integration", "status"], b"");
    assert!((0..=1).contains(&code), "{stdout}{stderr}");
    assert!(stdout.contains("withheld"), "{stdout}");
    let needles = Needles::of(&value);
    assert_eq!(needles.found_in(plain.heads().join("\n").as_bytes()), None);
    let connections = plain.connections();

    let credential = query_i64(&home, "SELECT id FROM credentials WHERE name = 'payments'");
    home.sql("UPDATE credentials SET allow_insecure = 1 WHERE name = 'payments'");

    let (code, stdout, stderr) = home.run(&["probe", "--integration", "status"], b"");
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "credential `payments` (credentials row {credential})"
        )) && stderr.contains("plain-HTTP permission"),
        "{stderr}"
    );
    assert_eq!(
        plain.connections(),
        connections,
        "nothing connects once the row fails its MAC"
    );
    assert_eq!(
        needles.found_in(plain.heads().join("\n").as_bytes()),
        None,
        "the secret went out over plain HTTP"
    );
    needles.assert_absent(&home, &[("probe".to_owned(), stdout + &stderr)]);

    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!(
            "credentials row {credential} (credential `payments`)"
        )),
        "{output}"
    );
    assert_eq!(
        altered_rows(&report),
        [("credentials".to_owned(), credential.to_string())]
    );
}

#[test]
fn a_rotation_recipe_pointed_elsewhere_by_hand_is_refused_before_the_current_value_is_sent() {
    let home = TestHome::new();
    let (api, value) = FakeTokens::new("key_");
    let legit = stand_in(&home, "provider", api.key_api());
    let (attacker, attacker_seen) = recording();
    let attacker = stand_in(&home, "attacker", attacker);
    add_credential(&home, "payments", &value, "127.0.0.1");
    let recipe = home.write_file("recipe.toml", key_api_recipe(&legit.base_url()).as_bytes());
    let legit_ca = legit.ca_file.to_str().unwrap().to_owned();
    home.keyward(&[
        "cred",
        "set-rotation",
        "payments",
        "--method",
        "http",
        "--recipe",
        recipe.to_str().unwrap(),
        "--ca",
        &legit_ca,
        "--key-id",
        "1",
    ])
    .assert()
    .success();
    let (code, output, _) = home.audit_verify();
    assert_eq!(code, 0, "{output}");

    // The recipe (kept inline in the setup) and the CA file now point at the attacker.
    let credential = query_i64(&home, "SELECT id FROM credentials WHERE name = 'payments'");
    let attacker_ca = attacker.ca_file.to_str().unwrap();
    home.sql(&format!(
        "UPDATE rotation_setups SET setup = replace(replace(setup, '{}', '{}'), '{}', '{}')",
        legit.address.port(),
        attacker.address.port(),
        legit_ca.replace('\'', "''"),
        attacker_ca.replace('\'', "''"),
    ));

    let (code, stdout, stderr) = home.run(&["rotate", "payments", "--yes"], b"");
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "rotation setup of credential `payments` (rotation_setups row {credential})"
        )),
        "{stderr}"
    );
    assert!(
        attacker_seen.lock().unwrap().is_empty(),
        "the attacker's server got the rotation: {}",
        sent_to(&attacker_seen)
    );
    assert_eq!(home.reveal("payments"), value);
    assert!(api.accepts(&value), "the provider was not touched either");
    Needles::of(&value).assert_absent(&home, &[("rotate".to_owned(), stdout + &stderr)]);

    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("propagation files"), "{output}");
    assert_eq!(
        altered_rows(&report),
        [("rotation_setups".to_owned(), credential.to_string())]
    );
}

#[test]
fn rows_swapped_with_their_macs_do_not_vouch_for_each_other() {
    // `decoy` is sent to a service the attacker runs; `payments` never is. Swapping the
    // two rows' keychain slots, each together with its own valid MAC, would send
    // payments' value there if a MAC did not bind its table and row id.
    let home = TestHome::new();
    let payments = canary("payments");
    let decoy = canary("decoy");
    let (attacker, attacker_seen) = recording();
    let attacker = stand_in(&home, "attacker", attacker);
    let ca = attacker.ca_file.to_str().unwrap().to_owned();
    add_credential(&home, "payments", &payments, "127.0.0.1");
    add_credential(&home, "decoy", &decoy, "127.0.0.1");
    add_integration(
        &home,
        "partner",
        &format!("{}/v1/me", attacker.base_url()),
        Some("decoy"),
    );
    let payments_id = query_i64(&home, "SELECT id FROM credentials WHERE name = 'payments'");
    let decoy_id = query_i64(&home, "SELECT id FROM credentials WHERE name = 'decoy'");
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    connection
        .execute_batch(&format!(
            "CREATE TEMP TABLE keep AS SELECT id, slot_id FROM credentials WHERE id IN ({payments_id}, {decoy_id});
             UPDATE credentials SET slot_id = 'swapping' || id WHERE id IN ({payments_id}, {decoy_id});
             UPDATE credentials SET slot_id = (SELECT slot_id FROM keep WHERE id = {payments_id}) WHERE id = {decoy_id};
             UPDATE credentials SET slot_id = (SELECT slot_id FROM keep WHERE id = {decoy_id}) WHERE id = {payments_id};"
        ))
        .unwrap();
    let has_macs = connection
        .prepare("SELECT 1 FROM sqlite_master WHERE name = 'row_macs'")
        .unwrap()
        .exists([])
        .unwrap();
    if has_macs {
        connection
            .execute_batch(&format!(
                "CREATE TEMP TABLE keep_macs AS SELECT row_id, mac FROM row_macs
                     WHERE row_table = 'credentials' AND row_id IN ({payments_id}, {decoy_id});
                 UPDATE row_macs SET mac = (SELECT mac FROM keep_macs WHERE row_id = {payments_id})
                     WHERE row_table = 'credentials' AND row_id = {decoy_id};
                 UPDATE row_macs SET mac = (SELECT mac FROM keep_macs WHERE row_id = {decoy_id})
                     WHERE row_table = 'credentials' AND row_id = {payments_id};"
            ))
            .unwrap();
    }
    drop(connection);

    let (code, stdout, stderr) = home.run(&["probe", "--integration", "partner", "--ca", &ca], b"");
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("credential `decoy` (credentials row {decoy_id})")),
        "{stderr}"
    );
    let sent = sent_to(&attacker_seen);
    assert_eq!(
        Needles::of(&payments).found_in(sent.as_bytes()),
        None,
        "payments' value reached the attacker through a swapped row: {sent}"
    );

    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    let mut expected = vec![
        ("credentials".to_owned(), payments_id.to_string()),
        ("credentials".to_owned(), decoy_id.to_string()),
    ];
    expected.sort_by_key(|(_, row)| row.parse::<i64>().unwrap());
    assert_eq!(altered_rows(&report), expected, "{output}");
}

#[test]
fn changes_through_keyward_reseal_and_hand_edits_among_them_are_named() {
    let home = TestHome::new();
    let (handler, _) = recording();
    let server = stand_in(&home, "server", handler);
    let ca = server.ca_file.to_str().unwrap().to_owned();
    let at = |path: &str| format!("{}{path}", server.base_url());
    add_credential(&home, "payments", &canary("a"), "127.0.0.1");
    add_credential(&home, "spare", &canary("b"), "127.0.0.1");
    add_integration(&home, "billing", &at("/v1/me"), Some("payments"));
    add_integration(&home, "status", &at("/status"), Some("payments"));
    for args in [
        vec![
            "integration",
            "edit",
            "billing",
            "--endpoint",
            &at("/v2"),
            "--endpoint",
            &at("/hooks"),
            "--auth",
            "header:X-Api-Key",
            "--cred",
            "spare",
        ],
        vec!["integration", "edit", "billing", "--owner", "platform"],
        vec![
            "cred",
            "set-rotation",
            "spare",
            "--method",
            "generate",
            "--every",
            "30d",
            "--ca",
            &ca,
        ],
        vec!["cred", "rename", "spare", "spare-2"],
        // Checked at both endpoints (on the loopback server) before it commits.
        vec!["rotate", "spare-2", "--yes"],
        // The status endpoint loses its credential and keeps a valid seal.
        vec!["cred", "rm", "payments"],
    ] {
        let (code, stdout, stderr) = home.run(&args, b"");
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
    }
    let env = home.write_file("app.env", format!("API_TOKEN={}\n", canary("c")).as_bytes());
    let (code, _, stderr) = home.run(&["import", "dotenv", env.to_str().unwrap(), "--all"], b"");
    assert_eq!(code, 0, "{stderr}");
    home.keyward(&["integration", "rm", "status"])
        .assert()
        .success();
    let (code, output, _) = home.audit_verify();
    assert_eq!(
        code, 0,
        "changes made through Keyward are re-sealed: {output}"
    );
    assert!(output.contains("intact"), "{output}");

    // By hand: one endpoint now sends the credential in the query string, another is
    // deleted (its MAC stays behind).
    let edited = query_i64(&home, "SELECT min(id) FROM endpoints");
    let deleted = query_i64(&home, "SELECT max(id) FROM endpoints");
    home.sql(&format!(
        "UPDATE endpoints SET auth = 'query:token' WHERE id = {edited};
         DELETE FROM endpoints WHERE id = {deleted};"
    ));
    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!(
            "endpoints row {edited} (endpoint of integration `billing`)"
        )) && output.contains(&format!(
            "endpoints row {deleted} was deleted outside Keyward"
        )),
        "{output}"
    );
    assert_eq!(
        altered_rows(&report),
        [("endpoints".to_owned(), edited.to_string())]
    );
}

#[test]
fn a_pinned_workstation_key_swapped_by_hand_lets_no_impostor_bundle_in() {
    let genuine = TestHome::new();
    let review = TestHome::new();
    let bundle = export(&genuine, "genuine.json");
    let (code, _, stderr) = review.run(
        &["review", "import", bundle.to_str().unwrap(), "--trust-new"],
        b"",
    );
    assert_eq!(code, 0, "{stderr}");
    let id: String = {
        let connection = rusqlite::Connection::open(review.database()).unwrap();
        connection
            .query_row("SELECT id FROM review_workstations", [], |row| row.get(0))
            .unwrap()
    };
    // An impostor signs bundles as the genuine workstation with its own key, and swaps
    // that key into the review home's pin.
    let impostor = TestHome::new();
    impostor.sql(&format!(
        "INSERT INTO settings (key, value) VALUES ('workstation_id', '{id}'), ('bundle_sequence', '50')"
    ));
    let forged = export(&impostor, "forged.json");
    let forged_key = serde_json::from_slice::<serde_json::Value>(&std::fs::read(&forged).unwrap())
        .unwrap()["public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    review.sql(&format!(
        "UPDATE review_workstations SET public_key = '{forged_key}' WHERE id = '{id}'"
    ));

    let (code, stdout, stderr) = review.run(&["review", "import", forged.to_str().unwrap()], b"");
    assert_eq!(
        code, 3,
        "the impostor's bundle was imported: {stdout}{stderr}"
    );
    assert!(
        stderr.contains(&format!("review_workstations row {id}")),
        "{stderr}"
    );
    let (code, output, report) = review.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("pinned signing key"), "{output}");
    assert_eq!(
        altered_rows(&report),
        [("review_workstations".to_owned(), id)]
    );
}

#[test]
fn a_setting_that_weakens_a_check_set_by_hand_is_refused() {
    let home = TestHome::new();
    let value = canary("grace");
    home.add("ci-token", "token", &value);
    // Keep replaced values usable for a century instead of the default week.
    home.sql("INSERT INTO settings (key, value) VALUES ('rotation.grace_hours', '876000')");
    let (code, stdout, stderr) = home.run(&["rotate", "ci-token", "--yes"], b"");
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stderr.contains("setting `rotation.grace_hours` (settings row rotation.grace_hours)"),
        "{stderr}"
    );
    assert_eq!(home.reveal("ci-token"), value, "nothing was rotated");
    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        altered_rows(&report),
        [("settings".to_owned(), "rotation.grace_hours".to_owned())]
    );
}

fn export(home: &TestHome, name: &str) -> PathBuf {
    let out = home.dir.path().join(name);
    home.keyward(&["export", "--bundle", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}
