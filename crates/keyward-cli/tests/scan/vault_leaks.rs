//! Vault-value matching and the leak warnings, with a real Secret Service (run these
//! under scripts/with-keyring.sh).

use base64::Engine;
use keyward::model::CredentialKind;
use keyward::scan::FindingKind;
use keyward::{Keyward, ScanMode, ScanRequest};

use crate::common::{fake, keyward, run, stripe_key, write};

#[test]
fn a_vault_value_in_any_encoding_is_reported_as_a_leak_naming_the_credential() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    keyward(&home, &["init"]).assert().success();
    // A value no provider rule knows: only the vault can recognize it.
    let value = fake("{an:12}-{an:12}", 77);
    keyward(
        &home,
        &[
            "cred",
            "add",
            "billing",
            "--kind",
            "api-key",
            "--value-stdin",
        ],
    )
    .write_stdin(value.clone())
    .assert()
    .success();
    let project = dir.path().join("project");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("billing:{value}"));
    write(
        &project,
        "k8s/secret.yaml",
        format!("data:\n  credentials: {encoded}\n"),
    );
    write(
        &project,
        "notes.md",
        format!("curl -H 'X-Key: {}'\n", hex::encode(&value)),
    );
    write(&project, "src/main.rs", "fn main() {}\n");

    let (code, stdout, stderr) = run(
        &home,
        &["scan", "--format", "json", project.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let mut leaks: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap(),
                finding["kind"].as_str().unwrap(),
                finding["vault_credential"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    leaks.sort();
    assert_eq!(
        leaks,
        vec![
            ("k8s/secret.yaml", "leak", "billing"),
            ("notes.md", "leak", "billing")
        ]
    );
    assert!(
        !stdout.contains(&value) && !stdout.contains(&encoded),
        "leak output is redacted"
    );

    let (code, stdout, _) = run(&home, &["check", "--json"], b"");
    assert_eq!(code, 1, "a leak is a warning");
    let warnings: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let leaked: Vec<&serde_json::Value> = warnings["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|warning| warning["kind"] == "leaked")
        .collect();
    assert_eq!(leaked.len(), 2, "one warning per place: {warnings:#}");
    assert!(leaked.iter().all(
        |warning| warning["severity"] == "critical" && warning["action"]["action"] == "rotate"
    ));

    let (_, stdout, _) = run(&home, &["audit", "list", "--json"], b"");
    let audit: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let scans: Vec<&serde_json::Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "scan")
        .collect();
    assert_eq!(
        scans.len(),
        1,
        "one audit entry per scan, however many values were read"
    );
    assert!(
        scans[0]["detail"].to_string().contains("billing"),
        "the entry names the leaked credential"
    );

    std::fs::remove_file(project.join("notes.md")).unwrap();
    std::fs::remove_file(project.join("k8s/secret.yaml")).unwrap();
    let (code, _, _) = run(&home, &["scan", project.to_str().unwrap()], b"");
    assert_eq!(code, 0);
    let (_, stdout, _) = run(&home, &["check", "--json"], b"");
    assert!(
        !stdout.contains("\"leaked\""),
        "a rescan resolves findings that are gone: {stdout}"
    );
}

#[test]
fn a_found_secret_is_imported_in_one_step_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut keyward = Keyward::init(&home).unwrap();
    let project = dir.path().join("project");
    let key = stripe_key(55);
    write(
        &project,
        "app/settings.py",
        format!("DEBUG = False\nSTRIPE_KEY = \"{key}\"\n"),
    );
    let request = ScanRequest {
        roots: vec![project.clone()],
        mode: ScanMode::Files,
        ..Default::default()
    };
    let report = keyward.leaks().scan(&request, None, &|_| {}).unwrap();
    assert_eq!(report.findings.len(), 1);
    let stored = keyward.leaks().findings(false).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].finding.kind, FindingKind::Secret);

    let created = keyward
        .leaks()
        .import_found_secret(stored[0].id, "stripe-live", None)
        .unwrap();
    assert_eq!(
        created.kind,
        CredentialKind::ApiKey,
        "the rule's kind is offered"
    );
    assert_eq!(
        created.provider.as_deref(),
        Some("stripe"),
        "the catalogue's id, as every import stores it"
    );
    let value = keyward
        .credentials()
        .reveal("stripe-live", keyward::Access::Reveal)
        .unwrap();
    assert_eq!(
        value.expose_str(),
        Some(key.as_str()),
        "the imported value is the secret from the file"
    );

    let report = keyward.leaks().scan(&request, None, &|_| {}).unwrap();
    assert_eq!(
        report.findings[0].kind,
        FindingKind::Leak,
        "once imported, the file copy is a leak of the vault value"
    );
    assert_eq!(
        report.findings[0].vault_credential.as_deref(),
        Some("stripe-live")
    );
}
