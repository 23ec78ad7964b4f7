//! Scan fingerprints confirm no guess. A finding's fingerprint (SARIF
//! `partialFingerprints`, JSON `fingerprint`, baselines, the stored findings) is an HMAC
//! under a key in the keychain — the home's own, or the team's when one is set — so
//! whoever holds an output or the database cannot check a guessed secret against it
//! offline, two homes without a shared key never agree, and two with one do (so a
//! baseline travels). Upgrading from the unkeyed fingerprints keeps the triage state of
//! stored findings, as does changing the team key; old baselines are reported, never
//! matched; and the keys never leave the keychain.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keyward::scan::samples::{Fill, expand};
use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY, SHA256, SHA512, digest};
use ring::hmac;

use crate::common::leaks::{Needles, contains, database_values, files_under, secret_forms};
use crate::common::{TestHome, canary, hex};

/// (rule, path) -> fingerprint.
type Fingerprints = BTreeMap<(String, String), String>;

/// The secrets planted in a tree, by the path they are planted at.
struct Planted {
    /// The vault credential `deploy-token`, leaked into `config/deploy.env`.
    leaked: String,
    /// A GitHub token in `src/release.py`.
    github: String,
    /// A Stripe key in `src/billing.rb`.
    stripe: String,
}

impl Planted {
    /// Fresh values on every run (the seeds of the fake provider secrets are random too).
    fn new() -> Self {
        let seed = u64::from_str_radix(&canary("seed")[12..28], 16).unwrap();
        Self {
            leaked: canary("fingerprint"),
            github: expand("ghp_{an:30}{crc}", Fill::Real(seed)),
            stripe: expand("sk_live_{an:32}", Fill::Real(seed ^ 0x5eed)),
        }
    }

    /// (rule, path, secret) of every finding a scan in a home holding `leaked` reports.
    fn findings(&self) -> Vec<(&'static str, &'static str, &str)> {
        vec![
            (
                "generic-secret-assignment",
                "config/deploy.env",
                &self.leaked,
            ),
            ("github-pat", "src/release.py", &self.github),
            ("stripe-secret-key", "src/billing.rb", &self.stripe),
        ]
    }

    fn plant(&self, root: &Path) {
        write(
            root,
            "config/deploy.env",
            &format!("DEPLOY_TOKEN={}\n", self.leaked),
        );
        write(
            root,
            "src/release.py",
            &format!("import os\n\nGITHUB_TOKEN = \"{}\"\n", self.github),
        );
        write(
            root,
            "src/billing.rb",
            &format!(
                "require \"stripe\"\n\nStripe.api_key = \"{}\"\n",
                self.stripe
            ),
        );
        write(root, "README.md", "# Service\n");
    }

    /// A home holding `deploy-token` and a tree of its own with the secrets planted.
    fn home(&self) -> (TestHome, PathBuf) {
        let home = TestHome::new();
        home.add("deploy-token", "token", &self.leaked);
        let tree = home.dir.path().join("tree");
        self.plant(&tree);
        (home, tree)
    }
}

fn write(root: &Path, relative: &str, content: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn run_ok(home: &TestHome, args: &[&str], expected: i32) -> String {
    let (code, stdout, stderr) = home.run(args, b"");
    assert_eq!(code, expected, "keyward {args:?}:\n{stdout}{stderr}");
    stdout
}

fn set_team_key(home: &TestHome, key: &str) {
    home.keyward(&["team-key", "set", "--value-stdin"])
        .write_stdin(key.to_owned())
        .assert()
        .success();
}

fn sarif_fingerprints(sarif: &str) -> Fingerprints {
    let sarif: serde_json::Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            // Whatever the fingerprint's SARIF name; `keywardFinding/v2` is checked below.
            let fingerprints = result["partialFingerprints"].as_object();
            let fingerprint = fingerprints
                .and_then(|all| all.get("keywardFinding/v2").or(all.values().next()))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_else(|| panic!("a partial fingerprint: {result:#}"));
            (
                (
                    result["ruleId"].as_str().unwrap().to_owned(),
                    uri.to_owned(),
                ),
                fingerprint.to_owned(),
            )
        })
        .collect()
}

