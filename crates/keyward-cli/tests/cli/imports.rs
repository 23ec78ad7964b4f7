//! Importers through the CLI: what is created, what is skipped, and that a failure at
//! any point leaves neither rows nor keychain entries behind.

use crate::common::{TestHome, canary};

#[test]
fn dotenv_imports_secret_looking_entries_and_reports_the_rest() {
    let home = TestHome::new();
    let token = canary("env");
    let password = canary("pw");
    let file = home.write_file(
        ".env",
        format!("# app\nPORT=8080\nexport GITHUB_TOKEN={token}\nDB_PASSWORD=\"{password}\"\nEMPTY_SECRET=\n").as_bytes(),
    );
    let (code, stdout, stderr) = home.run(&["import", "dotenv", file.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Imported 2 credential(s)"), "{stdout}");
    assert!(
        stdout.contains("PORT (line 2): does not look like a secret"),
        "{stdout}"
    );
    assert_eq!(home.credential_names(), vec!["DB_PASSWORD", "GITHUB_TOKEN"]);
    assert_eq!(home.reveal("GITHUB_TOKEN"), token);
    assert_eq!(home.reveal("DB_PASSWORD"), password);
    let (_, show, _) = home.run(&["cred", "show", "GITHUB_TOKEN", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(json["kind"], "token");
    assert_eq!(json["provider"], "github");
}

#[test]
fn dry_run_previews_redacted_and_writes_nothing() {
    let home = TestHome::new();
    let token = canary("dry");
    let file = home.write_file(".env", format!("API_TOKEN={token}\n").as_bytes());
    let (code, stdout, _) = home.run(
        &["import", "dotenv", file.to_str().unwrap(), "--dry-run"],
        b"",
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("API_TOKEN") && stdout.contains("import"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&token),
        "the preview shows values redacted"
    );
    assert!(
        home.credential_names().is_empty(),
        "a dry run changes nothing"
    );
}

#[test]
fn postman_environments_import_secret_and_secret_looking_values() {
    let home = TestHome::new();
    let key = canary("postman");
    let file = home.write_file(
        "env.json",
        serde_json::json!({
            "id": "5d1c", "name": "staging",
            "values": [
                {"key": "baseUrl", "value": "https://api.example.com", "type": "default", "enabled": true},
                {"key": "session", "value": key, "type": "secret", "enabled": true},
                {"key": "old_token", "value": "x", "type": "secret", "enabled": false}
            ],
            "_postman_variable_scope": "environment"
        })
        .to_string()
        .as_bytes(),
    );
    let (code, stdout, stderr) = home.run(&["import", "postman", file.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(home.credential_names(), vec!["session"], "{stdout}");
    assert_eq!(home.reveal("session"), key);
    assert!(
        stdout.contains("old_token (line"),
        "disabled values are reported as skipped: {stdout}"
    );
}

#[test]
fn csv_imports_our_columns_and_password_manager_exports() {
    let home = TestHome::new();
    let ours = canary("csv");
    let file = home.write_file(
        "creds.csv",
        format!("name,kind,value,provider,hosts,rotate_every\nci-token,token,{ours},gitlab,gitlab.example.com,30d\n").as_bytes(),
    );
    home.keyward(&["import", "csv"])
        .arg(&file)
        .assert()
        .success();
    let (_, show, _) = home.run(&["cred", "show", "ci-token", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(json["rotate_every_days"], 30);
    assert_eq!(json["allowed_hosts"][0], "gitlab.example.com");
    assert_eq!(home.reveal("ci-token"), ours);

    let password = canary("kpx");
    let export = home.write_file(
        "keepassxc.csv",
        format!("\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\"\n\"Root\",\"jira\",\"bot\",\"{password}\",\"https://jira.example.com/login\",\"\"\n").as_bytes(),
    );
    home.keyward(&["import", "csv"])
        .arg(&export)
        .assert()
        .success();
    let (_, show, _) = home.run(&["cred", "show", "jira", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(
        json["kind"], "basic",
        "a username and password become a basic credential"
    );
    assert_eq!(json["allowed_hosts"][0], "jira.example.com");
    assert_eq!(home.reveal("jira"), format!("bot:{password}"));
}

#[test]
fn a_failure_late_in_an_import_removes_the_keychain_entries_already_written() {
    let home = TestHome::new();
    // Make the database refuse the third row, after two values are in the keychain: a
    // unique index that the second and third rows both fall under. (Not a trigger:
    // Keyward's connection runs none, since one could rewrite a row before it is sealed.)
    home.sql(
        "CREATE UNIQUE INDEX refuse_third ON credentials(kind)
         WHERE name IN ('SECOND_TOKEN', 'THIRD_TOKEN');",
    );
    let file = home.write_file(
        ".env",
        format!(
            "FIRST_TOKEN={}\nSECOND_TOKEN={}\nTHIRD_TOKEN={}\n",
            canary("a"),
            canary("b"),
            canary("c")
        )
        .as_bytes(),
    );
    let (code, _, stderr) = home.run(&["import", "dotenv", file.to_str().unwrap()], b"");
    assert_ne!(code, 0, "the import must fail");
    assert!(
        stderr.contains("THIRD_TOKEN") && stderr.contains("already exists"),
        "{stderr}"
    );
    assert!(
        home.credential_names().is_empty(),
        "no row of a failed import may remain"
    );
    assert!(
        home.keychain_value_accounts().is_empty(),
        "keychain entries written before the failure must be deleted again"
    );
}
