//! Signed bundles between workstations and a review home: trust on first use, pinning,
//! and refusal of altered, re-signed and replayed bundles.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::common::{TestHome, canary};

fn export(home: &TestHome, name: &str) -> PathBuf {
    let out = home.dir.path().join(name);
    home.keyward(&["export", "--bundle", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

fn import(review: &TestHome, files: &[&Path], trust_new: bool) -> (i32, String, String) {
    let mut args: Vec<String> = vec!["review".into(), "import".into()];
    args.extend(files.iter().map(|file| file.display().to_string()));
    if trust_new {
        args.push("--trust-new".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    review.run(&args, b"")
}

fn workstations(review: &TestHome) -> usize {
    let (_, stdout, _) = review.run(&["review", "show", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    json["workstations"].as_array().unwrap().len()
}

/// Rewrites a bundle's payload with `edit`, keeping the original signature.
fn tamper(bundle: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&BASE64.decode(file["payload"].as_str().unwrap()).unwrap()).unwrap();
    edit(&mut payload);
    file["payload"] = BASE64.encode(serde_json::to_vec(&payload).unwrap()).into();
    std::fs::write(bundle, serde_json::to_vec(&file).unwrap()).unwrap();
}

#[test]
fn bundles_from_two_workstations_merge_into_a_review_home() {
    let alice = TestHome::new();
    alice.add("deploy", "token", &canary("alice"));
    alice
        .keyward(&[
            "cred",
            "add",
            "old",
            "--kind",
            "api-key",
            "--rotate-every",
            "1d",
            "--value-stdin",
        ])
        .write_stdin(canary("old"))
        .assert()
        .success();
    let bob = TestHome::new();
    bob.add("ci", "token", &canary("bob"));
    let alice_bundle = export(&alice, "alice.json");
    let bob_bundle = export(&bob, "bob.json");
    let review = TestHome::new();

    let (code, _, stderr) = import(&review, &[&alice_bundle, &bob_bundle], false);
    assert_eq!(
        code, 2,
        "unknown workstations need explicit trust: {stderr}"
    );
    assert!(
        stderr.contains("not trusted yet") && stderr.contains("--trust-new"),
        "{stderr}"
    );
    assert_eq!(workstations(&review), 0, "a refused import changes nothing");

    let (code, stdout, stderr) = import(&review, &[&alice_bundle, &bob_bundle], true);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("now trusting key"), "{stdout}");
    assert_eq!(workstations(&review), 2);
    let (_, show, _) = review.run(&["review", "show", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    let names: Vec<&str> = json["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|snapshot| snapshot["credentials"].as_array().unwrap())
        .map(|credential| credential["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"deploy") && names.contains(&"ci"),
        "{names:?}"
    );

    // A newer bundle from a pinned workstation is accepted without --trust-new.
    let newer = export(&alice, "alice-2.json");
    let (code, _, stderr) = import(&review, &[&newer], false);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn altered_bundles_are_refused() {
    let home = TestHome::new();
    home.add("a", "token", &canary("a"));
    home.add("b", "token", &canary("b"));
    let review = TestHome::new();
    for (label, edit) in [
        (
            "an edited field",
            Box::new(|payload: &mut serde_json::Value| {
                payload["snapshot"]["credentials"][0]["name"] = "renamed".into()
            }) as Box<dyn FnOnce(&mut serde_json::Value)>,
        ),
        (
            "a dropped row",
            Box::new(|payload: &mut serde_json::Value| {
                payload["snapshot"]["credentials"]
                    .as_array_mut()
                    .unwrap()
                    .remove(1);
            }),
        ),
        (
            "a raised sequence number",
            Box::new(|payload: &mut serde_json::Value| payload["sequence"] = 99.into()),
        ),
    ] {
        let bundle = export(&home, "tampered.json");
        tamper(&bundle, edit);
        let (code, _, stderr) = import(&review, &[&bundle], true);
        assert_eq!(code, 2, "{label}: {stderr}");
        assert!(
            stderr.contains("was altered after it was signed"),
            "{label}: {stderr}"
        );
    }
    assert_eq!(workstations(&review), 0);
}

#[test]
fn a_bundle_signed_by_another_key_for_a_pinned_workstation_is_refused() {
    let genuine = TestHome::new();
    let review = TestHome::new();
    let bundle = export(&genuine, "genuine.json");
    assert_eq!(import(&review, &[&bundle], true).0, 0);
    // An impostor home claims the genuine workstation's id but signs with its own key.
    let impostor = TestHome::new();
    let (_, genuine_show, _) = review.run(&["review", "show", "--json"], b"");
    let genuine_id = serde_json::from_str::<serde_json::Value>(&genuine_show).unwrap()["workstations"][0]["workstation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    impostor.sql(&format!("INSERT INTO settings (key, value) VALUES ('workstation_id', '{genuine_id}'), ('bundle_sequence', '50')"));
    let forged = export(&impostor, "forged.json");
    let (code, _, stderr) = import(&review, &[&forged], true);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is pinned to key"), "{stderr}");
}

#[test]
fn replayed_and_outdated_bundles_are_refused() {
    let home = TestHome::new();
    let review = TestHome::new();
    let first = export(&home, "first.json");
    let second = export(&home, "second.json");
    assert_eq!(import(&review, &[&second], true).0, 0);
    for (label, bundle) in [
        ("an older bundle", &first),
        ("the same bundle again", &second),
    ] {
        let (code, _, stderr) = import(&review, &[bundle], false);
        assert_eq!(code, 2, "{label}: {stderr}");
        assert!(stderr.contains("replayed or outdated"), "{label}: {stderr}");
    }
}

#[test]
fn bundles_carry_no_secret_value() {
    let home = TestHome::new();
    let value = canary("bundle");
    home.add("secret-one", "token", &value);
    let bundle = export(&home, "bundle.json");
    let file = std::fs::read(&bundle).unwrap();
    let payload = BASE64
        .decode(
            serde_json::from_slice::<serde_json::Value>(&file).unwrap()["payload"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    for bytes in [&file, &payload] {
        assert!(
            !bytes
                .windows(value.len())
                .any(|window| window == value.as_bytes()),
            "a bundle must never carry a value"
        );
    }
    let (_, audit, _) = home.run(&["audit", "list", "--json"], b"");
    assert!(audit.contains("\"export\""), "exports are audited");
}

#[test]
fn a_shared_team_key_reveals_the_same_secret_on_two_workstations() {
    let shared = canary("shared");
    let team_key = canary("teamkey");
    let homes: Vec<TestHome> = (0..2).map(|_| TestHome::new()).collect();
    for (index, home) in homes.iter().enumerate() {
        home.add(&format!("copy-{index}"), "token", &shared);
        home.add(&format!("own-{index}"), "token", &canary("own"));
        home.keyward(&["team-key", "set", "--value-stdin"])
            .write_stdin(team_key.clone())
            .assert()
            .success();
    }
    // A credential added after the key was set is fingerprinted for the team too.
    homes[1].add("late-copy", "api-key", &shared);
    let review = TestHome::new();
    let files: Vec<PathBuf> = homes
        .iter()
        .enumerate()
        .map(|(index, home)| export(home, &format!("w{index}.json")))
        .collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    assert_eq!(import(&review, &paths, true).0, 0);
    let (_, show, _) = review.run(&["review", "show", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    let shared_groups = json["shared_fingerprints"].as_array().unwrap();
    assert_eq!(
        shared_groups.len(),
        1,
        "exactly the shared secret is reported: {shared_groups:?}"
    );
    let holders: Vec<&str> = shared_groups[0]["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|holder| holder.as_str().unwrap())
        .collect();
    assert_eq!(holders.len(), 3, "{holders:?}");
    assert!(
        holders.iter().any(|holder| holder.ends_with("copy-0"))
            && holders.iter().any(|holder| holder.ends_with("late-copy"))
    );
    let (code, _, stderr) = homes[0].run(&["team-key", "set", "--value-stdin"], b"short");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("at least 16 bytes"), "{stderr}");
}
