//! `--git` and `--staged` on real repositories made by the `git` CLI.

use keyward::scan::{ScanConfig, ScanOptions, Scanner};

use crate::common::{fake, git, github_token, init_repo, run, stripe_key, write};

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
