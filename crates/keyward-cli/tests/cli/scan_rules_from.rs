//! `keyward scan --rules-from FILE`: a team's gitleaks configuration runs in Keyward
//! with gitleaks' meaning (secret groups, entropy, path filters, allowlists), beside the
//! built-in rules; its allowlists never hide a vault value; and a file Keyward cannot
//! honour is refused, naming the file and the rule, with exit 2 and nothing changed.

use std::path::{Path, PathBuf};

use keyward::scan::samples::{Fill, expand};

use crate::common::TestHome;

fn write(root: &Path, relative: &str, content: impl AsRef<[u8]>) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// The team's gitleaks rules: an internal token known by its prefix (no keywords: they
/// are derived), a password taken from its second group, a webhook secret with
/// stopwords, a deploy key only in `.env` files, a session id with an entropy floor,
/// and a global allowlist for vendored code.
const TEAM_RULES: &str = r#"
title = "Acme secrets"

[extend]
useDefault = true

[[rules]]
id = "acme-internal-token"
description = "Acme internal API token"
regex = '''\b(acmeint_[a-z0-9]{32})\b'''

[[rules]]
id = "acme-db-password"
description = "Acme database password"
regex = '''(?i)(acme_db_(?:user|password))\s*[:=]\s*["']?([A-Za-z0-9]{24})["']?'''
secretGroup = 2
keywords = ["acme_db_"]

[[rules]]
id = "acme-webhook-secret"
description = "Acme webhook signing secret"
regex = '''whsec_acme_[A-Za-z0-9]{24}'''
  [[rules.allowlists]]
  stopwords = ["example"]
  [[rules.allowlists]]
  condition = "AND"
  regexTarget = "line"
  regexes = ['''rotated-\d{4}''']
  paths = ['''^ops/''']

[[rules]]
id = "acme-deploy-key"
description = "Acme deploy key in environment files"
regex = '''ACME_DEPLOY=([A-Za-z0-9]{40})'''
path = '''(?:^|/)\.env(?:\.[a-z]+)?$'''

[[rules]]
id = "acme-session"
description = "Acme session id"
regex = '''acmesess-([a-z0-9]{24})'''
entropy = 3.5

[[allowlists]]
description = "vendored code is someone else's"
paths = ['''^vendor/''']
"#;

struct Planted {
    home: TestHome,
    repo: PathBuf,
    rules: PathBuf,
    password: String,
    vault_value: String,
}

/// A home holding `acme-ci` (an internal token) and a repository where each rule has
/// one secret it must report and one it must not.
fn planted() -> Planted {
    let home = TestHome::new();
    let vault_value = expand("acmeint_{lo:32}", Fill::Real(90));
    home.add("acme-ci", "token", &vault_value);
    let repo = home.dir.path().join("repo");
    let token = expand("acmeint_{lo:32}", Fill::Real(91));
    let password = expand("{an:24}", Fill::Real(92));
    let webhook = expand("whsec_acme_{an:24}", Fill::Real(93));
    let example_webhook = expand("whsec_acme_example{an:17}", Fill::Real(94));
    let rotated_webhook = expand("whsec_acme_{an:24}", Fill::Real(95));
    let deploy = expand("{an:40}", Fill::Real(96));
    let session = expand("acmesess-{lo:24}", Fill::Real(97));
    let github = expand("ghp_{an:30}{crc}", Fill::Real(98));
    write(
        &repo,
        "src/client.py",
        format!("import os\n\nTOKEN = \"{token}\"\n"),
    );
    // Keyward skips test data for its own rules; a gitleaks rule reports there, as in
    // gitleaks.
    write(&repo, "testdata/token.txt", format!("{token}\n"));
    write(
        &repo,
        "config/database.yml",
        format!("production:\n  acme_db_password: \"{password}\"\n"),
    );
    write(
        &repo,
        "src/hooks.js",
        format!("const signing = '{webhook}';\nconst sample = '{example_webhook}';\n"),
    );
    write(
        &repo,
        "ops/hooks.txt",
        format!("old: {rotated_webhook} rotated-2024\nnew: {webhook}\n"),
    );
    write(&repo, ".env.production", format!("ACME_DEPLOY={deploy}\n"));
    write(&repo, "docs/deploy.txt", format!("ACME_DEPLOY={deploy}\n"));
    write(
        &repo,
        "src/session.txt",
        format!("s1 acmesess-aaaaaaaaaaaabbbbbbbbbbbb\ns2 {session}\n"),
    );
    write(
        &repo,
        "vendor/lib/ci.txt",
        format!("{token}\n{vault_value}\n"),
    );
    write(&repo, "vendor/lib/gh.txt", format!("{github}\n"));
    write(&repo, "src/gh.txt", format!("{github}\n"));
    let rules = home.dir.path().join("gitleaks.toml");
    std::fs::write(&rules, TEAM_RULES).unwrap();
    Planted {
        home,
        repo,
        rules,
        password,
        vault_value,
    }
}

