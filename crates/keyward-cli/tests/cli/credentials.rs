//! Credentials through the real keychain and database: every kind, every way in, the
//! envelope path for large values, removal.

use crate::common::{TestHome, canary, openssl_certificate, openssl_pkcs12};

#[test]
fn every_kind_round_trips_through_the_keychain() {
    let home = TestHome::new();
    let values = [
        ("api", "api-key", canary("api")),
        ("tok", "token", canary("tok")),
        ("bas", "basic", format!("alice:{}", canary("bas"))),
        ("oa", "oauth2-client", format!("client-id:{}", canary("oa"))),
        ("hm", "hmac", canary("hm")),
        ("jwt", "jwt-signing-key", canary("jwt")),
        ("sec", "secret", canary("sec")),
    ];
    for (name, kind, value) in &values {
        home.add(name, kind, value);
    }
    for (name, kind, value) in &values {
        assert_eq!(
            &home.reveal(name),
            value,
            "{kind} must come back exactly as stored"
        );
    }
    assert_eq!(
        home.keychain_value_accounts().len(),
        values.len(),
        "each credential has exactly one keychain entry"
    );
}

#[test]
fn values_come_from_stdin_files_and_environment_variables() {
    let home = TestHome::new();
    let from_file = canary("file");
    let file = home.write_file("value.txt", format!("{from_file}\n").as_bytes());
    home.keyward(&["cred", "add", "f", "--kind", "token", "--from-file"])
        .arg(&file)
        .assert()
        .success();
    let from_env = canary("env");
    home.keyward(&[
        "cred",
        "add",
        "e",
        "--kind",
        "token",
        "--from-env",
        "KW_TEST_VALUE",
    ])
    .env("KW_TEST_VALUE", &from_env)
    .assert()
    .success();
    assert_eq!(
        home.reveal("f"),
        from_file,
        "one trailing newline of a file is dropped"
    );
    assert_eq!(home.reveal("e"), from_env);
}

#[test]
fn metadata_is_listed_and_shown_without_the_value() {
    let home = TestHome::new();
    let value = canary("meta");
    home.keyward(&[
        "cred",
        "add",
        "gh",
        "--kind",
        "token",
        "--provider",
        "github",
        "--host",
        "api.github.com",
        "--rotate-every",
        "90d",
        "--value-stdin",
    ])
    .write_stdin(value.clone())
    .assert()
    .success();
    let (code, show, _) = home.run(&["cred", "show", "gh", "--json"], b"");
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(json["kind"], "token");
    assert_eq!(json["allowed_hosts"][0], "api.github.com");
    assert_eq!(json["rotate_every_days"], 90);
    assert_eq!(json["value_length"], value.len());
    let (_, table, _) = home.run(&["cred", "list"], b"");
    assert!(table.contains("gh") && table.contains("github"), "{table}");
    for output in [&show, &table] {
        assert!(
            !output.contains(&value),
            "metadata views must never print the value"
        );
    }
}

