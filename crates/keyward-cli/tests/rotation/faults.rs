//! Crash safety: a rotation running in a child process (this test binary re-run as
//! [`child_process`], built with the `fault-injection` feature) is aborted at every
//! point with `KEYWARD_FAULT`; a second child resumes, as `keyward rotate --resume`
//! does; afterwards exactly one key works at the fake provider, it is the one in the
//! keychain, and the files hold it: no value is ever lost.
//!
//! The children are this binary rather than the `keyward` CLI because the CLI's path in
//! a shared target directory can be replaced by another build while tests run; the CLI
//! itself is tested in `cli.rs` of this suite.

use std::path::Path;
use std::sync::Arc;

use keyward::model::{CredentialKind, NewCredential, SecretValue};
use keyward::rotate::fault::POINTS;
use keyward::rotate::{RotationMethod, RotationSetup};
use keyward::{Access, Keyward, RotationApproval};

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

    fn env_file(&self) -> std::path::PathBuf {
        self.dir.path().join("service.env")
    }
}

fn scenario(provider: Provider) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    #[expect(
        clippy::type_complexity,
        reason = "one tuple per provider keeps the two set-ups side by side"
    )]
    let (accepts, active, fail_verify, clear, old, server, method, recipe, base_url, key_id): (
        Box<dyn Fn(&str) -> bool>,
        Box<dyn Fn() -> usize>,
        Box<dyn Fn()>,
        Box<dyn Fn()>,
        String,
        fake::Server,
        RotationMethod,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = match provider {
        Provider::Recipe => {
            let (api, old) = FakeTokens::new("key_");
            let server = fake::start(dir.path(), api.key_api());
            let recipe = key_api_recipe(&server.base_url());
            let (a, b, c, d) = (api.clone(), api.clone(), api.clone(), api);
            (
                Box::new(move |value| a.accepts(value)),
                Box::new(move || b.active_count()),
                Box::new(move || c.faults.set("GET /v1/me", Fault::ServerError)),
                Box::new(move || d.faults.clear()),
                old,
                server,
                RotationMethod::Http,
                Some(recipe),
                None,
                Some("1".into()),
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
                RotationMethod::Aws,
                None,
                Some(base),
                None,
            )
        }
    };
    let scenario = Scenario {
        dir,
        accepts,
        active,
        fail_verify,
        clear,
        old,
    };
    std::fs::write(scenario.env_file(), format!("KEY={}\n", scenario.old)).unwrap();
    let mut keyward = keyward::Keyward::init(&scenario.home()).unwrap();
    keyward
        .credentials()
        .add_credential(
            NewCredential {
                name: "svc".into(),
                kind: Some(CredentialKind::ApiKey),
                allowed_hosts: vec!["127.0.0.1".into()],
                ..Default::default()
            },
            SecretValue::from_string(scenario.old.clone()),
        )
        .unwrap();
    let mut setup = RotationSetup::new(method);
    setup.ca_file = Some(server.ca_file.clone());
    setup.files = vec![scenario.env_file()];
    setup.recipe = recipe;
    setup.base_url = base_url;
    setup.key_id = key_id;
    keyward.rotation().set_rotation("svc", setup, None).unwrap();
    // Keep the server alive for the test process: the handle only holds its address.
    std::mem::forget(server);
    scenario
}

