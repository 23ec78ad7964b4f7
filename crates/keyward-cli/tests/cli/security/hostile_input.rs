//! Bounded hostile input: every file Keyward reads whole on a user's word (imports,
//! certificates, `--from-file` values) and every file a scan meets is a regular file
//! under a size limit. `/dev/zero`, a FIFO with no writer, a sparse file just over the
//! limit and a 2 GB sparse file are refused with an error naming the file and the limit,
//! quickly and in bounded memory, and nothing is created; in a scanned tree they are
//! skipped (and counted) without being read.
//!
//! Each child runs under a 20 s timeout (a read that blocks on a FIFO fails the test
//! instead of hanging it) and a 1 GiB address-space limit (`ulimit -v`), so reading
//! `/dev/zero` or the 2 GB file whole, as the code before this property did, aborts the
//! child on an allocation failure instead of passing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use keyward::model::fs::MAX_INPUT_FILE_SIZE;
use keyward::scan::samples::{Fill, expand};

use crate::common::{TestHome, canary};

/// The child's address space: enough for Keyward, far below what the inputs would take.
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;

struct Outcome {
    /// `None` when the child was killed (the timeout) or died of a signal (an allocation
    /// failure under the memory limit aborts).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `keyward args` for `home` under the timeout and the memory limit.
fn run_bounded(home: &TestHome, args: &[&str]) -> Outcome {
    let binary = assert_cmd::cargo::cargo_bin("keyward");
    let mut command = assert_cmd::Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(&binary)
        .args(args)
        .env("KEYWARD_HOME", home.path())
        .timeout(Duration::from_secs(20))
        .write_stdin(Vec::new());
    let output = command.output().expect("run keyward");
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Asserts a refusal: exit 2, the file named, the words expected, no panic.
fn assert_refused(outcome: &Outcome, file: &Path, words: &str, what: &str) {
    assert_eq!(
        outcome.code,
        Some(2),
        "{what}: must exit 2 with an input error, not hang, abort or succeed\n{}{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains(&file.display().to_string()),
        "{what}: the error must name the file: {}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains(words),
        "{what}: the error must say `{words}`: {}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("panicked"),
        "{what}: {}",
        outcome.stderr
    );
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(status.success(), "mkfifo failed");
}

fn sparse(home: &TestHome, name: &str, length: u64) -> PathBuf {
    let path = home.dir.path().join(name);
    std::fs::File::create(&path)
        .expect("create sparse file")
        .set_len(length)
        .expect("set_len");
    path
}

/// Every way a file comes in, for `file`: the three importers, a certificate and a
/// `--from-file` value.
fn every_reader(file: &Path) -> Vec<(String, Vec<String>)> {
    let file = file.display().to_string();
    let strings = |args: &[&str]| args.iter().map(|arg| (*arg).to_owned()).collect();
    vec![
        (
            "import dotenv".into(),
            strings(&["import", "dotenv", &file, "--all"]),
        ),
        (
            "import postman".into(),
            strings(&["import", "postman", &file, "--dry-run"]),
        ),
        ("import csv".into(), strings(&["import", "csv", &file])),
        (
            "cert import".into(),
            strings(&["cert", "import", &file, "--name", "client"]),
        ),
        (
            "cred add --from-file".into(),
            strings(&[
                "cred",
                "add",
                "from-file",
                "--kind",
                "token",
                "--from-file",
                &file,
            ]),
        ),
    ]
}

fn run_every_reader(home: &TestHome, file: &Path, words: &str) {
    for (what, args) in every_reader(file) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let outcome = run_bounded(home, &args);
        assert_refused(&outcome, file, words, &what);
    }
    assert!(
        home.credential_names().is_empty(),
        "a refused input changes nothing"
    );
}

#[test]
fn dev_zero_is_refused_by_every_reader_before_it_is_read() {
    let home = TestHome::new();
    run_every_reader(&home, Path::new("/dev/zero"), "not a regular file");
}

#[test]
fn a_fifo_is_refused_by_every_reader_without_blocking() {
    let home = TestHome::new();
    let fifo = home.dir.path().join("secrets.env");
    mkfifo(&fifo);
    // Nobody ever opens the write end: a reader that opens the FIFO blocks forever,
    // which the timeout turns into a failure.
    run_every_reader(&home, &fifo, "FIFO");
}

#[test]
fn a_sparse_file_over_the_limit_is_refused_naming_the_limit() {
    let home = TestHome::new();
    let just_over = sparse(&home, "just-over.env", MAX_INPUT_FILE_SIZE + 1);
    run_every_reader(&home, &just_over, "16 MiB limit");
    let huge = sparse(&home, "huge.env", 2 * 1024 * 1024 * 1024);
    run_every_reader(&home, &huge, "16 MiB limit");

    let normal = home.write_file(
        "normal.env",
        format!("APP_TOKEN={}\n", canary("limit")).as_bytes(),
    );
    let outcome = run_bounded(&home, &["import", "dotenv", normal.to_str().unwrap()]);
    assert_eq!(
        outcome.code,
        Some(0),
        "a normal file is still imported: {}",
        outcome.stderr
    );
}

#[test]
fn a_certificate_key_that_is_a_device_is_refused() {
    let home = TestHome::new();
    let (cert, _) = crate::common::openssl_certificate(
        home.dir.path(),
        "client",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        30,
    );
    let outcome = run_bounded(
        &home,
        &[
            "cert",
            "import",
            cert.to_str().unwrap(),
            "--key",
            "/dev/zero",
            "--name",
            "client",
        ],
    );
    assert_refused(
        &outcome,
        Path::new("/dev/zero"),
        "not a regular file",
        "cert import --key",
    );
}

#[test]
fn a_non_utf8_file_gets_a_clear_error_and_no_panic() {
    let home = TestHome::new();
    let file = home.write_file("latin1.env", b"PASSWORD=caf\xe9\xff\n");
    for format in ["dotenv", "postman", "csv"] {
        let outcome = run_bounded(&home, &["import", format, file.to_str().unwrap()]);
        assert_refused(&outcome, &file, "not UTF-8", format);
    }
    assert!(home.credential_names().is_empty());
}

#[test]
fn fifos_devices_and_links_in_a_scanned_tree_are_skipped_unopened() {
    let home = TestHome::new();
    let tree = home.dir.path().join("tree");
    std::fs::create_dir_all(tree.join("src")).unwrap();
    let token = expand("ghp_{an:30}{crc}", Fill::Real(31));
    std::fs::write(
        tree.join("src/release.py"),
        format!("GITHUB_TOKEN = \"{token}\"\n"),
    )
    .unwrap();
    mkfifo(&tree.join("src/pipe.env"));
    std::os::unix::fs::symlink("/dev/zero", tree.join("src/zero.env")).unwrap();
    let outside_fifo = home.dir.path().join("outside.fifo");
    mkfifo(&outside_fifo);
    std::os::unix::fs::symlink(&outside_fifo, tree.join("src/linked.env")).unwrap();

    let outcome = run_bounded(&home, &["scan", tree.to_str().unwrap()]);
    assert_eq!(
        outcome.code,
        Some(1),
        "the scan finishes and reports the real secret: {}{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(
        outcome.stdout.contains("src/release.py:1"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("1 file(s)") && outcome.stdout.contains("3 skipped"),
        "the FIFO and both links are counted as skipped, and only the regular file is \
         scanned: {}",
        outcome.stdout
    );

    // A device named as the root is skipped the same way.
    let outcome = run_bounded(&home, &["scan", "--no-vault", "/dev/zero"]);
    assert_eq!(
        outcome.code,
        Some(0),
        "{}{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(outcome.stdout.contains("1 skipped"), "{}", outcome.stdout);
}

#[test]
fn a_repository_cannot_point_the_scan_at_a_fifo_or_a_device() {
    let home = TestHome::new();
    let tree = home.dir.path().join("repo");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join(".keyward.toml"), "baseline = \"/dev/zero\"\n").unwrap();
    let outcome = run_bounded(&home, &["scan", tree.to_str().unwrap()]);
    assert_refused(
        &outcome,
        Path::new("/dev/zero"),
        "not a regular file",
        "a repository's baseline",
    );

    std::fs::remove_file(tree.join(".keyward.toml")).unwrap();
    mkfifo(&tree.join(".keyward.toml"));
    let outcome = run_bounded(&home, &["scan", tree.to_str().unwrap()]);
    assert_refused(
        &outcome,
        &tree.join(".keyward.toml"),
        "FIFO",
        "a repository's .keyward.toml",
    );
}