#[test]
fn integrations_give_their_credentials_allowed_hosts() {
    let home = TestHome::new();
    home.keyward(&[
        "integration",
        "add",
        "billing",
        "--provider",
        "stripe",
        "--owner",
        "payments",
        "--env",
        "prod",
        "--endpoint",
        "https://api.stripe.com/v1",
        "--auth",
        "bearer",
    ])
    .assert()
    .success();
    home.keyward(&[
        "cred",
        "add",
        "stripe",
        "--kind",
        "api-key",
        "--integration",
        "billing",
        "--value-stdin",
    ])
    .write_stdin(canary("stripe"))
    .assert()
    .success();
    let (_, show, _) = home.run(&["cred", "show", "stripe", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(
        json["allowed_hosts"],
        serde_json::json!(["api.stripe.com"]),
        "hosts default from the integration's endpoints"
    );
    let (_, integration, _) = home.run(&["integration", "show", "billing", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&integration).unwrap();
    assert_eq!(json["endpoints"][0]["url"], "https://api.stripe.com/v1");
    home.keyward(&["integration", "rm", "billing"])
        .assert()
        .success();
    assert_eq!(
        home.credential_names(),
        vec!["stripe"],
        "removing an integration keeps its credentials"
    );
}

#[test]
fn editing_an_integration_keeps_what_is_not_given_and_refuses_bad_input_whole() {
    let home = TestHome::new();
    home.add("deploy", "token", &canary("deploy"));
    let base = [
        "integration",
        "add",
        "billing",
        "--provider",
        "stripe",
        "--owner",
        "payments",
        "--env",
        "staging",
        "--endpoint",
        "https://api.stripe.com/v1",
        "--tag",
        "pci",
    ];
    home.keyward(&base).assert().success();
    let show = |home: &TestHome| -> serde_json::Value {
        let (_, text, _) = home.run(&["integration", "show", "billing", "--json"], b"");
        serde_json::from_str(&text).unwrap()
    };
    let before = show(&home);

    // A bad endpoint and an unknown credential are refused, naming the input, and
    // leave the integration as it was.
    for (args, words) in [
        (
            vec!["--endpoint", "ftp://files.example.com"],
            vec!["endpoint"],
        ),
        (
            vec!["--endpoint", "https://api.example.com", "--cred", "nope"],
            vec!["nope"],
        ),
        (vec!["--env", "qa"], vec!["--env"]),
    ] {
        let mut command = vec!["integration", "edit", "billing"];
        command.extend(args.iter().copied());
        let (code, _, stderr) = home.run(&command, b"");
        assert_eq!(code, 2, "{command:?}: {stderr}");
        for word in words {
            assert!(
                stderr.contains(word),
                "{command:?} should name {word}: {stderr}"
            );
        }
        assert_eq!(show(&home), before, "{command:?} must change nothing");
    }

    home.keyward(&[
        "integration",
        "edit",
        "billing",
        "--owner",
        "finance",
        "--env",
        "prod",
        "--endpoint",
        "https://hooks.example.com/in",
        "--endpoint",
        "https://api.example.com",
        "--auth",
        "header:X-Api-Key",
        "--cred",
        "deploy",
    ])
    .assert()
    .success();
    let after = show(&home);
    assert_eq!(after["owner"], "finance");
    assert_eq!(after["environment"], "prod");
    assert_eq!(
        after["provider"], "stripe",
        "options not given keep their value"
    );
    assert_eq!(after["tags"], serde_json::json!(["pci"]));
    let urls: Vec<_> = after["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        urls,
        ["https://hooks.example.com/in", "https://api.example.com"],
        "--endpoint replaces the list"
    );
    assert_eq!(after["endpoints"][0]["credential"], "deploy");
    assert_eq!(
        after["endpoints"][0]["auth"],
        serde_json::json!({"method": "header", "name": "X-Api-Key"})
    );

    // Linking the credential allowed its hosts, as adding does; the edit is audited.
    let (_, credential, _) = home.run(&["cred", "show", "deploy", "--json"], b"");
    let credential: serde_json::Value = serde_json::from_str(&credential).unwrap();
    assert_eq!(
        credential["allowed_hosts"],
        serde_json::json!(["api.example.com", "hooks.example.com"])
    );
    let (_, audit, _) = home.run(&["audit", "list", "--json"], b"");
    assert!(audit.contains("integration.update"), "{audit}");
}

#[test]
fn large_certificate_bundles_are_sealed_in_the_database() {
    let home = TestHome::new();
    let (cert, key) = openssl_certificate(home.dir.path(), "big", "rsa:3072", 365);
    home.keyward(&["cert", "import"])
        .arg(&cert)
        .arg("--key")
        .arg(&key)
        .args(["--name", "client", "--host", "mtls.example.com"])
        .assert()
        .success();
    let (_, show, _) = home.run(&["cred", "show", "client", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(
        json["storage"], "envelope",
        "a bundle over 2 KiB goes through the envelope path"
    );
    assert_eq!(json["certificate"]["key_type"], "RSA");
    assert_eq!(json["certificate"]["key_bits"], 3072);
    assert_eq!(json["certificate"]["subject"], "CN=big");
    assert!(
        json["certificate"]["subject_alt_names"]
            .as_array()
            .unwrap()
            .contains(&"DNS:big.test".into())
    );
    let revealed = home.reveal("client");
    let key_text = std::fs::read_to_string(&key).unwrap();
    let key_body: String = key_text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let revealed_body: String = revealed
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    assert!(
        revealed_body.contains(&key_body),
        "the private key comes back intact"
    );
    assert_eq!(
        home.keychain_value_accounts()
            .iter()
            .filter(|account| account.contains("/envelope-key/"))
            .count(),
        1,
        "the sealed value's key lives in the keychain"
    );
}

#[test]
fn pkcs12_archives_import_with_their_password() {
    let home = TestHome::new();
    let (cert, key) = openssl_certificate(
        home.dir.path(),
        "p12",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    let archive = home.dir.path().join("client.p12");
    openssl_pkcs12(&cert, &key, &archive, "open sesame");
    home.keyward(&["cert", "import"])
        .arg(&archive)
        .args(["--password-stdin", "--name", "p12"])
        .write_stdin("open sesame\n")
        .assert()
        .success();
    let (_, show, _) = home.run(&["cred", "show", "p12", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(json["kind"], "client-cert");
    assert_eq!(json["certificate"]["key_type"], "EC");
    assert_eq!(json["certificate"]["key_bits"], 256);
    assert!(
        json["expires_at"].is_string(),
        "a certificate's expiry becomes the credential's"
    );
}

#[test]
fn removing_a_credential_removes_its_keychain_entries() {
    let home = TestHome::new();
    home.add("gone", "token", &canary("gone"));
    assert_eq!(home.keychain_value_accounts().len(), 1);
    home.keyward(&["cred", "rm", "gone"]).assert().success();
    assert!(
        home.keychain_value_accounts().is_empty(),
        "no orphaned secret may stay in the keychain"
    );
    assert!(home.credential_names().is_empty());
    let (code, _, stderr) = home.run(&["cred", "reveal", "gone"], b"");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("credential `gone` does not exist"),
        "{stderr}"
    );
}
