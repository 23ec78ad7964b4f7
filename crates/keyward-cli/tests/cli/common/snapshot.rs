//! Snapshot testing of the CLI's output, in the manner of uv's `uv_snapshot!`: run the
//! real `keyward` binary against a temporary home, put exit code, stdout and stderr in one
//! text, and compare it with an `insta` snapshot under `tests/cli/snapshots/` after
//! filters have replaced everything that differs between runs and machines: the secrets
//! the test planted, temporary paths, the vault id, fingerprints, hashes, timestamps,
//! dates, durations, day counts and loopback ports.
//!
//! ```ignore
//! let mut context = SnapshotContext::initialised();
//! let value = context.canary("stripe");
//! keyward_snapshot!(context, "cred_add", ["cred", "add", "s", "--kind", "api-key", "--value-stdin"], value.as_bytes());
//! ```
//!
//! Review new or changed snapshots with `cargo insta review` (or run once with
//! `INSTA_UPDATE=always` and read the diff); CI never writes snapshots.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::TestHome;
use super::leaks::{contains, percent_encode, secret_forms};

/// Where the snapshot files of the `cli` test binary live.
pub fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/snapshots")
}

/// One command's run: what the snapshot is made of.
pub struct Run {
    pub command_line: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The snapshot text, before filters.
    pub fn snapshot(&self) -> String {
        format!(
            "$ {}\nexit code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}\n",
            self.command_line, self.code, self.stdout, self.stderr
        )
    }
}

/// A temporary home plus what the filters need to know about it.
pub struct SnapshotContext {
    pub home: TestHome,
    /// (label, value) of every secret the test planted.
    secrets: Vec<(String, String)>,
}

impl SnapshotContext {
    /// A context whose home does not exist yet (`init` has not run).
    pub fn new() -> Self {
        // Directly under /tmp rather than $TMPDIR: the scanned root's absolute path ends
        // up in table cells (`keyward check`), so its length sets column widths, and a
        // path of one fixed length keeps those snapshots equal on every Linux machine.
        let dir = tempfile::Builder::new()
            .prefix("keyward-snap.")
            .rand_bytes(8)
            .tempdir_in("/tmp")
            .expect("temp dir under /tmp");
        Self {
            home: TestHome { dir },
            secrets: Vec::new(),
        }
    }

    /// A context with an initialised home (the `init` run is not snapshotted).
    pub fn initialised() -> Self {
        let context = Self::new();
        let run = context.run(&["init"], b"");
        assert_eq!(run.code, 0, "init failed: {}", run.stderr);
        context
    }

    /// The temporary directory holding the home (`[TEMP]` in snapshots); commands run
    /// with it as their working directory.
    pub fn root(&self) -> &Path {
        self.home.dir.path()
    }

    /// Registers a secret: every form of it in any output is replaced by
    /// `[SECRET:label]` (or `[SECRET:label:form]`), and the snapshot files are checked
    /// for it after every assertion.
    pub fn secret(&mut self, label: &str, value: &str) -> String {
        assert!(
            value.len() >= 10,
            "a registered secret must be long enough not to match ordinary text: {label}"
        );
        self.secrets.push((label.to_owned(), value.to_owned()));
        value.to_owned()
    }

    /// A fresh canary value (random on every run), registered as a secret.
    pub fn canary(&mut self, label: &str) -> String {
        let value = super::canary(label);
        self.secret(label, &value)
    }

    /// A short random value (12 characters: redacted without a prefix), registered.
    pub fn short_canary(&mut self, label: &str) -> String {
        let value = super::canary(label);
        let short = format!("kw{}", &value[value.len() - 10..]);
        self.secret(label, &short)
    }

    /// A fake provider secret made from a scanner `sample` template
    /// (`ghp_{an:30}{crc}`) at test time, registered as a secret. A fixed seed keeps its
    /// redacted prefix (`ghp_…(40)`) the same on every run, and its finding
    /// fingerprint, which orders `keyward check`'s warnings of equal severity.
    pub fn fake(&mut self, label: &str, template: &str, seed: u64) -> String {
        let value =
            keyward::scan::samples::expand(template, keyward::scan::samples::Fill::Real(seed));
        self.secret(label, &value)
    }

