//! `--git` and `--staged` on real repositories made by the `git` CLI.

use keyward::scan::{ScanConfig, ScanOptions, Scanner};

use crate::common::{fake, git, github_token, init_repo, run, stripe_key, write, zip_of};

#[test]
fn history_scan_reports_the_commit_author_and_date_of_a_removed_secret() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo);
    let token = github_token(101);
    write(
        &repo,
        "deploy/app.env",
        format!("GITHUB_TOKEN={token}\nREGION=eu-west-1\n"),
    );
    write(&repo, "README.md", "# app\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "add deploy settings"]);
    let leaking_commit = git(&repo, &["rev-parse", "HEAD"]);
    write(&repo, "deploy/app.env", "GITHUB_TOKEN=\nREGION=eu-west-1\n");
    git(&repo, &["commit", "-q", "-am", "remove the token"]);
    write(&repo, "src/main.rs", "fn main() {}\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "code"]);

    let scanner = Scanner::new(ScanConfig::default(), None).unwrap();
    let working = scanner
        .scan_paths(
            std::slice::from_ref(&repo),
            &ScanOptions::default(),
            &|_| {},
        )
        .unwrap();
    assert!(
        working.findings.is_empty(),
        "the working copy no longer holds the token: {:?}",
        working.findings
    );

    let history = scanner
        .scan_git_history(&repo, &ScanOptions::default(), &|_| {})
        .unwrap();
    assert_eq!(history.findings.len(), 1, "{:#?}", history.findings);
    let finding = &history.findings[0];
    assert_eq!(finding.rule, "github-pat");
    assert_eq!((finding.path.as_str(), finding.line), ("deploy/app.env", 1));
    let commit = finding
        .commit
        .as_ref()
        .expect("history findings name their commit");
    assert_eq!(commit.id, leaking_commit);
    assert_eq!(commit.author, "Dana Dev <dana@example.test>");
    assert_eq!(commit.date.to_rfc3339(), "2024-02-03T04:05:06+00:00");
    assert!(
        !finding.redacted.contains(&token[8..]),
        "the secret is shown redacted only"
    );

    let home = dir.path().join("no-home");
    let (code, stdout, stderr) = run(
        &home,
        &["scan", "--git", "--format", "sarif", repo.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 1, "findings exit 1: {stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["commit"], leaking_commit.as_str());
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/app.env"
    );
    assert!(!stdout.contains(&token), "SARIF must not carry the secret");
}

#[test]
fn only_lines_a_commit_added_are_attributed_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo);
    let first = stripe_key(7);
    write(&repo, "config.py", format!("STRIPE = \"{first}\"\n"));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    let second = stripe_key(8);
    write(
        &repo,
        "config.py",
        format!("STRIPE = \"{first}\"\nDEBUG = True\nSTRIPE_BACKUP = \"{second}\"\n"),
    );
    git(&repo, &["commit", "-q", "-am", "two"]);
    let second_commit = git(&repo, &["rev-parse", "HEAD"]);

    let scanner = Scanner::new(ScanConfig::default(), None).unwrap();
    let history = scanner
        .scan_git_history(&repo, &ScanOptions::default(), &|_| {})
        .unwrap();
    assert_eq!(
        history.findings.len(),
        2,
        "each secret once, in the commit that added it: {:#?}",
        history.findings
    );
    let in_second: Vec<u32> = history
        .findings
        .iter()
        .filter(|finding| finding.commit.as_ref().unwrap().id == second_commit)
        .map(|finding| finding.line)
        .collect();
    assert_eq!(in_second, vec![3]);
}

