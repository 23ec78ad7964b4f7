//! Confidence per finding and the generic rule's precision on code: what a scan says it
//! is sure of, what `--min-confidence` leaves out, and the identifiers, constants, calls,
//! format strings, failed-checksum fakes and documentation URLs the generic rules must
//! not report at all.

use std::path::Path;

use serde_json::Value;

use crate::common::{fake, github_token, run, stripe_key, write};

/// (path, rule, confidence) of every finding of a JSON scan of `root`.
fn scan(root: &Path, extra: &[&str]) -> (i32, Vec<(String, String, String)>, String) {
    let home = root.with_file_name("no-home");
    let mut args = vec!["scan", "--no-vault", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(root.to_str().unwrap());
    let (code, stdout, stderr) = run(&home, &args, b"");
    let json: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let mut seen: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .map(|findings| {
            findings
                .iter()
                .map(|finding| {
                    (
                        finding["path"].as_str().unwrap().to_owned(),
                        finding["rule"].as_str().unwrap().to_owned(),
                        finding["confidence"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    seen.sort();
    (code, seen, stderr)
}

fn triple(path: &str, rule: &str, confidence: &str) -> (String, String, String) {
    (path.into(), rule.into(), confidence.into())
}

/// One finding of each confidence, and one in a test file.
fn graded_project(root: &Path) {
    write(
        root,
        "deploy/.env",
        format!("GITHUB_TOKEN={}\n", github_token(1)),
    );
    write(
        root,
        "src/billing.js",
        format!("const key = '{}';\n", stripe_key(2)),
    );
    write(
        root,
        "config/app.yaml",
        format!("db_password: {}\n", fake("{an:12}9{an:12}", 3)),
    );
    write(
        root,
        "tests/client_test.go",
        format!("var token = \"{}\"\n", github_token(4)),
    );
}

#[test]
fn every_finding_carries_a_confidence_and_the_minimum_leaves_out_the_less_sure() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    graded_project(&root);
    let (code, all, stderr) = scan(&root, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        all,
        vec![
            triple("config/app.yaml", "generic-secret-assignment", "low"),
            triple("deploy/.env", "github-pat", "high"),
            triple("src/billing.js", "stripe-secret-key", "medium"),
            triple("tests/client_test.go", "github-pat", "medium"),
        ],
        "checksum-validated high, provider pattern medium, generic low, a test one step lower"
    );
    let (code, medium, _) = scan(&root, &["--min-confidence", "medium"]);
    assert_eq!(code, 1);
    assert_eq!(
        medium,
        vec![
            triple("deploy/.env", "github-pat", "high"),
            triple("src/billing.js", "stripe-secret-key", "medium"),
            triple("tests/client_test.go", "github-pat", "medium"),
        ]
    );
    let (code, high, _) = scan(&root, &["--min-confidence", "high"]);
    assert_eq!(code, 1);
    assert_eq!(high, vec![triple("deploy/.env", "github-pat", "high")]);

    let only_generic = dir.path().join("generic-only");
    write(
        &only_generic,
        "config/app.yaml",
        format!("db_password: {}\n", fake("{an:12}9{an:12}", 5)),
    );
    let (code, none, stderr) = scan(&only_generic, &["--min-confidence", "medium"]);
    assert_eq!(
        (code, none),
        (0, vec![]),
        "nothing at or above the minimum is a clean scan: {stderr}"
    );
}

#[test]
fn sarif_and_human_output_carry_the_confidence() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    graded_project(&root);
    let home = dir.path().join("no-home");
    let (code, stdout, stderr) = run(
        &home,
        &[
            "scan",
            "--no-vault",
            "--format",
            "sarif",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "{stderr}");
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let mut levels: Vec<(String, String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            (
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                result["level"].as_str().unwrap().to_owned(),
                result["properties"]["confidence"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    levels.sort();
    assert_eq!(
        levels,
        vec![
            triple("config/app.yaml", "note", "low"),
            triple("deploy/.env", "error", "high"),
            triple("src/billing.js", "warning", "medium"),
            triple("tests/client_test.go", "warning", "medium"),
        ]
    );
    let (_, human, _) = run(&home, &["scan", "--no-vault", root.to_str().unwrap()], b"");
    let line = human
        .lines()
        .find(|line| line.starts_with("deploy/.env:1:"))
        .expect("the token's line");
    assert!(line.contains("[high]"), "{line}");
}

#[test]
fn an_unknown_minimum_is_refused_naming_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    graded_project(&root);
    let (code, _, stderr) = run(
        &dir.path().join("no-home"),
        &[
            "scan",
            "--min-confidence",
            "certain",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--min-confidence") && stderr.contains("certain"),
        "{stderr}"
    );
}

#[test]
fn the_generic_rules_skip_identifiers_constants_calls_format_strings_fakes_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let random = fake("{an:12}9{an:12}", 6);
    let mut bad_checksum = github_token(7);
    let last = bad_checksum.pop().unwrap();
    bad_checksum.push(if last == 'A' { 'B' } else { 'A' });
    write(
        &root,
        "src/fts5.c",
        "int rc = 0;\nnToken = FTS5_CORRUPT_VTAB_TOKEN;\npassword = lookupPasswordFor;\n",
    );
    write(
        &root,
        "src/settings.py",
        "api_key = settings.API_KEY_VALUE\nsecret_token = fetchSecretToken(ctx)\n\
         auth_header_secret = \"Bearer%s\"\nSECRET_KEY = \"DJANGO_SECRET_KEY_NAME\"\n",
    );
    write(
        &root,
        "src/types.ts",
        "export interface Props {\n  refreshToken: AccessTokenProvider;\n}\n",
    );
    write(
        &root,
        "src/client.rs",
        format!("let token = \"{bad_checksum}\";\n"),
    );
    write(
        &root,
        "docs/setup.conf",
        format!("url = postgres://app:{random}@db.example.com:5432/app\n"),
    );
    let (code, found, stderr) = scan(&root, &[]);
    assert_eq!((code, found), (0, vec![]), "{stderr}");

    // The same values where they are literals are reported.
    let real = dir.path().join("real");
    write(
        &real,
        "src/settings.py",
        format!("api_key = \"{random}\"\n"),
    );
    write(&real, "deploy/.env", format!("DB_PASSWORD={random}\n"));
    write(
        &real,
        "deploy/db.conf",
        format!("url = postgres://app:{random}@db.internal:5432/app\n"),
    );
    write(&real, "src/fts5.c", format!("password = {random};\n"));
    let (code, found, stderr) = scan(&real, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found,
        vec![
            triple("deploy/.env", "generic-secret-assignment", "low"),
            triple("deploy/db.conf", "connection-url-password", "low"),
            triple("src/settings.py", "generic-secret-assignment", "low"),
        ],
        "an unquoted value in C source is an expression, never a literal"
    );
}
