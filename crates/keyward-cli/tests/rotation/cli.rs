//! The rotation commands of the `keyward` binary: `cred set-rotation`, `rotate NAME
//! [--dry-run] [--yes]`, `rotate --resume`, `rotate --overdue`, and their exit codes.

use assert_cmd::Command;
use predicates::prelude::*;

struct CliHome {
    dir: tempfile::TempDir,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl CliHome {
    fn new() -> Self {
        let home = Self {
            _turn: super::keychain_turn(),
            dir: tempfile::tempdir().unwrap(),
        };
        home.keyward(&["init"]).assert().success();
        home
    }

    fn keyward(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("keyward").expect("keyward binary");
        command
            .env("KEYWARD_HOME", self.dir.path().join("home"))
            .env_remove("KEYWARD_FAULT")
            .args(args);
        command
    }
}

const VALUE: &str = "tok_abcdefghijklmnopqrstuvwxyz0123456789";

#[test]
fn dry_run_shows_a_redacted_plan_and_changes_nothing_then_rotate_yes_rotates() {
    let home = CliHome::new();
    home.keyward(&["cred", "add", "ci", "--kind", "token", "--value-stdin"])
        .write_stdin(VALUE)
        .assert()
        .success();
    let env = home.dir.path().join("ci.env");
    std::fs::write(&env, format!("TOKEN={VALUE}\n")).unwrap();
    home.keyward(&[
        "cred",
        "set-rotation",
        "ci",
        "--method",
        "generate",
        "--every",
        "30d",
        "--file",
        env.to_str().unwrap(),
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(
        "ci rotates with generate every 30 days",
    ));

    home.keyward(&["rotate", "ci", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tok_…(40)").and(predicate::str::contains(VALUE).not()));
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        format!("TOKEN={VALUE}\n"),
        "a dry run must not touch files"
    );

    home.keyward(&["rotate", "ci"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));

    home.keyward(&["rotate", "ci", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[done]"));
    let revealed = home.keyward(&["cred", "reveal", "ci"]).output().unwrap();
    let new = String::from_utf8(revealed.stdout)
        .unwrap()
        .trim_end()
        .to_owned();
    assert_ne!(new, VALUE);
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        format!("TOKEN={new}\n")
    );

    home.keyward(&["rotate", "--resume"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No interrupted rotations"));
    home.keyward(&["rotate", "--overdue", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No credential is overdue"));
}

#[test]
fn bad_rotation_setups_are_input_errors() {
    let home = CliHome::new();
    home.keyward(&["cred", "add", "db", "--kind", "basic", "--value-stdin"])
        .write_stdin("alice:pw")
        .assert()
        .success();
    home.keyward(&["cred", "set-rotation", "db", "--method", "vault"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rotation method `vault`"));
    home.keyward(&["cred", "set-rotation", "db", "--method", "generate"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("issued by its provider"));
    let recipe = home.dir.path().join("bad.toml");
    std::fs::write(&recipe, "[create]\nurl = \"https://x.example/{{curent}}\"\nsecret_pointer = \"/s\"\n[verify]\nurl = \"https://x.example\"\n").unwrap();
    home.keyward(&[
        "cred",
        "set-rotation",
        "db",
        "--method",
        "http",
        "--recipe",
        recipe.to_str().unwrap(),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("create.url").and(predicate::str::contains("curent")));
}
