//! Output contracts (JSON and SARIF 2.1.0), the walker's skipping rules, allowlists and
//! baselines, through the real binary.

use std::path::Path;

use crate::common::{fake, github_token, keyward, run, stripe_key, write};

/// A project with secrets in places that must and must not be reported.
fn project(root: &Path) {
    write(root, ".gitignore", "ignored/\n");
    write(
        root,
        "src/config.js",
        format!("const client = new Stripe(\"{}\");\n", stripe_key(1)),
    );
    write(
        root,
        "deploy/.env",
        format!(
            "GITHUB_TOKEN={}\nAWS_ACCESS_KEY_ID={}\n",
            github_token(2),
            fake("AKIA{b32:16}", 3)
        ),
    );
    write(
        root,
        "ignored/secrets.env",
        format!("GITHUB_TOKEN={}\n", github_token(4)),
    );
    let mut binary = vec![0u8, 1, 2, 3];
    binary.extend_from_slice(github_token(5).as_bytes());
    write(root, "assets/blob.bin", binary);
    write(
        root,
        "big/dump.sql",
        format!("-- {}\n{}\n", github_token(6), "x".repeat(64 * 1024)),
    );
    write(
        root,
        "tests/fixtures/sample.env",
        format!("GITHUB_TOKEN={}\n", github_token(7)),
    );
    write(
        root,
        "vendor/deps.lock",
        format!(
            "{{\n  \"lockfileVersion\": 3,\n  \"packages\": {{ \"a\": {{ \"integrity\": \"sha512-{}\", \"api_key\": \"{}\" }} }}\n}}\n",
            fake("{b64:86}", 8),
            fake("{an:12}9{an:12}", 9)
        ),
    );
}

#[test]
fn json_output_follows_the_contract_and_the_walker_skips_what_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    project(&root);
    let home = dir.path().join("no-home");
    let (code, stdout, stderr) = run(
        &home,
        &[
            "scan",
            "--format",
            "json",
            "--max-file-size",
            "16384",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let findings = json["findings"].as_array().unwrap();
    let mut seen: Vec<(String, String, u64, String)> = findings
        .iter()
        .map(|finding| {
            for key in finding.as_object().unwrap().keys() {
                assert!(
                    [
                        "rule",
                        "kind",
                        "confidence",
                        "path",
                        "line",
                        "commit",
                        "redacted",
                        "vault_credential"
                    ]
                    .contains(&key.as_str()),
                    "field {key} is not in the JSON contract"
                );
            }
            assert_eq!(finding["kind"], "secret");
            (
                finding["path"].as_str().unwrap().to_owned(),
                finding["rule"].as_str().unwrap().to_owned(),
                finding["line"].as_u64().unwrap(),
                finding["confidence"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (
                "deploy/.env".into(),
                "aws-access-key-id".into(),
                2,
                "medium".into()
            ),
            ("deploy/.env".into(), "github-pat".into(), 1, "high".into()),
            (
                "src/config.js".into(),
                "stripe-secret-key".into(),
                1,
                "medium".into()
            ),
            (
                "tests/fixtures/sample.env".into(),
                "github-pat".into(),
                1,
                "medium".into()
            ),
        ],
        "gitignored, binary, oversized and lockfile content must not be reported; a fixture's \
         token is reported one confidence step lower"
    );
    for token in [stripe_key(1), github_token(2)] {
        assert!(
            !stdout.contains(&token),
            "output must never carry a whole secret"
        );
    }
}

#[test]
fn sarif_output_has_the_required_2_1_0_fields() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    project(&root);
    let home = dir.path().join("no-home");
    let (code, stdout, stderr) = run(
        &home,
        &["scan", "--format", "sarif", root.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 1, "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run");
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "keyward", "tool.driver.name is required");
    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules
        .iter()
        .map(|rule| rule["id"].as_str().expect("rule.id is required"))
        .collect();
    let results = runs[0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let rule_id = result["ruleId"].as_str().unwrap();
        assert!(
            rule_ids.contains(&rule_id),
            "every result's rule is in tool.driver.rules"
        );
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rule_ids[index], rule_id);
        assert!(["error", "warning", "note", "none"].contains(&result["level"].as_str().unwrap()));
        assert!(
            !result["message"]["text"].as_str().unwrap().is_empty(),
            "message.text is required"
        );
        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "one physicalLocation per result");
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains(":\\"),
            "uri relative to the scanned root: {uri}"
        );
        assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    for rule in rules {
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn allowlists_inline_markers_and_baselines_accept_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    project(&root);
    let home = dir.path().join("no-home");
    let root_text = root.to_str().unwrap();
    let baseline = dir.path().join("baseline.json");
    // Without a home, fingerprints (and so baselines) need the team key, as in CI.
    let team_key = format!("ci-team-key-{}", std::process::id()).repeat(2);
    let run_with_key = |args: &[&str]| {
        let output = keyward(&home, args)
            .env("KEYWARD_TEAM_KEY", &team_key)
            .output()
            .expect("run keyward");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = run_with_key(&[
        "scan",
        root_text,
        "--write-baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) =
        run_with_key(&["scan", root_text, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "a baseline accepts what it lists: {stdout}");
    write(
        &root,
        "src/new.py",
        format!("TOKEN = \"{}\"\n", github_token(40)),
    );
    let (code, stdout, _) =
        run_with_key(&["scan", root_text, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 1, "a new secret still fails");
    assert!(stdout.contains("src/new.py:1"), "{stdout}");
    let (code, stdout, _) = run(
        &home,
        &["scan", root_text, "--baseline", baseline.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 1, "without the key the baseline matches nothing");
    assert!(stdout.contains("no fingerprint key"), "{stdout}");

    write(
        &root,
        "src/new.py",
        format!("TOKEN = \"{}\"  # keyward:allow\n", github_token(40)),
    );
    write(
        &root,
        ".keyward.toml",
        "[allow]\npaths = [\"deploy/**\", \"big/*.sql\", \"tests/fixtures/**\"]\nregexes = [\"^sk_live_\"]\n",
    );
    let (code, stdout, _) = run(&home, &["scan", root_text], b"");
    assert_eq!(code, 0, "path, regex and inline allowlists apply: {stdout}");
}

#[test]
fn this_repository_does_not_trip_its_own_scanner() {
    // The whole repository, from the workspace root down.
    let repository = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(
        &home.path().join("none"),
        &["scan", "--no-vault", repository.to_str().unwrap()],
        b"",
    );
    assert_eq!(
        code, 0,
        "fake secrets in the sources must be generated, not written:\n{stdout}{stderr}"
    );
}
