//! Rotation against real parts: the Secret Service (run under scripts/with-keyring.sh),
//! SQLite files in temporary homes, and fake providers that are real HTTPS servers on
//! 127.0.0.1 speaking each provider's documented API.

mod adapters;
mod cli;
mod endpoint_check;
#[cfg(feature = "fault-injection")]
mod faults;
mod local;
mod scan_targets;

use std::path::{Path, PathBuf};

pub use keyward_testsupport::{http_stand_in as fake, providers};
use std::sync::Arc;

use keyward::model::{CredentialKind, NewCredential, SecretValue};
use keyward::rotate::{RotationMethod, RotationOutcome, RotationSetup, RotationState};
use keyward::{Access, Keyward, RotationApproval};
use tempfile::TempDir;

/// A Keyward home in a temporary directory, opened through the library.
pub struct Home {
    pub dir: TempDir,
    pub keyward: Keyward,
    _turn: std::sync::MutexGuard<'static, ()>,
}

/// One test at a time talks to the keychain. gnome-keyring-daemon has an upstream race
/// (GNOME gnome-keyring work items 190/196/199: "gkd_secret_service_get_pkcs11_session:
/// assertion 'client' failed") that bursts of concurrent Secret Service connections trip;
/// the daemon then aborts and every later test fails. Taking turns avoids the bursts.
///
/// If the daemon died in an earlier test anyway, it is brought back (unlocked) here, so
/// one crash of the daemon fails at most the test it happened in.
pub fn keychain_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let probe = keyring::Entry::new("keyward-rotation-tests", "probe")
        .and_then(|entry| entry.set_password("alive"));
    if probe.is_err() {
        restart_keychain();
    }
    turn
}

/// Replaces a crashed (and re-activated, locked) gnome-keyring-daemon on this test's
/// private D-Bus session with an unlocked one, as scripts/with-keyring.sh starts it.
pub fn restart_keychain() {
    use std::io::Write as _;
    let mut daemon = std::process::Command::new("gnome-keyring-daemon")
        .args(["--replace", "--unlock", "--components=secrets"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon (run under scripts/with-keyring.sh)");
    daemon
        .stdin
        .take()
        .unwrap()
        .write_all(b"keyward-test")
        .unwrap();
    daemon.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
}

impl Home {
    #[expect(
        clippy::new_without_default,
        reason = "a home touches the keychain; it is made explicitly"
    )]
    pub fn new() -> Self {
        let turn = keychain_turn();
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        // A daemon crash during set-up (see `keychain_turn`) gets one restart.
        let keyward = Keyward::init(&home)
            .or_else(|error| {
                if error.code() != keyward::ErrorCode::Environment {
                    return Err(error);
                }
                restart_keychain();
                Keyward::init(&home)
            })
            .expect("init home (run under scripts/with-keyring.sh)");
        Self {
            dir,
            keyward,
            _turn: turn,
        }
    }

    pub fn with_clock(self, clock: Arc<keyward::clock::FixedClock>) -> Self {
        Self {
            dir: self.dir,
            keyward: self.keyward.with_clock(clock),
            _turn: self._turn,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Adds a credential allowed to go to the fake providers on 127.0.0.1.
    pub fn add(&mut self, name: &str, kind: CredentialKind, value: &str) {
        self.keyward
            .credentials()
            .add_credential(
                NewCredential {
                    name: name.into(),
                    kind: Some(kind),
                    allowed_hosts: vec!["127.0.0.1".into()],
                    ..Default::default()
                },
                SecretValue::from_string(value.into()),
            )
            .expect("add credential");
    }

    pub fn value(&mut self, name: &str) -> String {
        self.keyward
            .credentials()
            .reveal(name, Access::Reveal)
            .expect("reveal")
            .expose_str()
            .expect("text")
            .to_owned()
    }

    pub fn rotate(&mut self, name: &str) -> keyward::Result<RotationOutcome> {
        self.keyward.rotation().rotate_credential(
            name,
            &RotationApproval::default(),
            None,
            &mut |_| {},
        )
    }

    /// Checks that nothing about the rotation is left unfinished and the audit chain holds.
    pub fn assert_settled(&mut self) {
        assert!(
            self.keyward
                .rotation()
                .unfinished_rotations()
                .unwrap()
                .is_empty(),
            "no rotation may stay half-done"
        );
        let verification = self.keyward.review().verify_audit().unwrap();
        assert!(
            verification.intact,
            "every rotation step must land in an intact audit chain: {:?}",
            verification.problems
        );
    }
}

/// A provider setup pointing at a fake server, trusting its test CA, with a short timeout.
pub fn provider_setup(method: RotationMethod, server: &fake::Server) -> RotationSetup {
    let mut setup = RotationSetup::new(method);
    setup.base_url = Some(server.base_url());
    setup.ca_file = Some(server.ca_file.clone());
    setup.timeout_ms = Some(1_000);
    setup
}

pub fn write_file(path: &Path, content: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, content).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn states(home: &mut Home, name: &str) -> Vec<RotationState> {
    home.keyward.rotation().rotation_history(name).unwrap()[0]
        .steps
        .iter()
        .map(|step| step.state)
        .collect()
}
