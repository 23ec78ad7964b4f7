//! Redaction by characters: wherever a preview shows a secret (scan findings, import
//! dry-runs, rotation plans, the credential list), it shows at most 4 of its characters
//! and never more than a quarter, none for values under 16 characters, counted in
//! characters, with the length in characters. Multi-byte secrets are where a byte count
//! once gave most of the value away (7 of 12 characters).

use crate::common::leaks::files_under;
use crate::common::{TestHome, canary};

/// A unique secret of `chars` characters, each 3 bytes in UTF-8 (CJK ideographs), drawn
/// from a canary so a leak is traced to this test. Each `block` (0-9) uses its own
/// 1024 ideographs, so two secrets of one test never share a character.
fn cjk_secret(label: &str, block: u32, chars: usize) -> String {
    let mut digits = String::new();
    while digits.len() < chars {
        let fresh = canary(label);
        digits.push_str(&fresh[fresh.len() - 24..]);
    }
    digits
        .chars()
        .take(chars)
        .enumerate()
        .map(|(index, digit)| {
            let value = digit.to_digit(16).expect("hex digit");
            char::from_u32(0x4E00 + block * 1024 + (index as u32 % 64) * 16 + value).expect("CJK")
        })
        .collect()
}

/// A unique secret mixing 2-byte letters (Latin-1 accents) and ASCII. Canary labels in
/// these tests are short non-words, so a run of the secret cannot match ordinary output.
fn mixed_secret(label: &str, chars: usize) -> String {
    let fresh = canary(label);
    fresh[fresh.len() - 24..]
        .chars()
        .cycle()
        .take(chars)
        .enumerate()
        .map(|(index, digit)| {
            if index % 2 == 0 {
                char::from_u32(0xC0 + digit.to_digit(16).unwrap()).unwrap()
            } else {
                digit
            }
        })
        .collect()
}

/// How many characters of an `n`-character secret a preview may show.
fn allowed(n: usize) -> usize {
    if n < 16 { 0 } else { 4.min(n / 4) }
}

/// `haystack` holds no run of the secret longer than the rule allows.
fn assert_redacted(haystack: &[u8], secret: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    let window = allowed(chars.len()) + 1;
    for start in 0..=chars.len() - window {
        let piece: String = chars[start..start + window].iter().collect();
        // A handful of ASCII hex digits turns up by chance in a database full of ids and
        // hashes; for an all-ASCII run, eight characters are what counts as shown. The
        // multi-byte secrets keep the strict window, which is what tests counting by
        // characters.
        if piece.is_ascii() && piece.len() < 8 {
            let end = (start + 8).min(chars.len());
            let longer: String = chars[start..end].iter().collect();
            if longer.len() < 8 {
                continue;
            }
            assert!(
                !haystack
                    .windows(longer.len())
                    .any(|bytes| bytes == longer.as_bytes()),
                "{what} shows 8 characters of a {}-character secret ({longer:?})",
                chars.len()
            );
            continue;
        }
        assert!(
            !haystack
                .windows(piece.len())
                .any(|bytes| bytes == piece.as_bytes()),
            "{what} shows {window} characters of a {}-character secret ({piece:?}): {}",
            chars.len(),
            String::from_utf8_lossy(haystack)
        );
    }
}

/// Neither the database nor any other file in the home holds more than the rule allows.
fn assert_home_redacted(home: &TestHome, secrets: &[&str]) {
    for file in files_under(&home.path()) {
        let bytes = std::fs::read(&file).unwrap();
        for secret in secrets {
            assert_redacted(&bytes, secret, &file.display().to_string());
        }
    }
}

fn run_checked(home: &TestHome, args: &[&str], codes: &[i32], secrets: &[&str]) -> String {
    let (code, stdout, stderr) = home.run(args, b"");
    assert!(codes.contains(&code), "{args:?} exited {code}: {stderr}");
    for secret in secrets {
        assert_redacted(stdout.as_bytes(), secret, &format!("stdout of {args:?}"));
        assert_redacted(stderr.as_bytes(), secret, &format!("stderr of {args:?}"));
    }
    stdout
}