fn json_fingerprints(json: &str) -> Fingerprints {
    let json: serde_json::Value = serde_json::from_str(json).expect("one JSON document");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                (
                    finding["rule"].as_str().unwrap().to_owned(),
                    finding["path"].as_str().unwrap().to_owned(),
                ),
                finding["fingerprint"]
                    .as_str()
                    .unwrap_or_else(|| panic!("a fingerprint: {finding:#}"))
                    .to_owned(),
            )
        })
        .collect()
}

/// A stored finding as the tests look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    id: i64,
    fingerprint: String,
    first_seen: String,
    resolved: bool,
}

/// The stored findings by path.
fn stored(home: &TestHome) -> BTreeMap<String, Row> {
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    let mut statement = connection
        .prepare("SELECT path, id, fingerprint, first_seen, resolved_at FROM scan_findings")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                Row {
                    id: row.get(1)?,
                    fingerprint: row.get(2)?,
                    first_seen: row.get(3)?,
                    resolved: row.get::<_, Option<String>>(4)?.is_some(),
                },
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn setting(home: &TestHome, key: &str) -> Option<String> {
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    connection
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .ok()
}

fn db_fingerprints(home: &TestHome) -> Fingerprints {
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    let mut statement = connection
        .prepare("SELECT rule, path, fingerprint FROM scan_findings WHERE resolved_at IS NULL")
        .unwrap();
    statement
        .query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn assert_keyed(fingerprint: &str) {
    let hex = fingerprint
        .strip_prefix("v2:")
        .unwrap_or_else(|| panic!("a versioned fingerprint: {fingerprint}"));
    assert!(
        hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit()),
        "the full HMAC, not a short prefix: {fingerprint}"
    );
}

/// The fingerprint Keyward wrote before v2: SHA-256 of `keyward-finding\0`, the rule,
/// `\0` and the secret, cut to 16 bytes, in hex.
fn unkeyed(rule: &str, secret: &str) -> String {
    let input = [
        b"keyward-finding\0",
        rule.as_bytes(),
        b"\0",
        secret.as_bytes(),
    ]
    .concat();
    hex(&digest(&SHA256, &input).as_ref()[..16])
}

/// What an attacker holding an output would try to confirm a guess with: every plain or
/// rule-salted hash of the secret that needs no key, whole and cut to 32 digits.
fn guess_checks(rule: &str, secret: &str) -> Vec<(String, String)> {
    let secret = secret.as_bytes();
    let rule = rule.as_bytes();
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("secret", secret.to_vec()),
        (
            "keyward-finding\\0 rule \\0 secret",
            [b"keyward-finding\0", rule, b"\0", secret].concat(),
        ),
        ("rule secret", [rule, secret].concat()),
        ("rule \\0 secret", [rule, b"\0", secret].concat()),
        ("rule : secret", [rule, b":", secret].concat()),
        ("secret rule", [secret, rule].concat()),
    ];
    let mut checks = Vec::new();
    for (label, input) in &inputs {
        for (name, algorithm) in [
            ("sha256", &SHA256),
            ("sha512", &SHA512),
            ("sha1", &SHA1_FOR_LEGACY_USE_ONLY),
        ] {
            let whole = hex(digest(algorithm, input).as_ref());
            checks.push((format!("{name}({label})"), whole[..32].to_owned()));
            checks.push((format!("{name}({label})"), whole));
        }
    }
    for (label, key) in [
        ("hmac(rule, secret)", rule),
        ("hmac(\"\", secret)", &b""[..]),
    ] {
        let tag = hex(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), secret).as_ref());
        checks.push((label.to_owned(), tag[..32].to_owned()));
        checks.push((label.to_owned(), tag));
    }
    checks
}