#[test]
fn staged_scan_sees_the_index_not_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo);
    write(&repo, "a.txt", "hello\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let staged = fake("xoxb-{dig:12}-{dig:13}-{an:24}", 3);
    write(&repo, "slack.env", format!("SLACK_BOT_TOKEN={staged}\n"));
    git(&repo, &["add", "slack.env"]);
    write(
        &repo,
        "a.txt",
        format!("hello\ntoken {}\n", github_token(4)),
    );

    let scanner = Scanner::new(ScanConfig::default(), None).unwrap();
    let report = scanner.scan_staged(&repo, &ScanOptions::default()).unwrap();
    let rules: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|finding| (finding.rule.as_str(), finding.path.as_str()))
        .collect();
    assert_eq!(
        rules,
        vec![("slack-bot-token", "slack.env")],
        "an unstaged change is not part of the commit"
    );

    let home = dir.path().join("no-home");
    let (code, _, stderr) = run(&home, &["scan", "--staged", repo.to_str().unwrap()], b"");
    assert_eq!(
        code, 1,
        "a pre-commit hook must fail on a staged secret: {stderr}"
    );
    git(&repo, &["reset", "-q", "slack.env"]);
    let (code, stdout, _) = run(&home, &["scan", "--staged", repo.to_str().unwrap()], b"");
    assert_eq!(code, 0, "nothing staged, nothing found: {stdout}");
}

#[test]
fn all_objects_finds_secrets_on_pull_request_refs_and_in_dangling_objects() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo);
    write(&repo, "README.md", "# app\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);

    // A pull request's branch, pushed and never merged: only refs/pull/1/head holds it,
    // and after a repack it lives in a pack.
    let pull_request = stripe_key(41);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    write(&repo, "pr.env", format!("STRIPE_KEY={pull_request}\n"));
    git(&repo, &["add", "pr.env"]);
    git(&repo, &["commit", "-q", "-m", "try a key"]);
    git(&repo, &["update-ref", "refs/pull/1/head", "HEAD"]);
    let pull_request_commit = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "-q", "main"]);
    git(&repo, &["branch", "-q", "-D", "feature"]);
    git(&repo, &["repack", "-q", "-a", "-d"]);

    // A commit no reference reaches (what a rebase or a deleted branch leaves), loose.
    let dangling = github_token(42);
    write(&repo, "wip.env", format!("GITHUB_TOKEN={dangling}\n"));
    git(&repo, &["add", "wip.env"]);
    let tree = git(&repo, &["write-tree"]);
    let dangling_commit = git(&repo, &["commit-tree", &tree, "-p", "HEAD", "-m", "wip"]);
    git(&repo, &["reset", "-q"]);
    std::fs::remove_file(repo.join("wip.env")).unwrap();

    // A blob no commit holds (written by `git add`, then replaced before committing).
    let blob_secret = fake("xoxb-{dig:12}-{dig:13}-{an:24}", 43);
    let loose = dir.path().join("staged-once.env");
    std::fs::write(&loose, format!("SLACK_BOT_TOKEN={blob_secret}\n")).unwrap();
    let blob = git(&repo, &["hash-object", "-w", loose.to_str().unwrap()]);
    // Moved into a pack of its own, as a push or a fetch would leave it: packed and
    // unreachable.
    let mut pack = std::process::Command::new("git")
        .current_dir(&repo)
        .args(["pack-objects", "-q", ".git/objects/pack/pack"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = pack.stdin.take().unwrap();
        writeln!(stdin, "{blob}").unwrap();
    }
    assert!(pack.wait().unwrap().success());
    git(&repo, &["prune-packed"]);
    assert!(
        !repo
            .join(".git/objects")
            .join(&blob[..2])
            .join(&blob[2..])
            .exists(),
        "the blob lives only in the pack"
    );

    let scanner = Scanner::new(ScanConfig::default(), None).unwrap();
    let history = scanner
        .scan_git_history(&repo, &ScanOptions::default(), &|_| {})
        .unwrap();
    let rules: Vec<&str> = history.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        vec!["stripe-secret-key"],
        "history follows every reference, pull-request refs included, and nothing else"
    );

    let objects = scanner
        .scan_git_objects(&repo, &ScanOptions::default(), &|_| {})
        .unwrap();
    let mut found: Vec<(&str, &str, Option<&str>)> = objects
        .findings
        .iter()
        .map(|finding| {
            (
                finding.rule.as_str(),
                finding.path.as_str(),
                finding.commit.as_ref().map(|commit| commit.id.as_str()),
            )
        })
        .collect();
    found.sort();
    let blob_path = format!("git-objects/{blob}");
    let mut expected = vec![
        ("github-pat", "wip.env", Some(dangling_commit.as_str())),
        ("slack-bot-token", blob_path.as_str(), None),
        (
            "stripe-secret-key",
            "pr.env",
            Some(pull_request_commit.as_str()),
        ),
    ];
    expected.sort();
    assert_eq!(found, expected, "{:#?}", objects.findings);

    let home = dir.path().join("no-home");
    let (code, stdout, stderr) = run(
        &home,
        &[
            "scan",
            "--all-objects",
            "--format",
            "json",
            repo.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "findings exit 1: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 3, "{stdout}");
    assert!(paths.contains(&"wip.env") && paths.contains(&blob_path.as_str()));
    for secret in [&pull_request, &dangling, &blob_secret] {
        assert!(!stdout.contains(secret.as_str()), "the output is redacted");
    }
}

#[test]
fn history_opens_committed_archives_and_reports_only_what_a_commit_added_inside() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo);
    let first = stripe_key(91);
    let first_properties = format!("stripe.key={first}\n");
    write(
        &repo,
        "lib/app.jar",
        zip_of(&[("config/app.properties", first_properties.as_bytes())]),
    );
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "vendor the jar"]);
    let first_commit = git(&repo, &["rev-parse", "HEAD"]);
    // Rebuilt with one more secret: the old one is not the new commit's doing.
    let second = github_token(92);
    let second_env = format!("GITHUB_TOKEN={second}\n");
    write(
        &repo,
        "lib/app.jar",
        zip_of(&[
            ("config/app.properties", first_properties.as_bytes()),
            ("deploy.env", second_env.as_bytes()),
        ]),
    );
    git(&repo, &["commit", "-q", "-am", "rebuild the jar"]);
    let second_commit = git(&repo, &["rev-parse", "HEAD"]);

    let scanner = Scanner::new(ScanConfig::default(), None).unwrap();
    let history = scanner
        .scan_git_history(&repo, &ScanOptions::default(), &|_| {})
        .unwrap();
    let mut found: Vec<(&str, &str, u32, &str)> = history
        .findings
        .iter()
        .map(|finding| {
            (
                finding.path.as_str(),
                finding.rule.as_str(),
                finding.line,
                finding.commit.as_ref().unwrap().id.as_str(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "lib/app.jar!config/app.properties",
                "stripe-secret-key",
                1,
                first_commit.as_str()
            ),
            (
                "lib/app.jar!deploy.env",
                "github-pat",
                1,
                second_commit.as_str()
            ),
        ]
    );
}

