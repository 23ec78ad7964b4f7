//! Names are never paths. Credential and integration names follow one rule (1-64 ASCII
//! letters, digits, `.`, `_`, `-`, starting with a letter or digit) at every way in, and
//! the files Keyward writes for a credential (JWKS, CSR) are named by its id, so a name
//! stored before the rule (`../../x`, an absolute path) can still be listed, rotated,
//! renamed and removed without writing outside the home.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::common::leaks::files_under;
use crate::common::{TestHome, canary, openssl_certificate};

/// Words every refusal carries, so the user learns the rule from the error.
const RULE: &str = "1-64 ASCII letters, digits";

/// Names that used to be accepted and are paths, or hide how they display.
fn hostile_names(dir: &Path) -> Vec<String> {
    vec![
        "../../x".to_owned(),
        format!("{}/abs-x", dir.display()),
        "a/b".to_owned(),
        "a\\b".to_owned(),
        "invoice\u{202E}fdp.exe".to_owned(),
        ".hidden".to_owned(),
        "with space".to_owned(),
        "x".repeat(65),
    ]
}

fn assert_refused(code: i32, stderr: &str, what: &str) {
    assert_eq!(code, 2, "{what} must be refused as input error: {stderr}");
    assert!(
        stderr.contains(RULE),
        "{what}: the error must name the rule: {stderr}"
    );
}

/// Everything in the test's temp dir outside the home (where an escaping write lands).
fn files_outside_home(home: &TestHome) -> Vec<PathBuf> {
    files_under(home.dir.path())
        .into_iter()
        .filter(|path| !path.starts_with(home.path()))
        .collect()
}

fn credential_id(home: &TestHome, name: &str) -> i64 {
    let (code, stdout, stderr) = home.run(&["cred", "show", name, "--json"], b"");
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    json["id"].as_i64().expect("credential id")
}

fn sql_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Gives a credential a name from before the rule, as an old home would hold it.
fn legacy_rename(home: &TestHome, from: &str, to: &str) {
    home.sql(&format!(
        "UPDATE credentials SET name = {} WHERE name = {};",
        sql_quote(to),
        sql_quote(from)
    ));
}

#[test]
fn cred_add_refuses_names_that_are_paths_or_hide_characters() {
    let home = TestHome::new();
    for name in hostile_names(home.dir.path()) {
        let value = canary("name");
        let (code, stdout, stderr) = home.run(
            &["cred", "add", &name, "--kind", "token", "--value-stdin"],
            value.as_bytes(),
        );
        assert_refused(code, &stderr, &format!("cred add {name:?}"));
        assert!(!stdout.contains(&value) && !stderr.contains(&value));
    }
    assert!(home.credential_names().is_empty(), "nothing was created");
    assert!(home.keychain_value_accounts().is_empty());

    let value = canary("ok");
    home.add("v1.2_ok-name", "token", &value);
    assert_eq!(home.credential_names(), vec!["v1.2_ok-name"]);
}

#[test]
fn integration_add_and_cert_import_refuse_unsafe_names() {
    let home = TestHome::new();
    let (cert, key) = openssl_certificate(
        home.dir.path(),
        "client",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    for name in hostile_names(home.dir.path()) {
        let (code, _, stderr) = home.run(
            &[
                "integration",
                "add",
                &name,
                "--provider",
                "github",
                "--owner",
                "Payments Team",
                "--env",
                "dev",
                "--endpoint",
                "https://api.example.com/v1",
            ],
            b"",
        );
        assert_refused(code, &stderr, &format!("integration add {name:?}"));
        let (code, _, stderr) = home.run(
            &[
                "cert",
                "import",
                cert.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
                "--name",
                &name,
            ],
            b"",
        );
        assert_refused(code, &stderr, &format!("cert import --name {name:?}"));
    }
    let (code, stdout, _) = home.run(&["integration", "list", "--json"], b"");
    assert_eq!(code, 0);
    assert!(
        !stdout.contains("abs-x") && !stdout.contains("../"),
        "no integration was created: {stdout}"
    );
    assert!(home.credential_names().is_empty());
    assert!(home.keychain_value_accounts().is_empty());
}

#[test]
fn an_import_row_with_an_unsafe_name_is_refused_and_changes_nothing() {
    let home = TestHome::new();
    let good = canary("csvgood");
    let bad = canary("csvbad");
    let csv = home.write_file(
        "keys.csv",
        format!("name,kind,value\ngood-one,token,{good}\n../../evil,token,{bad}\n").as_bytes(),
    );
    let path = csv.to_str().unwrap();

    let (code, stdout, stderr) = home.run(&["import", "csv", path, "--dry-run"], b"");
    assert_eq!(code, 0, "{stderr}");
    let evil = stdout
        .lines()
        .find(|line| line.contains("../../evil"))
        .unwrap_or_else(|| panic!("the preview lists the row: {stdout}"));
    assert!(
        evil.contains("refused") && evil.contains(RULE) && evil.contains("`evil`"),
        "the preview says the row is refused, why, and offers a safe name: {evil}"
    );
    assert!(!stdout.contains(&good) && !stdout.contains(&bad));

    let (code, stdout, stderr) = home.run(&["import", "csv", path, "--dry-run", "--json"], b"");
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let entry = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["name"] == "../../evil")
        .expect("the row is in the JSON preview");
    assert!(
        entry["skip"]
            .as_str()
            .is_some_and(|skip| skip.contains(RULE)),
        "{entry}"
    );

    let (code, stdout, stderr) = home.run(&["import", "csv", path], b"");
    assert_refused(code, &stderr, "import csv");
    assert!(
        stderr.contains(&format!("{path}:3")),
        "the error names the file and line: {stderr}"
    );
    assert!(!stdout.contains(&bad) && !stderr.contains(&bad));
    assert!(
        home.credential_names().is_empty(),
        "the good row is not imported either: an import is all or nothing"
    );
    assert!(home.keychain_value_accounts().is_empty());
    assert!(files_outside_home(&home).iter().all(|file| file == &csv));
}

