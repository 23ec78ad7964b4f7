//! What the app holds between commands: the open home, or why it could not be opened.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use keyward::Keyward;

use crate::clipboard::ClipboardGuard;
use crate::error::{CommandError, CommandResult};

/// The app's managed state. `Keyward` is `Send` but not `Sync`, so it sits in a mutex;
/// commands hold the lock only for the one library call they make.
pub struct AppState {
    keyward: Result<Mutex<Keyward>, CommandError>,
    home: Option<PathBuf>,
    pub clipboard: ClipboardGuard,
}

impl AppState {
    /// Opens (creating on first run) the home at `KEYWARD_HOME` or the platform data
    /// directory. A failure (no keychain, unwritable home) is kept and reported by every
    /// command, so the window can say what is wrong instead of the app exiting silently.
    pub fn open() -> Self {
        let home = keyward::default_home();
        let keyward = match &home {
            Some(home) => Keyward::init_as(home, "app")
                .map(Mutex::new)
                .map_err(CommandError::from),
            None => Err(CommandError {
                code: keyward::ErrorCode::Environment,
                message: "no data directory on this system; set KEYWARD_HOME".into(),
            }),
        };
        Self {
            keyward,
            home,
            clipboard: ClipboardGuard::default(),
        }
    }

    /// A second handle on the same home for long work (probing all, scanning, rotating
    /// several credentials): it runs on its own SQLite connection, so the window's
    /// commands are not queued behind it on the shared lock. SQLite's WAL mode and busy
    /// timeout serialize the writes.
    pub fn worker(&self) -> CommandResult<Keyward> {
        self.keyward.as_ref().map_err(Clone::clone)?;
        let home = self.home.as_ref().ok_or_else(|| CommandError {
            code: keyward::ErrorCode::Environment,
            message: "no data directory on this system; set KEYWARD_HOME".into(),
        })?;
        Ok(Keyward::open(home)?.with_surface("app"))
    }

    pub fn keyward(&self) -> CommandResult<MutexGuard<'_, Keyward>> {
        let mutex = self.keyward.as_ref().map_err(Clone::clone)?;
        // A panic inside a library call poisons the lock; the data behind it is a
        // connection and a keychain handle, which stay usable.
        Ok(mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}
