//! What the app holds between commands: the open home, or why it could not be opened.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use keyward::Keyward;
use tauri::{AppHandle, Manager};

use crate::clipboard::ClipboardGuard;
use crate::error::{CommandError, CommandResult};

/// The app's managed state. `Keyward` is `Send` but not `Sync`, so it sits in a mutex;
/// commands hold the lock only for the one library call they make.
///
/// Opening the home talks to the keychain (an encrypted Secret Service session per
/// call) and to SQLite; it starts on a thread at launch ([`AppState::open_in_background`])
/// so it overlaps with the webview's start instead of delaying the window. A command
/// that arrives first waits for that opening to finish rather than starting a second.
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

    /// Opens the home on a new thread, then runs `opened` there (start-up work that
    /// needs the home, such as the tray count and the warnings notification).
    pub fn open_in_background<R: tauri::Runtime>(
        app: &AppHandle<R>,
        opened: impl FnOnce(&AppHandle<R>) + Send + 'static,
    ) {
        let app = app.clone();
        std::thread::spawn(move || {
            if app.state::<AppState>().opened().is_ok() {
                opened(&app);
            }
        });
    }

    /// The open home, opening it (creating it on first run) if nobody has yet. A
    /// failure (no keychain, unwritable home) is kept and reported by every command, so
    /// the window can say what is wrong instead of the app exiting silently.
    fn opened(&self) -> Result<&Mutex<Keyward>, CommandError> {
        self.keyward
            .get_or_init(|| {
                let home = self.home.as_deref().ok_or_else(no_home)?;
                Ok(Mutex::new(Keyward::init_as(home, "app")?))
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

fn no_home() -> CommandError {
    CommandError {
        code: keyward::ErrorCode::Environment,
        message: "no data directory on this system; set KEYWARD_HOME".into(),
    }
}