    /// A `keyward` command bound to this home, with an environment that does not depend
    /// on the machine: fixed terminal width, no colour, a fixed user name (the audit
    /// log's actor), UTC, and no KEYWARD_* settings but the home.
    pub fn command(&self, args: &[&str]) -> assert_cmd::Command {
        let mut command = self.home.keyward(args);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("KEYWARD_") {
                command.env_remove(key);
            }
        }
        command
            .env("KEYWARD_HOME", self.home.path())
            .env("COLUMNS", "100")
            .env_remove("LINES")
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .env("TERM", "dumb")
            .env("USER", "snapshot")
            .env_remove("LOGNAME")
            .env_remove("USERNAME")
            .env("TZ", "UTC")
            .env("RUST_BACKTRACE", "0")
            .env_remove("RUST_LOG")
            .current_dir(self.root());
        command
    }

    /// Runs `keyward args` with `stdin`.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Run {
        self.run_command(self.command(args), args, stdin)
    }

    /// Runs a command made by [`Self::command`] and then adjusted (an extra variable, a
    /// removed one), recording `args` as its command line.
    pub fn run_command(
        &self,
        mut command: assert_cmd::Command,
        args: &[&str],
        stdin: &[u8],
    ) -> Run {
        let output = command
            .write_stdin(stdin.to_vec())
            .output()
            .expect("run keyward");
        Run {
            command_line: command_line(args),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The filters, most specific first: (regex, replacement).
    pub fn filters(&self) -> Vec<(String, String)> {
        let mut filters = Vec::new();

        // Secrets, in every encoding an output could carry them in; the longest first,
        // so a secret that contains another (a URL with a password) is replaced whole.
        let mut forms: Vec<(String, String)> = Vec::new();
        for (label, value) in &self.secrets {
            for (form, encoded) in filter_forms(value.as_bytes()) {
                let replacement = match form {
                    "plain" => format!("[SECRET:{label}]"),
                    form => format!("[SECRET:{label}:{form}]"),
                };
                if !forms.iter().any(|(seen, _)| *seen == encoded) {
                    forms.push((encoded, replacement));
                }
            }
        }
        forms.sort_by_key(|(encoded, _)| std::cmp::Reverse(encoded.len()));
        filters.extend(
            forms
                .into_iter()
                .map(|(encoded, replacement)| (regex_escape(&encoded), replacement)),
        );

        // The temporary directory, as given and as the CLI may have resolved it.
        let mut roots = vec![self.root().to_path_buf()];
        if let Ok(canonical) = self.root().canonicalize() {
            roots.push(canonical);
        }
        for root in roots {
            filters.push((regex_escape(&root.to_string_lossy()), "[TEMP]".into()));
        }

        // Random identifiers of this home, named.
        if let Some(vault_id) = self.vault_id() {
            filters.push((regex_escape(&vault_id), "[VAULT_ID]".into()));
        }
        for (name, fingerprint) in self.fingerprints() {
            filters.push((regex_escape(&fingerprint), format!("[FINGERPRINT:{name}]")));
            // `cred add` prints the first 16 hex digits.
            filters.push((
                format!(r"\b{}\b", regex_escape(&fingerprint[..16])),
                format!("[FINGERPRINT:{name}]"),
            ));
        }

        // The version, so a release does not change every snapshot.
        filters.push((
            format!(r"\b{}\b", regex_escape(env!("CARGO_PKG_VERSION"))),
            "[VERSION]".into(),
        ));

        // Other temporary paths (a tempdir the harness did not make).
        filters.push((
            r"(/private)?/tmp/(\.tmp|keyward-snap\.|tmp\.)[A-Za-z0-9]+".into(),
            "[TEMP]".into(),
        ));

        // Times: RFC 3339, `2026-01-31 12:00 UTC`, dates, durations, day counts.
        filters.push((
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})".into(),
            "[TIMESTAMP]".into(),
        ));
        filters.push((
            r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?\b".into(),
            "[DATETIME]".into(),
        ));
        filters.push((r"\b\d{4}-\d{2}-\d{2}\b".into(), "[DATE]".into()));
        filters.push((
            r"\b\d+(\.\d+)?\s?(ns|µs|us|ms)\b|\b\d+\.\d+\s?s\b".into(),
            "[DURATION]".into(),
        ));
        filters.push((r"\b\d+ day\(s\)".into(), "[N] day(s)".into()));

        // Loopback servers' ports.
        filters.push((
            r"(127\.0\.0\.1|localhost|\[::1\]):\d{2,5}\b".into(),
            "$1:[PORT]".into(),
        ));

        // Any other hash or random id: SHA-256 (audit chain), 32 hex digits (finding
        // fingerprints, slot ids).
        filters.push((r"\b[0-9a-f]{64}\b".into(), "[HASH]".into()));
        filters.push((r"\b[0-9a-f]{32}\b".into(), "[ID]".into()));
        filters
    }

    /// insta settings with this context's filters.
    pub fn insta_settings(&self) -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        for (regex, replacement) in self.filters() {
            settings.add_filter(&regex, replacement);
        }
        settings.set_omit_expression(true);
        settings
    }

    fn vault_id(&self) -> Option<String> {
        self.home.database().is_file().then(|| self.home.vault_id())
    }

    /// (name, fingerprint) of every credential in the home.
    fn fingerprints(&self) -> Vec<(String, String)> {
        if !self.home.database().is_file() {
            return Vec::new();
        }
        let connection = rusqlite::Connection::open_with_flags(
            self.home.database(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open db");
        let mut statement = connection
            .prepare("SELECT name, fingerprint FROM credentials ORDER BY name")
            .expect("credentials table");
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("query fingerprints")
            .map(|row| row.expect("fingerprint row"))
            .collect()
    }

    /// Fails if any secret of this context sits, in any encoding, in a snapshot file
    /// (accepted or pending): the filters must have caught every form. A pending file
    /// holding one is removed, so it cannot be accepted.
    pub fn assert_snapshot_files_hold_no_secret(&self) {
        let canaries: Vec<(String, String, Vec<u8>)> = self
            .secrets
            .iter()
            .flat_map(|(label, value)| {
                secret_forms(value.as_bytes())
                    .into_iter()
                    .map(move |(form, bytes)| (label.clone(), form, bytes))
            })
            .collect();
        for path in snapshot_files() {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            for (label, form, needle) in &canaries {
                if contains(&bytes, needle) {
                    // A pending snapshot must not be accepted by mistake: remove it.
                    let pending = path.to_string_lossy().ends_with(".new");
                    if pending {
                        let _ = std::fs::remove_file(&path);
                    }
                    panic!(
                        "the secret `{label}` ({form}) is in {}{}: a filter missed it",
                        path.display(),
                        if pending { " (removed)" } else { "" }
                    );
                }
            }
        }
    }
}

/// Runs a `keyward` command and compares exit code, stdout and stderr with the snapshot
/// `name` (a file in `tests/cli/snapshots/`), after the context's filters. Returns the
/// unfiltered [`Run`](crate::common::snapshot::Run) for further checks.
///
/// `keyward_snapshot!(context, "name", ["cred", "list"])`, with stdin:
/// `keyward_snapshot!(context, "name", ["cred", "add", ...], value.as_bytes())`, or with a
/// prepared command: `keyward_snapshot!(context, "name", command = cmd, ["args", ...])`.
#[macro_export]
macro_rules! keyward_snapshot {
    (@assert $context:expr, $name:expr, $run:expr) => {{
        let run = $run;
        let text = run.snapshot();
        let settings = $context.insta_settings();
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
            settings.bind(|| ::insta::assert_snapshot!($name, text));
        }));
        // Also when the assertion failed: a pending `.snap.new` must be clean too.
        $context.assert_snapshot_files_hold_no_secret();
        if let Err(panic) = outcome {
            ::std::panic::resume_unwind(panic);
        }
        run
    }};
    ($context:expr, $name:expr, command = $command:expr, $args:expr) => {{
        let context: &$crate::common::snapshot::SnapshotContext = &$context;
        let args: &[&str] = &$args;
        let run = context.run_command($command, args, b"");
        $crate::keyward_snapshot!(@assert context, $name, run)
    }};
    ($context:expr, $name:expr, $args:expr) => {
        $crate::keyward_snapshot!($context, $name, $args, b"")
    };
    ($context:expr, $name:expr, $args:expr, $stdin:expr) => {{
        let context: &$crate::common::snapshot::SnapshotContext = &$context;
        let args: &[&str] = &$args;
        let stdin: &[u8] = $stdin;
        let run = context.run(args, stdin);
        $crate::keyward_snapshot!(@assert context, $name, run)
    }};
}

