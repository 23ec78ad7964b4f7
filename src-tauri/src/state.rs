//! What the app holds between commands: the open home, or why it could not be opened.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use keyward::Keyward;
use tauri::{AppHandle, Manager, Runtime};

use crate::clipboard::{ClipboardGuard, SystemClipboard};
use crate::error::{CommandError, CommandResult};

/// The app's managed state. `Keyward` is `Send` but not `Sync`, so it sits in a mutex;
/// commands hold the lock only for the one library call they make.
///
/// Opening the home talks to the keychain (an encrypted Secret Service session per
/// call) and to SQLite; it starts on a thread at launch (`jobs::start`) so it overlaps
/// with the webview's start instead of delaying the window. A command that arrives
/// first waits for that opening to finish rather than starting a second.
pub struct AppState {
    keyward: OnceLock<Result<Mutex<Keyward>, CommandError>>,
    home: Option<PathBuf>,
    pub clipboard: ClipboardGuard,
}

impl Default for AppState {
    fn default() -> Self {
        Self::at(keyward::default_home())
    }
}

impl AppState {
    /// The state for the home at `home` (`KEYWARD_HOME` or the platform data directory
    /// when built with [`Default`]); nothing is opened yet.
    pub fn at(home: Option<PathBuf>) -> Self {
        Self {
            keyward: OnceLock::new(),
            home,
            clipboard: ClipboardGuard::default(),
        }
    }

    /// Opens the home now, unless it is open (or failed to open) already; the start-up
    /// job calls it so the first command finds the home ready.
    pub fn open(&self) -> CommandResult<()> {
        self.opened().map(|_| ())
    }

    /// The open home, opening it (creating it on first run) if nobody has yet. A
    /// failure (no keychain, unwritable home) is kept and reported by every command, so
    /// the window can say what is wrong instead of the app exiting silently.
    fn opened(&self) -> Result<&Mutex<Keyward>, CommandError> {
        self.keyward
            .get_or_init(|| {
                let home = self.home.as_deref().ok_or_else(no_home)?;
                let keyward = Keyward::init_as(home, "app")?;
                if let Some(mode) = keyward.tightened_home_mode() {
                    eprintln!(
                        "notice: {} had mode {mode:04o}; Keyward changed it to 0700 (owner only)",
                        home.display()
                    );
                }
                Ok(Mutex::new(keyward))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A second handle on the same home for long work (probing all, scanning, rotating
    /// several credentials): it runs on its own SQLite connection, so the window's
    /// commands are not queued behind it on the shared lock. SQLite's WAL mode and busy
    /// timeout serialize the writes.
    pub fn worker(&self) -> CommandResult<Keyward> {
        self.opened()?;
        let home = self.home.as_deref().ok_or_else(no_home)?;
        Ok(Keyward::open(home)?.with_surface("app"))
    }

    pub fn keyward(&self) -> CommandResult<MutexGuard<'_, Keyward>> {
        let mutex = self.opened()?;
        // A panic inside a library call poisons the lock; the data behind it is a
        // connection and a keychain handle, which stay usable.
        Ok(mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// Clears the clipboard if it still holds a secret Keyward copied: called on every way
/// out of the app (the tray's Quit, and the run loop's exit request, which closing the
/// window also raises). Returns whether it cleared.
/// `clipboard` is the app's own (`app`) but for tests.
pub fn clear_copied_secret<R: Runtime>(
    app: &AppHandle<R>,
    clipboard: &impl SystemClipboard,
) -> bool {
    app.try_state::<AppState>()
        .is_some_and(|state| state.clipboard.clear_if_current(clipboard, None))
}

fn no_home() -> CommandError {
    CommandError {
        code: keyward::ErrorCode::Environment,
        message: "no data directory on this system; set KEYWARD_HOME".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_opens_once_on_first_use_and_workers_share_it() {
        let directory = tempfile::tempdir().unwrap();
        let home = directory.path().join("home");
        let state = AppState::at(Some(home.clone()));
        assert!(
            !home.exists(),
            "nothing is opened until the start-up thread or a command asks"
        );

        let vault = state.keyward().unwrap().vault().vault_id().to_owned();
        assert!(home.join(keyward::store::DATABASE_FILE).is_file());
        assert_eq!(
            state.keyward().unwrap().vault().vault_id(),
            vault,
            "later commands get the same open home"
        );
        let worker = state.worker().unwrap();
        assert_eq!(
            worker.vault().vault_id(),
            vault,
            "a worker opens the same home"
        );
        assert_eq!(worker.home(), home);
    }

    #[test]
    fn a_home_that_cannot_open_is_reported_by_every_command_alike() {
        let state = AppState::at(None);
        let first = state.keyward().err().expect("no home");
        assert_eq!(first.code, keyward::ErrorCode::Environment);
        assert!(first.message.contains("KEYWARD_HOME"), "{}", first.message);
        assert_eq!(state.worker().err(), Some(first.clone()));

        // A home under a file cannot be created: the library's error is kept and repeated.
        let directory = tempfile::tempdir().unwrap();
        let blocker = directory.path().join("file");
        std::fs::write(&blocker, b"not a directory").unwrap();
        let state = AppState::at(Some(blocker.join("home")));
        let error = state.keyward().err().expect("unwritable home");
        assert_eq!(state.keyward().err(), Some(error.clone()));
        assert_ne!(
            error.code,
            keyward::ErrorCode::Internal,
            "{}",
            error.message
        );
    }
}
