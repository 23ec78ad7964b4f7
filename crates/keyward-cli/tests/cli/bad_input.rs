//! The bad-input catalogue: each case must fail with a message that names the input,
//! exit with the contract's code, and change nothing.

use crate::common::{TestHome, canary, openssl_certificate, openssl_pkcs12};

/// Runs a failing command and checks exit code, message, and that the inventory and the
/// audit log are exactly as before.
fn refused(home: &TestHome, args: &[&str], stdin: &[u8], code: i32, words: &[&str]) {
    let names_before = home.credential_names();
    let audit_before = home.run(&["audit", "list", "--json"], b"").1;
    let (actual, stdout, stderr) = home.run(args, stdin);
    assert_eq!(actual, code, "exit code of {args:?}; stderr: {stderr}");
    for word in words {
        assert!(
            stderr.contains(word),
            "the error for {args:?} should mention {word:?}: {stderr}"
        );
    }
    assert!(stdout.is_empty() || !stdout.contains("Stored"), "{stdout}");
    assert_eq!(
        home.credential_names(),
        names_before,
        "{args:?} must not change the inventory"
    );
    assert_eq!(
        home.run(&["audit", "list", "--json"], b"").1,
        audit_before,
        "{args:?} must not be audited as done"
    );
}

#[test]
fn duplicate_names_and_unknown_kinds_are_refused() {
    let home = TestHome::new();
    home.add("dup", "token", &canary("dup"));
    refused(
        &home,
        &["cred", "add", "dup", "--kind", "token", "--value-stdin"],
        b"other",
        2,
        &["`dup` already exists"],
    );
    refused(
        &home,
        &["cred", "add", "x", "--kind", "password", "--value-stdin"],
        b"v",
        2,
        &["--kind", "unknown credential kind `password`"],
    );
    refused(
        &home,
        &["cred", "add", "x", "--kind", "basic", "--value-stdin"],
        b"no-colon",
        2,
        &["user:password"],
    );
    refused(
        &home,
        &["cred", "add", "x", "--kind", "token", "--value-stdin"],
        b"\n",
        2,
        &["empty"],
    );
    refused(
        &home,
        &[
            "cred",
            "add",
            "x",
            "--kind",
            "token",
            "--host",
            "not a host",
            "--value-stdin",
        ],
        b"v",
        2,
        &["not a host"],
    );
    refused(
        &home,
        &[
            "cred",
            "add",
            "x",
            "--kind",
            "token",
            "--rotate-every",
            "soon",
            "--value-stdin",
        ],
        b"v",
        2,
        &["--rotate-every", "soon"],
    );
    refused(
        &home,
        &[
            "cred",
            "add",
            "x",
            "--kind",
            "token",
            "--integration",
            "nope",
            "--value-stdin",
        ],
        b"v",
        2,
        &["integration `nope` does not exist"],
    );
    assert_eq!(
        home.reveal("dup").len(),
        canary("dup").len(),
        "the original survives"
    );
}