/// (rule, kind, path, line) of every finding, sorted.
fn findings(json: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap().to_owned(),
                finding["kind"].as_str().unwrap().to_owned(),
                finding["path"].as_str().unwrap().to_owned(),
                finding["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected(rows: &[(&str, &str, &str, u64)]) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = rows
        .iter()
        .map(|(rule, kind, path, line)| {
            (
                (*rule).to_owned(),
                (*kind).to_owned(),
                (*path).to_owned(),
                *line,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn scan_rules_from_a_gitleaks_file_report_what_gitleaks_would_beside_the_builtin_rules() {
    let planted = planted();
    let (code, stdout, stderr) = planted.home.run(
        &[
            "scan",
            "--format",
            "json",
            "--rules-from",
            planted.rules.to_str().unwrap(),
            planted.repo.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "findings fail the scan: {stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(
        findings(&json),
        expected(&[
            // The prefix rule, its keyword derived from the regex; in test data too.
            ("acme-internal-token", "secret", "src/client.py", 3),
            ("acme-internal-token", "secret", "testdata/token.txt", 1),
            // secretGroup 2: the password, not the key name.
            ("acme-db-password", "secret", "config/database.yml", 2),
            // The stopword hides the sample; the AND allowlist only the rotated line in ops/.
            ("acme-webhook-secret", "secret", "src/hooks.js", 1),
            ("acme-webhook-secret", "secret", "ops/hooks.txt", 2),
            // The path filter: .env files only.
            ("acme-deploy-key", "secret", ".env.production", 1),
            // The entropy floor drops the repetitive id.
            ("acme-session", "secret", "src/session.txt", 2),
            // The global allowlist hides vendored secrets of every rule, built-in ones
            // included, but never the vault's own value.
            ("acme-internal-token", "leak", "vendor/lib/ci.txt", 2),
            ("github-pat", "secret", "src/gh.txt", 1),
        ]),
        "{json:#}"
    );
    let password = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == "acme-db-password")
        .unwrap();
    assert_eq!(
        password["redacted"],
        format!("{}…(24)", &planted.password[..4]),
        "the reported secret is group 2, the password itself"
    );
    let leak = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["kind"] == "leak")
        .unwrap();
    assert_eq!(leak["vault_credential"], "acme-ci");
    assert!(
        !stdout.contains(&planted.vault_value) && !stdout.contains(&planted.password),
        "findings are redacted"
    );

    let (code, stdout, _) = planted.home.run(
        &[
            "scan",
            "--format",
            "sarif",
            "--rules-from",
            planted.rules.to_str().unwrap(),
            planted.repo.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let driver_rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let session = driver_rules
        .iter()
        .find(|rule| rule["id"] == "acme-session")
        .expect("SARIF describes the gitleaks rules that fired");
    assert_eq!(
        session["shortDescription"]["text"], "Acme session id",
        "{session:#}"
    );
}

#[test]
fn scan_rules_from_keeps_the_path_filter_relative_to_the_scanned_root() {
    let planted = planted();
    let rules = planted.home.dir.path().join("anchored.toml");
    std::fs::write(
        &rules,
        "[[rules]]\nid = \"acme-src-token\"\nregex = '''acmeint_[a-z0-9]{32}'''\npath = '''^src/'''\n",
    )
    .unwrap();
    let (code, stdout, stderr) = planted.home.run(
        &[
            "scan",
            "--no-vault",
            "--format",
            "json",
            "--rules-from",
            rules.to_str().unwrap(),
            planted.repo.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ours: Vec<_> = findings(&json)
        .into_iter()
        .filter(|(rule, ..)| rule == "acme-src-token")
        .collect();
    assert_eq!(
        ours,
        expected(&[("acme-src-token", "secret", "src/client.py", 3)]),
        "`^src/` is anchored at the scanned root, not at / or the temp directory"
    );
}

/// Runs a scan that must be refused: exit 2, every word in the message, no output on
/// stdout, and the home's inventory and audit trail as they were.
fn refused(home: &TestHome, rules: &Path, repo: &Path, words: &[&str]) {
    let names_before = home.credential_names();
    let audit_before = home.run(&["audit", "list", "--json"], b"").1;
    let args = [
        "scan",
        "--rules-from",
        rules.to_str().unwrap(),
        repo.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = home.run(&args, b"");
    assert_eq!(code, 2, "bad input exits 2: {stderr}");
    for word in words {
        assert!(
            stderr.contains(word),
            "the error should mention {word:?}: {stderr}"
        );
    }
    assert!(stdout.is_empty(), "no scan ran: {stdout}");
    assert_eq!(home.credential_names(), names_before);
    assert_eq!(
        home.run(&["audit", "list", "--json"], b"").1,
        audit_before,
        "a refused scan is not audited as done"
    );
}

#[test]
fn scan_rules_from_refuses_bad_files_naming_the_file_and_the_rule() {
    let planted = planted();
    let dir = planted.home.dir.path();
    let file = |name: &str, content: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    };
    let repo = &planted.repo;
    let home = &planted.home;

    let missing = dir.join("no-such-rules.toml");
    refused(
        home,
        &missing,
        repo,
        &["no-such-rules.toml", "No such file"],
    );

    let binary = file("latin1.toml", b"title = \"caf\xe9\"\n");
    refused(
        home,
        &binary,
        repo,
        &["latin1.toml", "not UTF-8", "offset 12"],
    );

    let broken = file("broken.toml", b"[[rules]\nid = \"x\"\n");
    refused(
        home,
        &broken,
        repo,
        &["broken.toml", "not valid TOML", "line 1"],
    );

    let bad_regex = file(
        "bad-regex.toml",
        b"[[rules]]\nid = \"acme-broken\"\nregex = '''acme_(?P<x[a-z]+'''\n",
    );
    refused(
        home,
        &bad_regex,
        repo,
        &["bad-regex.toml", "rule `acme-broken`", "regex:"],
    );

    let no_keywords = file(
        "no-keywords.toml",
        b"[[rules]]\nid = \"any-hex\"\nregex = '''\\b[a-f0-9]{40}\\b'''\n",
    );
    refused(
        home,
        &no_keywords,
        repo,
        &[
            "no-keywords.toml",
            "rule `any-hex`",
            "add `keywords = [...]`",
        ],
    );

    let typo = file(
        "typo.toml",
        b"[[rules]]\nid = \"acme-typo\"\nregex = '''acme_[a-z]{8}'''\nsecretGroop = 1\n",
    );
    refused(
        home,
        &typo,
        repo,
        &[
            "typo.toml",
            "rule `acme-typo`",
            "unknown field `secretgroop`",
        ],
    );

    let directory = dir.join("a-directory.toml");
    std::fs::create_dir(&directory).unwrap();
    refused(
        home,
        &directory,
        repo,
        &["a-directory.toml", "not a regular file"],
    );
}
