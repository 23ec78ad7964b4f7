//! Smaller properties of issue 14: a rotation plan shows nothing of the other secrets on
//! a line it rewrites; propagation writes through a symbolic link instead of replacing
//! it, and refuses (before anything is created) a link that leads nowhere safe; `init`
//! says when it tightens an existing home's mode, and refuses a symlinked home or one of
//! another user.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::common::leaks::Needles;
use crate::common::{TestHome, canary};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_rotation(home: &TestHome, name: &str, file: &Path) {
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

fn run_ok(home: &TestHome, args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = home.run(args, b"");
    assert_eq!(code, 0, "{args:?}: {stderr}");
    (stdout, stderr)
}

#[test]
fn a_rotation_plan_shows_nothing_of_other_secrets_on_the_rewritten_line() {
    let home = TestHome::new();
    let rotated = canary("Pl1");
    let other = canary("Pl2");
    home.add("rotated", "secret", &rotated);
    // Outside the home: the file itself holds the other secret, and the leak check
    // below reads every file under the test's directory.
    let project = tempfile::tempdir().unwrap();
    let env = project.path().join("app.env");
    std::fs::write(
        &env,
        format!(
            "A={rotated} B={other}\n{{\"other\": \"{other}\", \"token\": \"{rotated}\"}}\nURL=https://{other}:{rotated}@db.internal/\n"
        ),
    )
    .unwrap();
    set_rotation(&home, "rotated", &env);

    let mut outputs = Vec::new();
    for args in [
        &["rotate", "rotated", "--dry-run"][..],
        &["rotate", "rotated", "--dry-run", "--json"],
    ] {
        let (stdout, stderr) = run_ok(&home, args);
        outputs.push((format!("stdout of {args:?}"), stdout));
        outputs.push((format!("stderr of {args:?}"), stderr));
    }
    let json: serde_json::Value = serde_json::from_str(&outputs[2].1).unwrap();
    let changes = json
        .pointer("/plans/0/files/0/changes")
        .and_then(|changes| changes.as_array())
        .unwrap_or_else(|| panic!("the plan previews the file: {json}"));
    let redacted = format!("{}…({})", &rotated[..4], rotated.len());
    let shown: Vec<(u64, &str, &str)> = changes
        .iter()
        .map(|change| {
            (
                change["line"].as_u64().unwrap(),
                change["before"].as_str().unwrap(),
                change["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (1, format!("A={redacted}").as_str(), "A=<new value>"),
            (
                2,
                format!("token: {redacted}").as_str(),
                "token: <new value>"
            ),
            (3, format!("URL={redacted}").as_str(), "URL=<new value>"),
        ],
        "each change shows its key and the redacted value, nothing else of the line"
    );
    assert!(
        outputs[0].1.contains(&format!("1 - A={redacted}")),
        "{}",
        outputs[0].1
    );
    Needles::of(&other).assert_absent(&home, &outputs);
    Needles::of(&rotated).assert_absent(&home, &outputs);
}

#[test]
fn propagation_writes_through_a_symbolic_link_and_keeps_it() {
    let home = TestHome::new();
    let old = canary("Ln1");
    home.add("linked", "secret", &old);
    let dotfiles = home.dir.path().join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    let target = dotfiles.join("app.env");
    std::fs::write(&target, format!("TOKEN={old}\n")).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = home.dir.path().join(".env");
    std::os::unix::fs::symlink("dotfiles/app.env", &link).unwrap();
    set_rotation(&home, "linked", &link);

    let (plan, _) = run_ok(&home, &["rotate", "linked", "--dry-run"]);
    assert!(
        plan.contains("a symbolic link; the file it leads to")
            && plan.contains(
                &std::fs::canonicalize(&target)
                    .unwrap()
                    .display()
                    .to_string()
            ),
        "the plan names the file that is written: {plan}"
    );
    run_ok(&home, &["rotate", "linked", "--yes"]);
    let new = home.reveal("linked");
    assert_ne!(new, old);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link must stay a link"
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("dotfiles/app.env")
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        format!("TOKEN={new}\n")
    );
    assert_eq!(mode(&target), 0o640, "the target keeps its mode");
}

#[test]
fn a_link_that_leads_nowhere_safe_stops_the_rotation_before_it_starts() {
    let home = TestHome::new();
    let old = canary("Ln2");
    home.add("dangling", "secret", &old);
    let dangling = home.dir.path().join("dangling.env");
    std::os::unix::fs::symlink(home.dir.path().join("gone.env"), &dangling).unwrap();
    let to_device = home.dir.path().join("device.env");
    std::os::unix::fs::symlink("/dev/zero", &to_device).unwrap();

    for (link, expected) in [
        (&dangling, "symbolic link that does not lead to a file"),
        (&to_device, "which is a device, not a regular file"),
    ] {
        set_rotation(&home, "dangling", link);
        let (plan, _) = run_ok(&home, &["rotate", "dangling", "--dry-run"]);
        assert!(plan.contains(expected), "the plan warns: {plan}");
        let (code, stdout, stderr) = home.run(&["rotate", "dangling", "--yes"], b"");
        assert_eq!(code, 2, "{stdout}\n{stderr}");
        assert!(
            stderr.contains(&link.display().to_string())
                && stderr.contains(expected)
                && stderr.contains("--skip-file"),
            "the error names the file, the reason and the way out: {stderr}"
        );
        assert_eq!(home.reveal("dangling"), old, "nothing was rotated");
        let (audit, _) = run_ok(&home, &["audit", "list", "--json"]);
        assert!(
            !audit.contains("credential.rotate"),
            "no rotation was started: {audit}"
        );
    }
    assert!(!home.dir.path().join("gone.env").exists());
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // Left out, the rotation goes ahead.
    let (code, _, stderr) = home.run(
        &[
            "rotate",
            "dangling",
            "--yes",
            "--skip-file",
            to_device.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_ne!(home.reveal("dangling"), old);
}

#[test]
fn init_says_when_it_tightens_an_existing_home() {
    for loose in [0o755, 0o777, 0o750] {
        let home = TestHome::uninitialised();
        std::fs::create_dir(home.path()).unwrap();
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(loose)).unwrap();
        let (stdout, stderr) = run_ok(&home, &["init"]);
        assert!(stdout.contains("Keyward home ready"), "{stdout}");
        assert!(
            stderr.contains(&format!("had mode {loose:04o}"))
                && stderr.contains("changed it to 0700")
                && stderr.contains(&home.path().display().to_string()),
            "the change is named with both modes: {stderr}"
        );
        assert_eq!(mode(&home.path()), 0o700);
        let (_, again) = run_ok(&home, &["init"]);
        assert_eq!(again, "", "an owner-only home is not mentioned");
    }
    let fresh = TestHome::uninitialised();
    let (_, stderr) = run_ok(&fresh, &["init"]);
    assert_eq!(stderr, "", "a new home needs no notice");
    assert_eq!(mode(&fresh.path()), 0o700);
}

#[test]
fn init_refuses_a_symlinked_home_and_changes_nothing() {
    let home = TestHome::uninitialised();
    let real = home.dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(&real, home.path()).unwrap();
    let (code, _, stderr) = home.run(&["init"], b"");
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("symbolic link") && stderr.contains(&real.display().to_string()),
        "{stderr}"
    );
    assert_eq!(mode(&real), 0o755, "the link's target is left alone");
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0);
}

#[test]
fn init_refuses_a_home_of_another_user() {
    let home = TestHome::uninitialised();
    std::fs::create_dir(home.path()).unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    if std::os::unix::fs::chown(home.path(), Some(65534), Some(65534)).is_err() {
        eprintln!("skipped: giving a directory to another user needs root");
        return;
    }
    let (code, _, stderr) = home.run(&["init"], b"");
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("belongs to another user (uid 65534)"),
        "{stderr}"
    );
    assert_eq!(mode(&home.path()), 0o755, "nothing is changed");
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}