/// A keychain entry of `home`'s, read as the Secret Service holds it.
fn keychain_entry(home: &TestHome, name: &str) -> Option<Vec<u8>> {
    let entry = keyring::Entry::new("keyward", &format!("{}/{name}", home.vault_id())).unwrap();
    for _ in 0..4 {
        match entry.get_secret() {
            Ok(bytes) => return Some(bytes),
            Err(keyring::Error::NoEntry) => return None,
            // The test daemon can restart under load (scripts/with-keyring.sh).
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(300)),
        }
    }
    panic!("cannot read the keychain entry {name}");
}

fn delete_keychain_entry(home: &TestHome, name: &str) {
    let entry = keyring::Entry::new("keyward", &format!("{}/{name}", home.vault_id())).unwrap();
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => {}
        Err(error) => panic!("delete {name}: {error}"),
    }
}

/// The key fingerprints are actually made with, derived from a master secret.
fn derived(master: &[u8]) -> Vec<u8> {
    hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, master),
        b"keyward scan finding fingerprint key v2",
    )
    .as_ref()
    .to_vec()
}

#[test]
fn two_homes_never_agree_on_a_fingerprint() {
    let planted = Planted::new();
    let mut homes = Vec::new();
    for _ in 0..2 {
        let (home, tree) = planted.home();
        let root = tree.to_str().unwrap();
        let sarif = run_ok(&home, &["scan", root, "--format", "sarif"], 1);
        let json = run_ok(&home, &["scan", root, "--format", "json"], 1);
        homes.push((
            sarif_fingerprints(&sarif),
            db_fingerprints(&home),
            sarif,
            json,
        ));
    }
    for (what, first, second) in [
        ("SARIF", &homes[0].0, &homes[1].0),
        ("the database", &homes[0].1, &homes[1].1),
    ] {
        assert_eq!(first.len(), 3, "{what}: {first:?}");
        for (finding, fingerprint) in first {
            assert_ne!(
                Some(fingerprint),
                second.get(finding),
                "{what}: two independent homes gave {finding:?} the same fingerprint"
            );
        }
    }
    for (sarif, stored, sarif_text, json) in &homes {
        let sarif_text: serde_json::Value = serde_json::from_str(sarif_text).unwrap();
        assert!(
            sarif_text["runs"][0]["results"][0]["partialFingerprints"]["keywardFinding/v2"]
                .is_string(),
            "the SARIF name says which fingerprint it is"
        );
        assert_eq!(
            sarif, stored,
            "the outputs and the database name a finding alike"
        );
        assert_eq!(
            sarif,
            &json_fingerprints(json),
            "SARIF and JSON name a finding alike"
        );
        for fingerprint in sarif.values() {
            assert_keyed(fingerprint);
        }
    }
}

#[test]
fn a_fingerprint_confirms_no_guessed_secret() {
    let planted = Planted::new();
    let (home, tree) = planted.home();
    let root = tree.to_str().unwrap();
    let sarif = run_ok(&home, &["scan", root, "--format", "sarif"], 1);
    let json = run_ok(&home, &["scan", root, "--format", "json"], 1);
    let baseline = home.dir.path().join("baseline.json");
    run_ok(
        &home,
        &["scan", root, "--write-baseline", baseline.to_str().unwrap()],
        0,
    );
    let (_, check, _) = home.run(&["check", "--json"], b"");
    let mut texts: Vec<(String, Vec<u8>)> = vec![
        ("the SARIF output".into(), sarif.clone().into_bytes()),
        ("the JSON output".into(), json.into_bytes()),
        ("check --json".into(), check.into_bytes()),
        ("the baseline".into(), std::fs::read(&baseline).unwrap()),
    ];
    texts.extend(database_values(&home.database()));
    let fingerprints = sarif_fingerprints(&sarif);
    let mut lengths = Vec::new();
    for (rule, path, secret) in planted.findings() {
        // The attacker guessed right and knows the rule: still nothing to compare with.
        assert_eq!(
            keyward::scan::legacy_fingerprint(rule, secret.as_bytes()),
            unkeyed(rule, secret),
            "the candidates include what Keyward before v2 wrote"
        );
        let fingerprint = &fingerprints[&(rule.to_owned(), path.to_owned())];
        lengths.push(fingerprint.len());
        for (label, check) in guess_checks(rule, secret) {
            assert!(
                !fingerprint.contains(&check),
                "{rule} at {path}: the fingerprint is {label} of the secret"
            );
            for (what, text) in &texts {
                assert!(
                    !contains(text, check.as_bytes()),
                    "{what} holds {label} of the {rule} secret: a guess can be confirmed"
                );
            }
        }
    }
    assert!(
        lengths.windows(2).all(|pair| pair[0] == pair[1]),
        "secrets of different lengths, fingerprints of one length: {lengths:?}"
    );
}