#[test]
fn postman_keys_that_are_paths_are_refused() {
    let home = TestHome::new();
    let value = canary("postmanpath");
    let file = home.write_file(
        "env.json",
        serde_json::json!({
            "id": "1", "name": "staging",
            "values": [{"key": "a/b_token", "value": value, "type": "secret", "enabled": true}],
            "_postman_variable_scope": "environment"
        })
        .to_string()
        .as_bytes(),
    );
    let (code, stdout, stderr) = home.run(&["import", "postman", file.to_str().unwrap()], b"");
    assert_refused(code, &stderr, "import postman");
    assert!(!stdout.contains(&value) && !stderr.contains(&value));
    assert!(home.credential_names().is_empty());
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[test]
fn rotating_a_legacy_path_name_writes_the_jwks_and_csr_by_id_inside_the_home() {
    let home = TestHome::new();
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &rng,
    )
    .unwrap();
    home.add(
        "signer",
        "jwt-signing-key",
        &pem_encode("PRIVATE KEY", pkcs8.as_ref()),
    );
    let (cert, key) = openssl_certificate(
        home.dir.path(),
        "mtls",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    let (code, _, stderr) = home.run(
        &[
            "cert",
            "import",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--name",
            "mtls",
        ],
        b"",
    );
    assert_eq!(code, 0, "{stderr}");
    for name in ["signer", "mtls"] {
        let (code, _, stderr) =
            home.run(&["cred", "set-rotation", name, "--method", "generate"], b"");
        assert_eq!(code, 0, "{stderr}");
    }
    let signer_id = credential_id(&home, "signer");
    let mtls_id = credential_id(&home, "mtls");
    // The names an old home may hold: one climbing out of the home, one absolute.
    let climbing = "../../escaped-jwks";
    let absolute = format!("{}/absolute-csr", home.dir.path().display());
    legacy_rename(&home, "signer", climbing);
    legacy_rename(&home, "mtls", &absolute);
    let before = files_outside_home(&home);

    for name in [climbing, absolute.as_str()] {
        let (code, stdout, stderr) = home.run(&["rotate", name, "--yes"], b"");
        assert_eq!(code, 0, "rotate {name}: {stdout}{stderr}");
    }

    assert!(
        home.path().join(format!("jwks/{signer_id}.json")).is_file(),
        "the JWKS is named by the credential's id: {:?}",
        files_under(&home.path())
    );
    assert!(
        home.path().join(format!("csr/{mtls_id}.csr.pem")).is_file(),
        "the CSR is named by the credential's id: {:?}",
        files_under(&home.path())
    );
    assert_eq!(
        files_outside_home(&home),
        before,
        "rotation wrote nothing outside the home"
    );
    for file in files_under(&home.path()) {
        let shown = file.to_string_lossy();
        assert!(
            !shown.contains("escaped") && !shown.contains("absolute-csr"),
            "no file under the home is named after a credential: {shown}"
        );
    }
    let jwks: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join(format!("jwks/{signer_id}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2));
}

#[test]
fn legacy_unsafe_names_still_list_and_can_be_renamed_or_removed() {
    let home = TestHome::new();
    let kept = canary("legacykept");
    let dropped = canary("legacydropped");
    home.add("legacy-a", "token", &kept);
    home.add("legacy-b", "token", &dropped);
    let bidi = "a/b\u{202E}txt";
    legacy_rename(&home, "legacy-a", "../../x");
    legacy_rename(&home, "legacy-b", bidi);

    let mut names = home.credential_names();
    names.sort();
    assert_eq!(names, vec!["../../x".to_owned(), bidi.to_owned()]);
    let (code, _, stderr) = home.run(&["cred", "list"], b"");
    assert_eq!(code, 0, "{stderr}");

    let (code, _, stderr) = home.run(&["cred", "rename", "../../x", "../y"], b"");
    assert_refused(code, &stderr, "renaming to an unsafe name");
    let (code, stdout, stderr) = home.run(&["cred", "rename", "../../x", "fixed-name"], b"");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        home.reveal("fixed-name"),
        kept,
        "a rename keeps the value where it was"
    );
    let (code, _, stderr) = home.run(&["cred", "rename", bidi, "fixed-name"], b"");
    assert_eq!(code, 2, "a taken name is refused: {stderr}");

    let (code, stdout, stderr) = home.run(&["cred", "rm", bidi], b"");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(home.credential_names(), vec!["fixed-name"]);
    assert_eq!(
        home.keychain_value_accounts().len(),
        1,
        "the removed credential's keychain entry is gone too"
    );
    let (code, stdout, _) = home.run(&["audit", "list"], b"");
    assert_eq!(code, 0);
    assert!(
        stdout.contains("fixed-name"),
        "the rename is audited: {stdout}"
    );
    let (code, stdout, stderr) = home.run(&["audit", "verify"], b"");
    assert_eq!(code, 0, "{stdout}{stderr}");
}