fn crash_and_resume(provider: Provider, point: &str) {
    eprintln!("crash test: {provider:?} at {point}");
    let scenario = scenario(provider);
    let rolls_back = point.starts_with("rolling-back") || point.starts_with("rolled-back");
    if rolls_back {
        (scenario.fail_verify)();
    }
    let crashed = child(&scenario.home(), "rotate", Some(point));
    let stderr = String::from_utf8_lossy(&crashed.stderr);
    assert!(
        !crashed.status.success() && stderr.contains(&format!("fault injected at `{point}`")),
        "{provider:?} {point}: the rotation must have been aborted at that point: {stderr}"
    );
    (scenario.clear)();

    let resumed = child(&scenario.home(), "resume", None);
    assert!(
        resumed.status.success(),
        "{provider:?} {point}: resume failed: {}",
        String::from_utf8_lossy(&resumed.stderr)
    );

    let value = reveal(&scenario.home());
    assert!(
        (scenario.accepts)(&value),
        "{provider:?} {point}: the keychain's value must work at the provider"
    );
    assert_eq!(
        (scenario.active)(),
        1,
        "{provider:?} {point}: exactly one key may stay active at the provider"
    );
    if rolls_back {
        assert_eq!(
            value, scenario.old,
            "{provider:?} {point}: a rotation that failed verification keeps the old value"
        );
    }
    assert_eq!(
        std::fs::read_to_string(scenario.env_file()).unwrap(),
        format!("KEY={value}\n"),
        "{provider:?} {point}: the files must hold the current value"
    );
    assert_unfinished_none_and_audit_intact(&scenario.home(), provider, point);

    // The credential rotates normally afterwards.
    let again = child(&scenario.home(), "rotate", None);
    assert!(
        again.status.success(),
        "{provider:?} {point}: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    let after = reveal(&scenario.home());
    assert!(
        (scenario.accepts)(&after) && after != value,
        "{provider:?} {point}: a later rotation must work"
    );
}

fn assert_unfinished_none_and_audit_intact(home: &Path, provider: Provider, point: &str) {
    let mut keyward = keyward::Keyward::open(home).unwrap();
    assert!(
        keyward
            .rotation()
            .unfinished_rotations()
            .unwrap()
            .is_empty(),
        "{provider:?} {point}: resume must settle every rotation"
    );
    let verification = keyward.review().verify_audit().unwrap();
    assert!(
        verification.intact,
        "{provider:?} {point}: {:?}",
        verification.problems
    );
}

/// One test, run sequentially. gnome-keyring-daemon, the test keychain, has an upstream
/// race ("gkd_secret_service_get_pkcs11_session: assertion 'client' failed", GNOME
/// gnome-keyring work items 190/196/199) that many short-lived Secret Service
/// connections trip now and then; the daemon aborts and comes back locked. When that
/// happens (and only then: the failure names the vanished or locked keychain) the
/// daemon is unlocked again and the crash point is retried in a fresh home.
#[test]
fn every_crash_point_recovers_for_recipes_and_aws() {
    let _turn = super::keychain_turn();
    for provider in [Provider::Recipe, Provider::Aws] {
        for point in POINTS {
            let mut attempts = 0;
            loop {
                attempts += 1;
                let outcome = std::panic::catch_unwind(|| crash_and_resume(provider, point));
                let Err(panic) = outcome else { break };
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
                    .unwrap_or_default();
                let daemon_died = [
                    "Message recipient disconnected",
                    "unlock prompt was dismissed",
                    "The name is not activatable",
                ]
                .iter()
                .any(|marker| message.contains(marker));
                if !daemon_died || attempts == 3 {
                    std::panic::resume_unwind(panic);
                }
                eprintln!(
                    "crash test: {provider:?} at {point}: the test keychain daemon died; unlocking it again and retrying"
                );
                super::restart_keychain();
            }
        }
    }
}

/// Runs [`child_process`] in a new process on `home`: `rotate` rotates `svc`, `resume`
/// resumes unfinished rotations, as the CLI's `rotate svc --yes` and `rotate --resume`.
fn child(home: &Path, action: &str, fault: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "faults::child_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("KEYWARD_CHILD_HOME", home)
        .env("KEYWARD_CHILD_ACTION", action)
        .env_remove("KEYWARD_FAULT");
    if let Some(fault) = fault {
        command.env("KEYWARD_FAULT", fault);
    }
    command.output().unwrap()
}

fn reveal(home: &Path) -> String {
    let mut keyward = Keyward::open(home).unwrap();
    keyward
        .credentials()
        .reveal("svc", Access::Reveal)
        .unwrap()
        .expose_str()
        .unwrap()
        .to_owned()
}

/// The child side of the crash tests; ignored in normal runs and started only by
/// [`child`], which sets its environment.
#[test]
#[ignore = "run as a child process by the crash tests"]
fn child_process() {
    let home = std::env::var_os("KEYWARD_CHILD_HOME").expect("started by the crash tests");
    let mut keyward = Keyward::open(Path::new(&home)).unwrap().with_surface("cli");
    match std::env::var("KEYWARD_CHILD_ACTION").unwrap().as_str() {
        "rotate" => {
            keyward
                .rotation()
                .resume_rotations(None, &mut |_| {})
                .unwrap();
            keyward
                .rotation()
                .rotate_credential("svc", &RotationApproval::default(), None, &mut |_| {})
                .unwrap();
        }
        "resume" => {
            keyward
                .rotation()
                .resume_rotations(None, &mut |_| {})
                .unwrap();
        }
        other => panic!("unknown child action {other}"),
    }
}