#[test]
fn unreadable_and_invalid_certificate_files_are_named() {
    let home = TestHome::new();
    let missing = home.dir.path().join("missing.pem");
    refused(
        &home,
        &["cert", "import", missing.to_str().unwrap(), "--name", "c"],
        b"",
        2,
        &["missing.pem", "cannot read"],
    );
    let garbage = home.write_file(
        "garbage.pem",
        b"-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
    );
    refused(
        &home,
        &["cert", "import", garbage.to_str().unwrap(), "--name", "c"],
        b"",
        2,
        &["garbage.pem"],
    );
    let (cert, _key) = openssl_certificate(
        home.dir.path(),
        "nokey",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    refused(
        &home,
        &["cert", "import", cert.to_str().unwrap(), "--name", "c"],
        b"",
        2,
        &["nokey.crt.pem", "no private key"],
    );
    let (_, other_key) = openssl_certificate(
        home.dir.path(),
        "other",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    refused(
        &home,
        &[
            "cert",
            "import",
            cert.to_str().unwrap(),
            "--key",
            other_key.to_str().unwrap(),
            "--name",
            "c",
        ],
        b"",
        2,
        &["does not belong to the certificate"],
    );
}

#[test]
fn a_wrong_pkcs12_password_is_named() {
    let home = TestHome::new();
    let (cert, key) = openssl_certificate(
        home.dir.path(),
        "pw",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    let archive = home.dir.path().join("pw.p12");
    openssl_pkcs12(&cert, &key, &archive, "right");
    refused(
        &home,
        &[
            "cert",
            "import",
            archive.to_str().unwrap(),
            "--password-stdin",
            "--name",
            "c",
        ],
        b"wrong\n",
        2,
        &["pw.p12", "wrong PKCS#12 password"],
    );
}

#[test]
fn malformed_import_files_name_file_and_line() {
    let home = TestHome::new();
    let env = home.write_file(
        "bad.env",
        format!("GOOD_TOKEN={}\nthis line is broken\n", canary("x")).as_bytes(),
    );
    refused(
        &home,
        &["import", "dotenv", env.to_str().unwrap()],
        b"",
        2,
        &["bad.env:2:", "expected KEY=VALUE"],
    );
    let collection = home.write_file(
        "collection.json",
        br#"{"info": {"name": "api", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}"#,
    );
    refused(
        &home,
        &["import", "postman", collection.to_str().unwrap()],
        b"",
        2,
        &["collection.json", "collection"],
    );
    let globals = home.write_file(
        "globals.json",
        br#"{"values": [], "_postman_variable_scope": "globals"}"#,
    );
    refused(
        &home,
        &["import", "postman", globals.to_str().unwrap()],
        b"",
        2,
        &["`globals` export"],
    );
    let csv = home.write_file("bad.csv", b"name,kind,value\nok,token,abc\nbroken,token\n");
    refused(
        &home,
        &["import", "csv", csv.to_str().unwrap()],
        b"",
        2,
        &["bad.csv:3:", "2 fields where the header has 3"],
    );
    let kind = home.write_file("kind.csv", b"name,kind,value\nx,password,abc\n");
    refused(
        &home,
        &["import", "csv", kind.to_str().unwrap()],
        b"",
        2,
        &["kind.csv:2:", "unknown credential kind"],
    );
    let missing = home.dir.path().join("nope.env");
    refused(
        &home,
        &["import", "dotenv", missing.to_str().unwrap()],
        b"",
        2,
        &["nope.env", "cannot read"],
    );
    home.add("TAKEN_TOKEN", "token", "v1");
    let clash = home.write_file("clash.env", b"NEW_TOKEN=abc\nTAKEN_TOKEN=def\n");
    refused(
        &home,
        &["import", "dotenv", clash.to_str().unwrap()],
        b"",
        2,
        &["clash.env:2:", "already exists"],
    );
}

#[test]
fn a_database_from_a_newer_keyward_is_refused() {
    let home = TestHome::new();
    home.sql("PRAGMA user_version = 999;");
    let (code, _, stderr) = home.run(&["cred", "list"], b"");
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("schema version 999") && stderr.contains("upgrade Keyward"),
        "{stderr}"
    );
}

#[test]
fn a_missing_secret_service_is_an_environment_error_that_creates_nothing() {
    let home = TestHome::uninitialised();
    let output = home
        .keyward(&["init"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("keychain is not available") && stderr.contains("gnome-keyring"),
        "the fix is named: {stderr}"
    );
    assert!(
        !home.path().exists(),
        "no home may be created without a keychain"
    );
}

#[test]
fn a_locked_secret_service_is_an_environment_error() {
    // A second, private D-Bus session whose keyring daemon was started without unlocking.
    let home = TestHome::uninitialised();
    let runtime = home.dir.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let binary = assert_cmd::cargo::cargo_bin("keyward");
    let script = format!(
        "gnome-keyring-daemon --components=secrets --daemonize >/dev/null 2>&1; KEYWARD_HOME='{}' '{}' init",
        home.path().display(),
        binary.display()
    );
    let output = std::process::Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("HOME", home.dir.path())
        .env("XDG_DATA_HOME", home.dir.path().join("data"))
        // Its own runtime directory, so this daemon never meets the control socket of
        // the unlocked one the other tests use.
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("keychain is locked"), "{stderr}");
}
