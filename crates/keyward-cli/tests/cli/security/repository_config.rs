//! A repository cannot hide your own leaked secret. A scanned repository's
//! `.keyward.toml` may tune provider rules and allowlist provider-rule findings, but its
//! allowlists (`paths = ["**"]`, `regexes = ["."]`), its baseline, its size limit and an
//! inline `keyward:allow` never silence a vault value found in its files (kind `leak`);
//! only the user's own settings (`--config`, `--baseline`) may. The output says when a
//! repository's settings were applied.

use std::path::{Path, PathBuf};

use keyward::scan::samples::{Fill, expand};

use crate::common::{TestHome, canary};

/// Settings a hostile repository ships to silence everything.
const SILENCE_EVERYTHING: &str = "[allow]\npaths = [\"**\"]\nregexes = [\".\"]\n";

fn write(root: &Path, relative: &str, content: impl AsRef<[u8]>) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A home holding `deploy-token` (a canary) and a repository with the canary planted in
/// `config/deploy.env` and a provider secret in `src/release.py`.
fn planted(config: &str) -> (TestHome, PathBuf, String) {
    let home = TestHome::new();
    let value = canary("repoconfig");
    home.add("deploy-token", "token", &value);
    let repo = home.dir.path().join("repo");
    write(
        &repo,
        "config/deploy.env",
        format!("DEPLOY_TOKEN={value}\n"),
    );
    let github = expand("ghp_{an:30}{crc}", Fill::Real(21));
    write(
        &repo,
        "src/release.py",
        format!("GITHUB_TOKEN = \"{github}\"\n"),
    );
    write(&repo, ".keyward.toml", config);
    (home, repo, value)
}

fn scan_json(home: &TestHome, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = home.run(&all, b"");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("one JSON document ({error}): {stdout}{stderr}"));
    (code, json, stderr)
}

/// (path, kind, vault credential) of every finding.
fn findings(json: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_owned(),
                finding["kind"].as_str().unwrap().to_owned(),
                finding["vault_credential"]
                    .as_str()
                    .unwrap_or("-")
                    .to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn the_leak() -> Vec<(String, String, String)> {
    vec![(
        "config/deploy.env".to_owned(),
        "leak".to_owned(),
        "deploy-token".to_owned(),
    )]
}

#[test]
fn a_repository_allowlist_cannot_hide_a_vault_leak_and_the_output_says_it_applied() {
    let (home, repo, value) = planted(SILENCE_EVERYTHING);
    let root = repo.to_str().unwrap();

    let (code, json, stderr) = scan_json(&home, &[root]);
    assert_eq!(code, 1, "the leak fails the scan: {json:#}{stderr}");
    assert_eq!(
        findings(&json),
        the_leak(),
        "the repository's allowlist still silences the provider secret, never the vault value"
    );
    assert_eq!(
        json["repository_config"],
        serde_json::json!([".keyward.toml"]),
        "the JSON says the repository's settings applied"
    );
    assert!(
        !json.to_string().contains(&value),
        "the leak is reported redacted"
    );

    let (code, stdout, _) = home.run(&["scan", root], b"");
    assert_eq!(code, 1);
    assert!(
        stdout.contains("repository config applied: .keyward.toml"),
        "the human output says so: {stdout}"
    );
    assert!(
        stdout.contains("LEAK of vault credential `deploy-token`"),
        "{stdout}"
    );

    let (code, stdout, _) = home.run(&["scan", "--format", "sarif", root], b"");
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["repository_config"],
        serde_json::json!([".keyward.toml"]),
        "SARIF carries it in the run's properties"
    );
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        1,
        "{sarif:#}"
    );
}

#[test]
fn an_inline_marker_cannot_hide_a_vault_leak() {
    let (home, repo, value) = planted("");
    write(
        &repo,
        "config/deploy.env",
        format!("DEPLOY_TOKEN={value}  # keyward:allow\n"),
    );
    let github = expand("ghp_{an:30}{crc}", Fill::Real(21));
    write(
        &repo,
        "src/release.py",
        format!("GITHUB_TOKEN = \"{github}\"  # keyward:allow\n"),
    );
    let (code, json, stderr) = scan_json(&home, &[repo.to_str().unwrap()]);
    assert_eq!(code, 1, "{json:#}{stderr}");
    assert_eq!(
        findings(&json),
        the_leak(),
        "the marker silences the provider secret on its line, not the vault value"
    );
}

#[test]
fn a_repository_baseline_cannot_accept_a_vault_leak_but_the_users_can() {
    let (home, repo, _) = planted("");
    let root = repo.to_str().unwrap();
    let baseline = repo.join(".keyward-baseline.json");
    let (code, _, stderr) = home.run(
        &["scan", root, "--write-baseline", baseline.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 0, "{stderr}");
    write(
        &repo,
        ".keyward.toml",
        "baseline = \".keyward-baseline.json\"\n",
    );
    let (code, json, stderr) = scan_json(&home, &[root]);
    assert_eq!(code, 1, "{json:#}{stderr}");
    assert_eq!(
        findings(&json),
        the_leak(),
        "the repository's baseline accepts the provider secret only"
    );

    let (code, json, stderr) = scan_json(&home, &[root, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(
        code, 0,
        "a baseline the user names accepts the leak too: {json:#}{stderr}"
    );
}

#[test]
fn a_repository_size_limit_cannot_hide_a_vault_leak() {
    let (home, repo, _) = planted("max_file_size = 1\n");
    let (code, json, stderr) = scan_json(&home, &[repo.to_str().unwrap()]);
    assert_eq!(code, 1, "{json:#}{stderr}");
    let found = findings(&json);
    assert!(
        found.contains(&the_leak()[0]),
        "a repository may raise the size limit, not lower it below the default: {found:?}"
    );
}

#[test]
fn the_users_own_settings_may_accept_a_leak() {
    let (home, repo, _) = planted(SILENCE_EVERYTHING);
    let own = home.write_file("my-scan.toml", SILENCE_EVERYTHING.as_bytes());
    let (code, json, stderr) = scan_json(
        &home,
        &[repo.to_str().unwrap(), "--config", own.to_str().unwrap()],
    );
    assert_eq!(
        code, 0,
        "settings the user names apply to every finding: {json:#}{stderr}"
    );
    assert!(
        json.get("repository_config").is_none(),
        "no repository settings applied: {json:#}"
    );
}
