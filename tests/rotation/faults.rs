//! Crash safety: the `keyward` binary (built with the `fault-injection` feature) is
//! aborted at every point of a rotation with `KEYWARD_FAULT`, restarted with
//! `keyward rotate --resume`, and afterwards exactly one key works at the fake provider,
//! it is the one in the keychain, and the files hold it: no value is ever lost.

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use keyward::rotate::fault::POINTS;

use super::fake;
use super::providers::{FakeAws, FakeTokens, Fault, key_api_recipe};

/// Which fake provider a crash test runs against.
#[derive(Clone, Copy, Debug)]
enum Provider {
    Recipe,
    Aws,
}

struct Scenario {
    dir: tempfile::TempDir,
    accepts: Box<dyn Fn(&str) -> bool>,
    active: Box<dyn Fn() -> usize>,
    fail_verify: Box<dyn Fn()>,
    clear: Box<dyn Fn()>,
    old: String,
}

impl Scenario {
    fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }

    fn keyward(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("keyward").expect("keyward binary");
        command.env("KEYWARD_HOME", self.home()).env_remove("KEYWARD_FAULT").args(args);
        command
    }

    fn env_file(&self) -> std::path::PathBuf {
        self.dir.path().join("service.env")
    }
}

fn scenario(provider: Provider) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let (accepts, active, fail_verify, clear, old, server, method, extra): (
        Box<dyn Fn(&str) -> bool>,
        Box<dyn Fn() -> usize>,
        Box<dyn Fn()>,
        Box<dyn Fn()>,
        String,
        fake::Server,
        &str,
        Vec<String>,
    ) = match provider {
        Provider::Recipe => {
            let (api, old) = FakeTokens::new("key_");
            let server = fake::start(dir.path(), api.key_api());
            let recipe = dir.path().join("recipe.toml");
            std::fs::write(&recipe, key_api_recipe(&server.base_url())).unwrap();
            let (a, b, c, d) = (api.clone(), api.clone(), api.clone(), api);
            (
                Box::new(move |value| a.accepts(value)),
                Box::new(move || b.active_count()),
                Box::new(move || c.faults.set("GET /v1/me", Fault::ServerError)),
                Box::new(move || d.faults.clear()),
                old,
                server,
                "http",
                vec!["--recipe".into(), recipe.display().to_string(), "--key-id".into(), "1".into()],
            )
        }
        Provider::Aws => {
            let (aws, old): (Arc<FakeAws>, String) = FakeAws::new();
            let server = fake::start(dir.path(), aws.handler());
            let (a, b, c, d) = (aws.clone(), aws.clone(), aws.clone(), aws);
            let base = server.base_url();
            (
                Box::new(move |value| a.accepts(value)),
                Box::new(move || b.active_count()),
                Box::new(move || c.faults.set("GetCallerIdentity", Fault::ServerError)),
                Box::new(move || d.faults.clear()),
                old,
                server,
                "aws",
                vec!["--base-url".into(), base],
            )
        }
    };
    let scenario = Scenario { dir, accepts, active, fail_verify, clear, old };
    std::fs::write(scenario.env_file(), format!("KEY={}\n", scenario.old)).unwrap();
    scenario.keyward(&["init"]).assert().success();
    scenario
        .keyward(&["cred", "add", "svc", "--kind", "api-key", "--host", "127.0.0.1", "--value-stdin"])
        .write_stdin(scenario.old.clone())
        .assert()
        .success();
    let env = scenario.env_file().display().to_string();
    let ca = server.ca_file.display().to_string();
    let mut args = vec!["cred", "set-rotation", "svc", "--method", method, "--ca", &ca, "--file", &env];
    args.extend(extra.iter().map(String::as_str));
    scenario.keyward(&args).assert().success();
    // Keep the server alive for the test process: the handle only holds its address.
    std::mem::forget(server);
    scenario
}

fn crash_and_resume(provider: Provider, point: &str) {
    let scenario = scenario(provider);
    let rolls_back = point.starts_with("rolling-back") || point.starts_with("rolled-back");
    if rolls_back {
        (scenario.fail_verify)();
    }
    let crashed = scenario.keyward(&["rotate", "svc", "--yes"]).env("KEYWARD_FAULT", point).output().unwrap();
    let stderr = String::from_utf8_lossy(&crashed.stderr);
    assert!(
        !crashed.status.success() && stderr.contains(&format!("fault injected at `{point}`")),
        "{provider:?} {point}: the rotation must have been aborted at that point: {stderr}"
    );
    (scenario.clear)();

    scenario.keyward(&["rotate", "--resume"]).assert().success();

    let revealed = scenario.keyward(&["cred", "reveal", "svc"]).output().unwrap();
    assert!(revealed.status.success(), "{provider:?} {point}: the credential must still be readable");
    let value = String::from_utf8(revealed.stdout).unwrap().trim_end().to_owned();
    assert!((scenario.accepts)(&value), "{provider:?} {point}: the keychain's value must work at the provider");
    assert_eq!((scenario.active)(), 1, "{provider:?} {point}: exactly one key may stay active at the provider");
    if rolls_back {
        assert_eq!(value, scenario.old, "{provider:?} {point}: a rotation that failed verification keeps the old value");
    }
    assert_eq!(
        std::fs::read_to_string(scenario.env_file()).unwrap(),
        format!("KEY={value}\n"),
        "{provider:?} {point}: the files must hold the current value"
    );
    assert_unfinished_none_and_audit_intact(&scenario.home(), provider, point);

    // The credential rotates normally afterwards.
    scenario.keyward(&["rotate", "svc", "--yes"]).assert().success();
    let after = scenario.keyward(&["cred", "reveal", "svc"]).output().unwrap();
    let after = String::from_utf8(after.stdout).unwrap().trim_end().to_owned();
    assert!((scenario.accepts)(&after) && after != value, "{provider:?} {point}: a later rotation must work");
}

fn assert_unfinished_none_and_audit_intact(home: &Path, provider: Provider, point: &str) {
    let keyward = keyward::Keyward::open(home).unwrap();
    assert!(keyward.unfinished_rotations().unwrap().is_empty(), "{provider:?} {point}: resume must settle every rotation");
    let verification = keyward.verify_audit().unwrap();
    assert!(verification.intact, "{provider:?} {point}: {:?}", verification.problems);
}

#[test]
fn every_crash_point_of_a_recipe_rotation_recovers() {
    for point in POINTS {
        crash_and_resume(Provider::Recipe, point);
    }
}

#[test]
fn every_crash_point_of_an_aws_rotation_recovers() {
    for point in POINTS {
        crash_and_resume(Provider::Aws, point);
    }
}
