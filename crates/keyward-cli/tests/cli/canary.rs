//! The canary test: unique secrets planted through every way in must appear in no file
//! Keyward writes, in any encoding, and in no output but `reveal`.

use base64::Engine as _;

use crate::common::leaks::{files_under, secret_forms};
use crate::common::{TestHome, canary, openssl_certificate, openssl_pkcs12};

fn assert_absent(haystacks: &[(String, Vec<u8>)], canaries: &[(String, Vec<u8>)]) {
    for (where_, bytes) in haystacks {
        for (label, value) in canaries {
            for (encoding, needle) in secret_forms(value) {
                let found = bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_slice());
                assert!(
                    !found,
                    "the {label} canary appears {encoding}-encoded in {where_}"
                );
            }
        }
    }
}

#[test]
fn no_planted_secret_reaches_any_file_or_output() {
    let home = TestHome::new();
    // An open reader keeps SQLite from folding the WAL back and deleting it when each
    // command exits, so the WAL's copies of every write are inspected too.
    let reader = rusqlite::Connection::open(home.database()).unwrap();
    reader
        .query_row("SELECT count(*) FROM settings", [], |row| {
            row.get::<_, i64>(0)
        })
        .unwrap();
    let mut canaries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut record = |label: &str, result: (i32, String, String)| {
        assert_eq!(result.0, 0, "{label}: {}", result.2);
        outputs.push((
            format!("output of {label}"),
            (result.1 + &result.2).into_bytes(),
        ));
    };

    let stdin_value = canary("stdin");
    record(
        "cred add --value-stdin",
        home.run(
            &["cred", "add", "s", "--kind", "token", "--value-stdin"],
            stdin_value.as_bytes(),
        ),
    );
    let file_value = canary("file");
    let file = home.write_file("value", file_value.as_bytes());
    record(
        "cred add --from-file",
        home.run(
            &[
                "cred",
                "add",
                "f",
                "--kind",
                "api-key",
                "--from-file",
                file.to_str().unwrap(),
            ],
            b"",
        ),
    );
    let env_value = canary("env");
    let output = home
        .keyward(&[
            "cred",
            "add",
            "e",
            "--kind",
            "hmac",
            "--from-env",
            "KW_CANARY",
        ])
        .env("KW_CANARY", &env_value)
        .output()
        .unwrap();
    record(
        "cred add --from-env",
        (
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stdout).into(),
            String::from_utf8_lossy(&output.stderr).into(),
        ),
    );
    let basic_password = canary("basic");
    record(
        "cred add basic",
        home.run(
            &["cred", "add", "b", "--kind", "basic", "--value-stdin"],
            format!("svc:{basic_password}").as_bytes(),
        ),
    );

    let dotenv_value = canary("dotenv");
    let dotenv = home.write_file(
        ".env",
        format!("DOTENV_TOKEN=\"{dotenv_value}\"\n").as_bytes(),
    );
    record(
        "import dotenv",
        home.run(&["import", "dotenv", dotenv.to_str().unwrap()], b""),
    );
    let postman_value = canary("postman");
    let postman = home.write_file(
        "postman.json",
        serde_json::json!({"name": "e", "values": [{"key": "pm", "value": postman_value, "type": "secret", "enabled": true}], "_postman_variable_scope": "environment"}).to_string().as_bytes(),
    );
    record(
        "import postman",
        home.run(&["import", "postman", postman.to_str().unwrap()], b""),
    );
    let csv_value = canary("csv");
    let csv = home.write_file(
        "c.csv",
        format!("name,kind,value\ncsv-cred,secret,{csv_value}\n").as_bytes(),
    );
    record(
        "import csv",
        home.run(&["import", "csv", csv.to_str().unwrap()], b""),
    );

    let (cert, key) = openssl_certificate(
        home.dir.path(),
        "canary",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    record(
        "cert import pem",
        home.run(
            &[
                "cert",
                "import",
                cert.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
                "--name",
                "pem",
            ],
            b"",
        ),
    );
    let (cert2, key2) = openssl_certificate(home.dir.path(), "canary2", "rsa:2048", 30);
    let archive = home.dir.path().join("c.p12");
    let p12_password = canary("p12pw");
    openssl_pkcs12(&cert2, &key2, &archive, &p12_password);
    record(
        "cert import pkcs12",
        home.run(
            &[
                "cert",
                "import",
                archive.to_str().unwrap(),
                "--password-stdin",
                "--name",
                "p12",
            ],
            p12_password.as_bytes(),
        ),
    );
    // Private keys: their base64 body lines are the secret.
    for (label, path) in [("pem key", &key), ("p12 key", &key2)] {
        let text = std::fs::read_to_string(path).unwrap();
        let body: String = text
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(&body)
            .unwrap();
        canaries.push((label.to_owned(), der));
        canaries.push((
            format!("{label} base64 line"),
            text.lines().nth(1).unwrap().as_bytes().to_vec(),
        ));
    }
    for (label, value) in [
        ("stdin", &stdin_value),
        ("file", &file_value),
        ("env", &env_value),
        ("basic", &basic_password),
        ("dotenv", &dotenv_value),
        ("postman", &postman_value),
        ("csv", &csv_value),
        ("p12 password", &p12_password),
    ] {
        canaries.push((label.to_owned(), value.as_bytes().to_vec()));
    }

    // Read paths that must not echo values either.
    for args in [
        vec!["cred", "list"],
        vec!["cred", "list", "--json"],
        vec!["cred", "show", "pem", "--json"],
        vec!["integration", "list"],
        vec!["audit", "list", "--json"],
        vec!["audit", "verify"],
    ] {
        record(&args.join(" "), home.run(&args, b""));
    }
    let (code, _, stderr) = home.run(
        &["cred", "add", "s", "--kind", "token", "--value-stdin"],
        stdin_value.as_bytes(),
    );
    assert_eq!(code, 2);
    outputs.push((
        "error output of a duplicate add".into(),
        stderr.into_bytes(),
    ));

    assert_eq!(
        home.reveal("s"),
        stdin_value,
        "the canaries really were stored"
    );
    let mut files: Vec<(String, Vec<u8>)> = files_under(&home.path())
        .into_iter()
        .map(|path| (path.display().to_string(), std::fs::read(&path).unwrap()))
        .collect();
    assert!(
        files
            .iter()
            .any(|(path, _)| path.ends_with("keyward.db-wal")),
        "the WAL is checked while it holds the writes"
    );
    drop(reader);
    files.extend(outputs);
    assert_absent(&files, &canaries);
}

#[test]
fn the_detector_finds_a_value_in_every_encoding_it_claims() {
    let value = canary("self");
    for (encoding, needle) in secret_forms(value.as_bytes()) {
        let mut haystack = b"prefix ".to_vec();
        haystack.extend_from_slice(&needle);
        haystack.extend_from_slice(b" suffix");
        let caught = std::panic::catch_unwind(|| {
            assert_absent(
                &[("fixture".into(), haystack.clone())],
                &[("self".into(), value.as_bytes().to_vec())],
            );
        });
        assert!(
            caught.is_err(),
            "a value stored {encoding}-encoded must be detected"
        );
    }
    // A base64 text in which the value sits at an arbitrary offset is still caught.
    for prefix in ["", "a", "ab"] {
        let text = format!("{prefix}{value}trailing");
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(text.as_bytes())
            .into_bytes();
        let caught = std::panic::catch_unwind(|| {
            assert_absent(
                &[("fixture".into(), encoded.clone())],
                &[("self".into(), value.as_bytes().to_vec())],
            );
        });
        assert!(
            caught.is_err(),
            "base64 with a {}-byte prefix must be detected",
            prefix.len()
        );
    }
}
