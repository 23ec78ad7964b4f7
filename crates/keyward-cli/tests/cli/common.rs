//! Test homes and helpers shared by the CLI tests.

pub mod leaks;
pub mod postgres;
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::process::Command as ProcessCommand;

use assert_cmd::Command;
use tempfile::TempDir;

/// A fresh Keyward home in a temporary directory, initialised through the CLI.
pub struct TestHome {
    pub dir: TempDir,
}

impl TestHome {
    pub fn new() -> Self {
        let home = Self::uninitialised();
        home.keyward(&["init"]).assert().success();
        home
    }

    pub fn uninitialised() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn database(&self) -> PathBuf {
        self.path().join("keyward.db")
    }

    /// A `keyward` command bound to this home.
    pub fn keyward(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("keyward").expect("keyward binary");
        command.env("KEYWARD_HOME", self.path()).args(args);
        command
    }

    /// Runs `keyward` with `stdin` and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
        let output = self
            .keyward(args)
            .write_stdin(stdin.to_vec())
            .output()
            .expect("run keyward");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Adds a credential from stdin and insists it worked.
    pub fn add(&self, name: &str, kind: &str, value: &str) {
        self.keyward(&["cred", "add", name, "--kind", kind, "--value-stdin"])
            .write_stdin(value)
            .assert()
            .success();
    }

    /// `audit verify` as text (exit code, stdout + stderr) and as JSON.
    pub fn audit_verify(&self) -> (i32, String, serde_json::Value) {
        let (code, stdout, stderr) = self.run(&["audit", "verify"], b"");
        let (_, json, _) = self.run(&["audit", "verify", "--json"], b"");
        (
            code,
            stdout + &stderr,
            serde_json::from_str(&json).expect("audit verify --json"),
        )
    }

    pub fn reveal(&self, name: &str) -> String {
        let (code, stdout, stderr) = self.run(&["cred", "reveal", name], b"");
        assert_eq!(code, 0, "reveal {name} failed: {stderr}");
        stdout.strip_suffix('\n').unwrap_or(&stdout).to_owned()
    }

    pub fn credential_names(&self) -> Vec<String> {
        let (code, stdout, stderr) = self.run(&["cred", "list", "--json"], b"");
        assert_eq!(code, 0, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("list --json is JSON");
        json["credentials"]
            .as_array()
            .expect("credentials array")
            .iter()
            .map(|credential| credential["name"].as_str().expect("name").to_owned())
            .collect()
    }

    pub fn vault_id(&self) -> String {
        let connection = rusqlite::Connection::open(self.database()).expect("open db");
        connection
            .query_row(
                "SELECT value FROM settings WHERE key = 'vault_id'",
                [],
                |row| row.get(0),
            )
            .expect("vault id")
    }

    /// Keychain accounts of this home's credential values and envelope keys, as the
    /// Secret Service lists them.
    pub fn keychain_value_accounts(&self) -> Vec<String> {
        let prefix = self.vault_id();
        // The test daemon can restart under load (see scripts/with-keyring.sh); a search
        // that hit the restart fails and is asked again.
        let mut text = String::new();
        for _ in 0..4 {
            let output = ProcessCommand::new("secret-tool")
                .args(["search", "--all", "service", "keyward"])
                .output()
                .expect("secret-tool (libsecret-tools) is installed by bootstrap");
            text = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            if output.status.success() || text.is_empty() && output.status.code() == Some(1) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        let mut accounts: Vec<String> = text
            .lines()
            .filter_map(|line| line.strip_prefix("attribute.username = "))
            .filter(|account| account.starts_with(&prefix))
            .filter(|account| {
                account.contains("/credential/") || account.contains("/envelope-key/")
            })
            .map(str::to_owned)
            .collect();
        accounts.sort();
        accounts
    }

    pub fn sql(&self, statement: &str) {
        let connection = rusqlite::Connection::open(self.database()).expect("open db");
        connection.execute_batch(statement).expect("raw SQL");
    }

    pub fn write_file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write fixture");
        path
    }
}

/// A unique value for one test, so a leak can be traced to the way it came in.
pub fn canary(label: &str) -> String {
    let random: [u8; 12] = std::array::from_fn(|_| rand_byte());
    format!("kwcanary{label}{}", hex(&random))
}

fn rand_byte() -> u8 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos() as u64;
    let mixed = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ seed;
    (mixed.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 56) as u8
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A self-signed client certificate made by openssl: (cert.pem, key.pem).
pub fn openssl_certificate(
    dir: &Path,
    name: &str,
    key_spec: &str,
    days: u32,
) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{name}.crt.pem"));
    let key = dir.join(format!("{name}.key.pem"));
    let status = ProcessCommand::new("openssl")
        .args(["req", "-x509", "-newkey"])
        .args(key_spec.split_whitespace())
        .args(["-nodes", "-subj", &format!("/CN={name}")])
        .args([
            "-addext",
            &format!("subjectAltName=DNS:{name}.test,IP:127.0.0.1"),
        ])
        .args(["-days", &days.to_string(), "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed by bootstrap");
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

/// Packs a certificate and key into PKCS#12 with `password`.
pub fn openssl_pkcs12(cert: &Path, key: &Path, out: &Path, password: &str) {
    let status = ProcessCommand::new("openssl")
        .args(["pkcs12", "-export", "-in"])
        .arg(cert)
        .arg("-inkey")
        .arg(key)
        .arg("-out")
        .arg(out)
        .args(["-passout", &format!("pass:{password}")])
        .status()
        .expect("openssl pkcs12");
    assert!(status.success(), "openssl pkcs12 failed");
}