#[test]
fn a_shared_team_key_makes_a_baseline_travel_and_nothing_else_matches_it() {
    let planted = Planted::new();
    let team_key = canary("teamkey");
    let (first, first_tree) = planted.home();
    let (second, second_tree) = planted.home();
    for home in [&first, &second] {
        set_team_key(home, &team_key);
    }
    let first_root = first_tree.to_str().unwrap();
    let second_root = second_tree.to_str().unwrap();
    let first_sarif = sarif_fingerprints(&run_ok(
        &first,
        &["scan", first_root, "--format", "sarif"],
        1,
    ));
    let second_sarif = sarif_fingerprints(&run_ok(
        &second,
        &["scan", second_root, "--format", "sarif"],
        1,
    ));
    assert_eq!(first_sarif.len(), 3);
    assert_eq!(first_sarif, second_sarif, "teammates' fingerprints agree");

    // One teammate's baseline accepts the findings in the other's home.
    let baseline = first.dir.path().join("team-baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    run_ok(
        &first,
        &["scan", first_root, "--write-baseline", baseline_arg],
        0,
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    for entry in written["findings"].as_array().unwrap() {
        assert_keyed(entry["fingerprint"].as_str().unwrap());
    }
    let human = run_ok(
        &second,
        &["scan", second_root, "--baseline", baseline_arg],
        0,
    );
    assert!(human.contains("3 accepted by the baseline"), "{human}");

    // So does a CI job without a home, given the team key in its environment.
    let ci = TestHome::uninitialised();
    let output = ci
        .keyward(&[
            "scan",
            "--no-vault",
            second_root,
            "--baseline",
            baseline_arg,
        ])
        .env("KEYWARD_TEAM_KEY", &team_key)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // A home without the team key, and a scan without any key, match nothing of it.
    let (stranger, stranger_tree) = planted.home();
    let stranger_root = stranger_tree.to_str().unwrap();
    run_ok(
        &stranger,
        &["scan", stranger_root, "--baseline", baseline_arg],
        1,
    );
    let (code, stdout, stderr) = ci.run(
        &[
            "scan",
            "--no-vault",
            "--format",
            "json",
            second_root,
            "--baseline",
            baseline_arg,
        ],
        b"",
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        json["findings"][0].get("fingerprint").is_none(),
        "no key, no fingerprint: {json:#}"
    );
    assert!(
        json["baseline_warnings"][0]
            .as_str()
            .is_some_and(|warning| warning.contains("no fingerprint key")),
        "{json:#}"
    );
    assert!(stderr.contains("KEYWARD_TEAM_KEY"), "{stderr}");
    let (code, _, stderr) = ci.run(
        &[
            "scan",
            "--no-vault",
            second_root,
            "--write-baseline",
            ci.dir.path().join("unkeyed.json").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 2, "a baseline without a key is refused: {stderr}");
    assert!(stderr.contains("fingerprint key"), "{stderr}");
    assert!(!ci.dir.path().join("unkeyed.json").exists());
}

#[test]
fn an_unkeyed_baseline_is_reported_as_outdated_never_matched() {
    let planted = Planted::new();
    let (home, tree) = planted.home();
    let root = tree.to_str().unwrap();
    // What `--write-baseline` wrote before v2.
    let entries: Vec<serde_json::Value> = planted
        .findings()
        .into_iter()
        .map(|(rule, path, secret)| {
            serde_json::json!({"fingerprint": unkeyed(rule, secret), "rule": rule, "path": path})
        })
        .collect();
    let baseline = home.write_file(
        "old-baseline.json",
        serde_json::to_string_pretty(&serde_json::json!({ "findings": entries }))
            .unwrap()
            .as_bytes(),
    );
    let baseline_arg = baseline.to_str().unwrap();
    let (code, stdout, stderr) = home.run(
        &[
            "scan",
            root,
            "--format",
            "sarif",
            "--baseline",
            baseline_arg,
        ],
        b"",
    );
    assert_eq!(
        code, 1,
        "an unkeyed baseline accepts nothing: {stdout}{stderr}"
    );
    assert_eq!(sarif_fingerprints(&stdout).len(), 3);
    assert!(
        stderr.contains("3 of 3 entries use the unkeyed fingerprints")
            && stderr.contains("--write-baseline"),
        "the user is told why and how to fix it: {stderr}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "warning", "{sarif:#}");
    let human = run_ok(&home, &["scan", root, "--baseline", baseline_arg], 1);
    assert!(human.contains("warning: baseline"), "{human}");

    // Regenerated, it works again.
    run_ok(&home, &["scan", root, "--write-baseline", baseline_arg], 0);
    let (code, stdout, stderr) = home.run(&["scan", root, "--baseline", baseline_arg], b"");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        !stdout.contains("warning") && !stderr.contains("warning"),
        "{stdout}{stderr}"
    );

    // Made under the home's own key, it still applies once a team key is set, with a
    // warning to regenerate it for the team.
    set_team_key(&home, &canary("laterteamkey"));
    let (code, stdout, stderr) = home.run(
        &["scan", root, "--format", "json", "--baseline", baseline_arg],
        b"",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("earlier fingerprint key") && stderr.contains("--write-baseline"),
        "{stderr}"
    );
}

#[test]
fn triage_state_survives_the_upgrade_and_team_key_changes() {
    let planted = Planted::new();
    let (home, tree) = planted.home();
    let root = tree.to_str().unwrap();
    run_ok(&home, &["scan", root], 1);
    let canonical = std::fs::canonicalize(&tree).unwrap().display().to_string();

    // The GitHub token accepted, as the app's "Accept" does (the CLI has no verb for it).
    let github_id = stored(&home)["src/release.py"].id;
    let mut keyward = keyward::Keyward::open(&home.path()).unwrap();
    keyward.leaks().accept_finding(github_id).unwrap();

    // The home as Keyward before v2 left it (once the upgrade has sealed its rows):
    // unkeyed fingerprints on every stored finding and in the accepted list, the Stripe
    // key's warning announced under its unkeyed fingerprint, a finding whose secret is
    // gone since, and no scan fingerprint key in the keychain.
    let legacy: BTreeMap<&str, String> = planted
        .findings()
        .into_iter()
        .map(|(rule, path, secret)| (path, unkeyed(rule, secret)))
        .collect();
    for (path, fingerprint) in &legacy {
        home.sql(&format!(
            "UPDATE scan_findings SET fingerprint = '{fingerprint}' WHERE path = '{path}'"
        ));
    }
    let gone = unkeyed("github-pat", &expand("ghp_{an:30}{crc}", Fill::Real(99)));
    home.sql(&format!(
        "INSERT INTO scan_findings (fingerprint, rule, kind, provider, description, root, path,
             line, column_number, commit_id, redacted, credential_kind, first_seen, last_seen,
             resolved_at)
         SELECT '{gone}', rule, kind, provider, description, root, 'old/gone.py', line,
             column_number, commit_id, redacted, credential_kind, first_seen, last_seen, last_seen
         FROM scan_findings WHERE path = 'src/release.py';
         UPDATE scan_findings SET first_seen = '2025-01-02T03:04:05.000000Z'
         WHERE path = 'src/billing.rb';"
    ));
    let accepted = serde_json::json!([{
        "fingerprint": legacy["src/release.py"], "root": canonical, "path": "src/release.py"
    }]);
    // Through the store, which seals the protected setting as the upgrade would have.
    keyward::store::settings::set(
        keyward.store().connection(),
        "scan.accepted",
        &accepted.to_string(),
    )
    .unwrap();
    drop(keyward);
    let announced = serde_json::json!([format!(
        "unmanaged-secret:{}:{canonical}:src/billing.rb",
        legacy["src/billing.rb"]
    )]);
    home.sql(&format!(
        "INSERT OR REPLACE INTO settings (key, value)
             VALUES ('notifications.notified_warning_ids', '{announced}');"
    ));
    delete_keychain_entry(&home, "scan-fingerprint-key");
    let before = stored(&home);

    let mut previous: Option<Fingerprints> = None;
    for step in ["upgrade", "team key set", "team key changed"] {
        match step {
            "team key set" => set_team_key(&home, &canary("firstteamkey")),
            "team key changed" => set_team_key(&home, &canary("secondteamkey")),
            _ => {}
        }
        let json = json_fingerprints(&run_ok(&home, &["scan", root, "--format", "json"], 1));
        let reported: Vec<&str> = json.keys().map(|(_, path)| path.as_str()).collect();
        assert_eq!(
            reported,
            ["config/deploy.env", "src/billing.rb"],
            "{step}: the accepted GitHub token stays accepted"
        );
        let after = stored(&home);
        for path in ["config/deploy.env", "src/billing.rb", "src/release.py"] {
            assert_eq!(
                after[path].id, before[path].id,
                "{step}: {path} keeps its id"
            );
            assert_eq!(
                after[path].first_seen, before[path].first_seen,
                "{step}: {path} keeps its first sighting"
            );
            assert_keyed(&after[path].fingerprint);
        }
        assert!(after["src/release.py"].resolved, "{step}: still accepted");
        assert!(!after["src/billing.rb"].resolved);
        assert_eq!(
            json[&("stripe-secret-key".to_owned(), "src/billing.rb".to_owned())],
            after["src/billing.rb"].fingerprint
        );
        // The finding whose secret is gone keeps its place, but not its unkeyed value.
        let gone_now = &after["old/gone.py"];
        assert_eq!(gone_now.id, before["old/gone.py"].id);
        assert!(gone_now.fingerprint.starts_with("v1k:"), "{gone_now:?}");
        let accepted = setting(&home, "scan.accepted").unwrap();
        assert!(
            accepted.contains(&after["src/release.py"].fingerprint),
            "{step}: the acceptance moved to the current fingerprint: {accepted}"
        );
        let announced = setting(&home, "notifications.notified_warning_ids").unwrap();
        assert!(
            announced.contains(&after["src/billing.rb"].fingerprint),
            "{step}: an announced warning is not announced again: {announced}"
        );
        let (_, check, _) = home.run(&["check", "--json"], b"");
        let check: serde_json::Value = serde_json::from_str(&check).unwrap();
        let warnings: Vec<&serde_json::Value> = check["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|warning| !warning["finding_id"].is_null())
            .collect();
        assert_eq!(warnings.len(), 2, "{check:#}");
        assert!(warnings.iter().any(|warning| {
            warning["finding_id"] == after["src/billing.rb"].id
                && warning["id"]
                    .as_str()
                    .unwrap()
                    .contains(&after["src/billing.rb"].fingerprint)
        }));
        for (column, bytes) in database_values(&home.database()) {
            for (path, fingerprint) in &legacy {
                assert!(
                    !contains(&bytes, fingerprint.as_bytes()),
                    "{step}: the unkeyed fingerprint of {path} is still in {column}"
                );
            }
            assert!(!contains(&bytes, gone.as_bytes()), "{step}: {column}");
        }
        if let Some(previous) = &previous {
            assert!(
                json.iter()
                    .all(|(finding, fingerprint)| previous[finding] != *fingerprint),
                "{step}: the fingerprints follow the key"
            );
        }
        previous = Some(json);
    }
}

#[test]
fn the_fingerprint_keys_never_leave_the_keychain() {
    let planted = Planted::new();
    let (home, tree) = planted.home();
    let root = tree.to_str().unwrap();
    let baseline = home.dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut record = |home: &TestHome, args: &[&str]| {
        let (_, stdout, stderr) = home.run(args, b"");
        outputs.push((format!("keyward {args:?}"), stdout + &stderr));
    };
    let scans: [&[&str]; 5] = [
        &["scan", root],
        &["scan", root, "--format", "json"],
        &["scan", root, "--format", "sarif"],
        &["scan", root, "--write-baseline", baseline_arg],
        &["scan", root, "--git"],
    ];
    for args in scans {
        record(&home, args);
    }
    let home_key = keychain_entry(&home, "scan-fingerprint-key").expect("created at first scan");
    assert_eq!(home_key.len(), 32, "32 random bytes");
    let first_team = canary("leakteamkey");
    let second_team = canary("otherteamkey");
    for team_key in [&first_team, &second_team] {
        set_team_key(&home, team_key);
        for args in scans {
            record(&home, args);
        }
        record(
            &home,
            &["scan", root, "--baseline", baseline_arg, "--format", "json"],
        );
    }
    for args in [
        &["check", "--json"][..],
        &["check"],
        &["audit", "list", "--json"],
        &["cred", "list", "--json"],
    ] {
        record(&home, args);
    }
    let ci = home
        .keyward(&["scan", "--no-vault", "--format", "sarif", root])
        .env("KEYWARD_TEAM_KEY", &second_team)
        .output()
        .unwrap();
    outputs.push((
        "a scan with KEYWARD_TEAM_KEY".into(),
        String::from_utf8_lossy(&ci.stdout).into_owned() + &String::from_utf8_lossy(&ci.stderr),
    ));
    let short = home
        .keyward(&["scan", "--no-vault", root])
        .env("KEYWARD_TEAM_KEY", &second_team[..10])
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2), "a short team key is refused");
    outputs.push((
        "a scan with a short KEYWARD_TEAM_KEY".into(),
        String::from_utf8_lossy(&short.stdout).into_owned()
            + &String::from_utf8_lossy(&short.stderr),
    ));
    let former = keychain_entry(&home, "scan-fingerprint-key/former")
        .expect("the replaced team key's scan key is kept");
    assert_eq!(
        former,
        derived(first_team.as_bytes()),
        "kept derived, not as given"
    );

    // The team keys as given, and every key as raw bytes: the home's, and each derived
    // one fingerprints are made with.
    for team_key in [&first_team, &second_team] {
        Needles::of(team_key).assert_absent(&home, &outputs);
    }
    let keys: Vec<(&str, Vec<u8>)> = vec![
        ("the home's key", home_key.clone()),
        ("the home's derived key", derived(&home_key)),
        (
            "the first team key's derived key",
            derived(first_team.as_bytes()),
        ),
        (
            "the second team key's derived key",
            derived(second_team.as_bytes()),
        ),
    ];
    let files: Vec<(String, Vec<u8>)> = files_under(home.dir.path())
        .into_iter()
        .filter_map(|path| Some((path.display().to_string(), std::fs::read(&path).ok()?)))
        .chain(database_values(&home.database()))
        .chain(
            outputs
                .iter()
                .map(|(what, text)| (what.clone(), text.clone().into_bytes())),
        )
        .collect();
    for (name, key) in &keys {
        for (form, needle) in secret_forms(key) {
            for (place, bytes) in &files {
                assert!(!contains(bytes, &needle), "{name} ({form}) is in {place}");
            }
        }
    }
}