/// Every accepted or pending snapshot file.
pub fn snapshot_files() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(snapshot_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".snap") || name.ends_with(".snap.new")
        })
        .collect();
    files.sort();
    files
}

/// The forms the filters replace: the whole value, plain and encoded on its own.
fn filter_forms(value: &[u8]) -> Vec<(&'static str, String)> {
    let standard = base64::engine::general_purpose::STANDARD.encode(value);
    let url_safe = base64::engine::general_purpose::URL_SAFE.encode(value);
    let hex = super::hex(value);
    vec![
        ("plain", String::from_utf8_lossy(value).into_owned()),
        ("url-encoded", percent_encode(value, b"-._~")),
        ("base64", standard.clone()),
        ("base64", standard.trim_end_matches('=').to_owned()),
        ("base64", url_safe.clone()),
        ("base64", url_safe.trim_end_matches('=').to_owned()),
        ("hex", hex.clone()),
        ("hex", hex.to_uppercase()),
    ]
}

/// Escapes the regex syntax's meta characters, so a literal can be a filter.
fn regex_escape(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The command line as the snapshot shows it; arguments with spaces or quotes quoted.
fn command_line(args: &[&str]) -> String {
    std::iter::once("keyward")
        .chain(args.iter().copied())
        .map(|arg| {
            if arg.is_empty() || arg.contains([' ', '\'', '"', '$', '*']) {
                format!("'{}'", arg.replace('\'', r"'\''"))
            } else {
                arg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
