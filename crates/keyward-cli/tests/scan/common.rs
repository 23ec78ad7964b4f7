//! Fixture generation and command helpers shared by the scanner tests.

use std::io::Write;
use std::path::Path;
use std::process::Command as ProcessCommand;

use assert_cmd::Command;
use keyward::scan::samples::{Fill, expand};

/// A fake secret of the shape `template` describes (see `keyward::scan::samples`).
pub fn fake(template: &str, seed: u64) -> String {
    expand(template, Fill::Real(seed))
}

pub fn github_token(seed: u64) -> String {
    fake("ghp_{an:30}{crc}", seed)
}

pub fn stripe_key(seed: u64) -> String {
    fake("sk_live_{an:32}", seed)
}

pub fn write(root: &Path, relative: &str, content: impl AsRef<[u8]>) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create dirs");
    std::fs::write(path, content).expect("write fixture");
}

/// Runs `git` in `repo` with a fixed identity and dates, insisting it succeeds.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let output = ProcessCommand::new("git")
        .current_dir(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Dana Dev")
        .env("GIT_AUTHOR_EMAIL", "dana@example.test")
        .env("GIT_COMMITTER_NAME", "Dana Dev")
        .env("GIT_COMMITTER_EMAIL", "dana@example.test")
        .env("GIT_AUTHOR_DATE", "2024-02-03T04:05:06Z")
        .env("GIT_COMMITTER_DATE", "2024-02-03T04:05:06Z")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

pub fn init_repo(repo: &Path) {
    std::fs::create_dir_all(repo).expect("repo dir");
    git(repo, &["init", "-q", "-b", "main"]);
}

/// A `keyward` command with its own (possibly empty) home.
pub fn keyward(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("keyward").expect("keyward binary");
    command.env("KEYWARD_HOME", home).args(args);
    command
}

/// Runs `keyward` and returns (exit code, stdout, stderr).
pub fn run(home: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let output = keyward(home, args)
        .write_stdin(stdin.to_vec())
        .output()
        .expect("run keyward");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A zip (a jar, for Java) of `entries`, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A tar.gz of `entries`.
pub fn tar_gz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *content).unwrap();
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&builder.into_inner().unwrap()).unwrap();
    encoder.finish().unwrap()
}