#[test]
fn a_gitleaks_commit_allowlist_accepts_the_commits_it_lists_in_history_scans() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo);
    let first = fake("acmeint_{lo:32}", 111);
    let second = fake("acmeint_{lo:32}", 112);
    write(&repo, "ci/old.env", format!("ACME={first}\n"));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "reviewed: a test token"]);
    let reviewed = git(&repo, &["rev-parse", "HEAD"]);
    write(&repo, "ci/new.env", format!("ACME={second}\n"));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "a real one"]);
    let leaking = git(&repo, &["rev-parse", "HEAD"]);

    let rules = dir.path().join("gitleaks.toml");
    std::fs::write(
        &rules,
        format!(
            "[[rules]]\nid = \"acme-internal-token\"\nregex = '''acmeint_[a-z0-9]{{32}}'''\n\
             [[rules.allowlists]]\ncommits = [\"{}\"]\n",
            reviewed.to_uppercase()
        ),
    )
    .unwrap();
    let mut config = ScanConfig::default();
    assert!(config.add_gitleaks_rules(&rules).unwrap().is_empty());
    let scanner = Scanner::new(config, None).unwrap();
    let history = scanner
        .scan_git_history(&repo, &ScanOptions::default(), &|_| {})
        .unwrap();
    let found: Vec<(&str, &str, &str)> = history
        .findings
        .iter()
        .map(|finding| {
            (
                finding.rule.as_str(),
                finding.path.as_str(),
                finding.commit.as_ref().unwrap().id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("acme-internal-token", "ci/new.env", leaking.as_str())],
        "the listed commit (matched ignoring case, as gitleaks does) is accepted, the next is not"
    );
}
