//! Secrets the bytes on disk spell indirectly, found by the real binary at their real
//! place: a value longer than the keyword window, a notebook cell's JSON-escaped source,
//! a private key written one string literal per line, a file inside an archive.

use crate::common::{fake, github_token, run, stripe_key, tar_gz_of, write, zip_of};

#[test]
fn long_values_notebook_cells_and_per_line_key_literals_are_found_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let onepassword = fake("ops_eyJ{url:850}", 61);
    write(
        &root,
        "deploy/op.sh",
        format!("#!/bin/sh\nexport OP_SERVICE_ACCOUNT_TOKEN='{onepassword}'\n"),
    );
    let aws = fake("{b64:40}", 62);
    write(
        &root,
        "analysis/explore.ipynb",
        format!(
            concat!(
                "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"source\": [\n",
                "    \"import boto3\\n\",\n",
                "    \"aws_secret_access_key = \\\"{aws}\\\"\\n\"\n",
                "   ]\n  }}\n ],\n \"nbformat\": 4\n}}\n"
            ),
            aws = aws
        ),
    );
    let mut c = String::from("#include <stdio.h>\n\nstatic const char *KEY =\n");
    c.push_str("    \"-----BEGIN RSA PRIVATE KEY-----\\n\"\n");
    for seed in 0..6 {
        c.push_str(&format!("    \"{}\\n\"\n", fake("{b64:64}", 70 + seed)));
    }
    c.push_str("    \"-----END RSA PRIVATE KEY-----\\n\";\n");
    write(&root, "src/key.c", c);

    let home = dir.path().join("no-home");
    let (code, stdout, stderr) = run(
        &home,
        &[
            "scan",
            "--no-vault",
            "--format",
            "json",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let mut seen: Vec<(String, String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap().to_owned(),
                finding["path"].as_str().unwrap().to_owned(),
                finding["line"].as_u64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let expected = [
        ("aws-secret-access-key", "analysis/explore.ipynb", 7),
        ("onepassword-service-account-token", "deploy/op.sh", 2),
        ("private-key", "src/key.c", 4),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(rule, path, line)| ((*rule).into(), (*path).into(), *line))
        .collect();
    assert_eq!(seen, expected, "{stdout}");
    assert!(!stdout.contains(&onepassword) && !stdout.contains(&aws));
}

#[test]
fn secrets_inside_archives_are_found_under_bang_paths_and_bombs_are_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let stripe = stripe_key(81);
    let github = github_token(82);
    let properties = format!("# app\nstripe.key={stripe}\n");
    let jar = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("config/application.properties", properties.as_bytes()),
    ]);
    let env = format!("REGION=eu\nGITHUB_TOKEN={github}\n");
    let vendor = tar_gz_of(&[("pkg/deploy.env", env.as_bytes()), ("pkg/app.jar", &jar)]);
    write(&root, "dist/app.jar", &jar);
    write(&root, "dist/vendor.tar.gz", &vendor);
    // 40 MB of zeros per entry, eight entries: under a megabyte on disk.
    let zeros = vec![0u8; 40 << 20];
    let names: Vec<String> = (0..8).map(|index| format!("z{index}.txt")).collect();
    let bomb: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &zeros[..])).collect();
    write(&root, "dist/bomb.zip", zip_of(&bomb));

    let home = dir.path().join("no-home");
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = run(
        &home,
        &[
            "scan",
            "--no-vault",
            "--format",
            "json",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        started.elapsed().as_secs() < 60,
        "the bomb is not inflated whole"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let mut seen: Vec<(String, String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_owned(),
                finding["rule"].as_str().unwrap().to_owned(),
                finding["line"].as_u64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let expected: Vec<(String, String, u64)> = [
        (
            "dist/app.jar!config/application.properties",
            "stripe-secret-key",
            2,
        ),
        (
            "dist/vendor.tar.gz!pkg/app.jar!config/application.properties",
            "stripe-secret-key",
            2,
        ),
        ("dist/vendor.tar.gz!pkg/deploy.env", "github-pat", 2),
    ]
    .iter()
    .map(|(path, rule, line)| ((*path).into(), (*rule).into(), *line))
    .collect();
    assert_eq!(seen, expected, "{stdout}");
    assert!(!stdout.contains(&stripe) && !stdout.contains(&github));
}