#[test]
fn scan_findings_show_at_most_four_characters_counted_in_characters() {
    let home = TestHome::new();
    let twelve = cjk_secret("S1", 0, 12);
    let twenty = cjk_secret("S2", 1, 20);
    let mixed = mixed_secret("S3", 24);
    let ascii = canary("Zq4");
    home.add("twelve", "secret", &twelve);
    home.add("twenty", "secret", &twenty);
    home.add("mixed", "secret", &mixed);
    home.add("ascii", "secret", &ascii);
    let project = home.dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("config.txt"),
        format!("one = {twelve}\ntwo = {twenty}\nthree = {mixed}\nfour = {ascii}\n"),
    )
    .unwrap();
    let secrets = [
        twelve.as_str(),
        twenty.as_str(),
        mixed.as_str(),
        ascii.as_str(),
    ];
    let root = project.to_str().unwrap();

    let human = run_checked(&home, &["scan", root], &[1], &secrets);
    assert!(human.contains("…(12)"), "{human}");
    let json = run_checked(&home, &["scan", root, "--format", "json"], &[1], &secrets);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let redacted = |credential: &str| -> String {
        parsed["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["vault_credential"] == credential)
            .unwrap_or_else(|| panic!("a finding for {credential}: {json}"))["redacted"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        redacted("twelve"),
        "…(12)",
        "under 16 characters nothing shows"
    );
    let first: String = twenty.chars().take(4).collect();
    assert_eq!(redacted("twenty"), format!("{first}…(20)"));
    let first: String = mixed.chars().take(4).collect();
    assert_eq!(redacted("mixed"), format!("{first}…(24)"));
    assert_eq!(
        redacted("ascii"),
        format!("{}…({})", &ascii[..4], ascii.len())
    );
    run_checked(&home, &["scan", root, "--format", "sarif"], &[1], &secrets);
    run_checked(&home, &["check", "--json"], &[0, 1], &secrets);
    assert_home_redacted(&home, &secrets);
}

#[test]
fn import_dry_runs_show_at_most_four_characters_counted_in_characters() {
    let home = TestHome::new();
    let twelve = cjk_secret("I1", 2, 12);
    let twenty = cjk_secret("I2", 3, 20);
    let ascii = canary("Zq5");
    let file = home.write_file(
        ".env",
        format!("TWELVE_TOKEN={twelve}\nTWENTY_TOKEN={twenty}\nASCII_TOKEN={ascii}\n").as_bytes(),
    );
    let secrets = [twelve.as_str(), twenty.as_str(), ascii.as_str()];
    let path = file.to_str().unwrap();

    let human = run_checked(
        &home,
        &["import", "dotenv", path, "--dry-run"],
        &[0],
        &secrets,
    );
    assert!(
        human.contains("…(12)") && human.contains("…(20)"),
        "lengths are in characters, not bytes: {human}"
    );
    let json = run_checked(
        &home,
        &["import", "dotenv", path, "--dry-run", "--json"],
        &[0],
        &secrets,
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let shown: Vec<&str> = parsed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["redacted"].as_str().unwrap())
        .collect();
    let first: String = twenty.chars().take(4).collect();
    assert_eq!(
        shown,
        vec![
            "…(12)".to_owned(),
            format!("{first}…(20)"),
            format!("{}…({})", &ascii[..4], ascii.len())
        ]
    );

    // Imported for real, the list and details show lengths and metadata only.
    run_checked(&home, &["import", "dotenv", path], &[0], &secrets);
    run_checked(&home, &["cred", "list"], &[0], &secrets);
    run_checked(&home, &["cred", "list", "--json"], &[0], &secrets);
    run_checked(&home, &["cred", "show", "TWENTY_TOKEN"], &[0], &secrets);
    run_checked(
        &home,
        &["cred", "show", "TWENTY_TOKEN", "--json"],
        &[0],
        &secrets,
    );
    assert_home_redacted(&home, &secrets);
}

#[test]
fn rotation_plans_show_at_most_four_characters_counted_in_characters() {
    let home = TestHome::new();
    let twelve = cjk_secret("R1", 4, 12);
    let twenty = cjk_secret("R2", 5, 20);
    let ascii = canary("Zq6");
    let secrets = [twelve.as_str(), twenty.as_str(), ascii.as_str()];
    for (name, value) in [("twelve", &twelve), ("twenty", &twenty), ("ascii", &ascii)] {
        home.add(name, "secret", value);
        let file = home.write_file(&format!("{name}.env"), format!("KEY={value}\n").as_bytes());
        let (code, _, stderr) = home.run(
            &[
                "cred",
                "set-rotation",
                name,
                "--method",
                "generate",
                "--file",
                file.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let plan = |name: &str| -> serde_json::Value {
        run_checked(&home, &["rotate", name, "--dry-run"], &[0], &secrets);
        let json = run_checked(
            &home,
            &["rotate", name, "--dry-run", "--json"],
            &[0],
            &secrets,
        );
        serde_json::from_str(&json).unwrap()
    };
    let before = |plan: &serde_json::Value| -> String {
        let text = plan.to_string();
        let change = plan
            .pointer("/plans/0/files/0/changes/0/before")
            .unwrap_or_else(|| panic!("the plan previews the file: {text}"));
        change.as_str().unwrap().to_owned()
    };
    assert_eq!(before(&plan("twelve")), "KEY=…(12)");
    let first: String = twenty.chars().take(4).collect();
    assert_eq!(before(&plan("twenty")), format!("KEY={first}…(20)"));
    assert_eq!(
        before(&plan("ascii")),
        format!("KEY={}…({})", &ascii[..4], ascii.len())
    );
    assert_home_redacted(&home, &secrets);
}
