//! Copying secrets: the value goes from the keychain to the clipboard inside the Rust
//! side (it never reaches the webview) and is cleared again after the user's timeout, on
//! idle lock, and when the app exits (the tray's Quit and the run loop's exit request,
//! which closing the window raises too; see `state::clear_copied_secret`), if the
//! clipboard still holds it. A clipboard outlives the app that wrote it (on Windows and macOS always, on
//! Linux when a clipboard manager takes the content over), so quitting must not leave a
//! secret behind.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyward::model::SecretValue;
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// The system clipboard as the guard uses it: the app's is the clipboard plugin's
/// (`AppHandle`); tests use their own.
pub trait SystemClipboard {
    /// The clipboard's text, if it holds text and can be read.
    fn read_text(&self) -> Option<String>;
    /// Replaces the clipboard's content with `text`.
    fn write_text(&self, text: String) -> Result<(), String>;
    /// Empties the clipboard, as far as the platform lets it (best effort).
    fn clear(&self);
}

impl<R: Runtime> SystemClipboard for AppHandle<R> {
    fn read_text(&self) -> Option<String> {
        self.clipboard().read_text().ok()
    }

    fn write_text(&self, text: String) -> Result<(), String> {
        self.clipboard()
            .write_text(text)
            .map_err(|error| error.to_string())
    }

    fn clear(&self) {
        // Best effort: a clipboard that refuses the write keeps the value, and there is
        // nothing more the app can do about it. Some platforms have no "clear"; an empty
        // text replaces the value there.
        let _ = self.clipboard().clear();
        let _ = self.clipboard().write_text(String::new());
    }
}

/// The secret most recently copied, so it can be cleared on timeout, on idle lock or on
/// exit without clearing something else the user copied since.
#[derive(Default, Clone)]
pub struct ClipboardGuard {
    copied: Arc<Mutex<Option<(u64, SecretValue)>>>,
}

impl ClipboardGuard {
    /// Puts `value` on the clipboard and schedules its removal after `clear_after`.
    pub fn copy<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        value: SecretValue,
        clear_after: Duration,
    ) -> Result<(), String> {
        let text = value
            .expose_str()
            .ok_or("the value is not text and cannot be copied")?
            .to_owned();
        SystemClipboard::write_text(app, text)?;
        let generation = {
            let mut copied = self
                .copied
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let generation = copied.as_ref().map_or(1, |(generation, _)| generation + 1);
            *copied = Some((generation, value));
            generation
        };
        let guard = self.clone();
        let app = app.clone();
        std::thread::spawn(move || {
            std::thread::sleep(clear_after);
            guard.clear_if_current(&app, Some(generation));
        });
        Ok(())
    }

    /// Clears the clipboard if it still holds the copied secret (of `generation`, or of
    /// any copy when `None`). Returns whether it cleared.
    pub fn clear_if_current(
        &self,
        clipboard: &impl SystemClipboard,
        generation: Option<u64>,
    ) -> bool {
        let mut copied = self
            .copied
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some((current, value)) = copied.as_ref() else {
            return false;
        };
        if generation.is_some_and(|wanted| wanted != *current) {
            return false;
        }
        let still_there = clipboard
            .read_text()
            // Compared in constant time (SecretValue's equality): the clipboard holds a
            // secret, and so may the text another app put there.
            .is_some_and(|text| SecretValue::new(text.into_bytes()) == *value);
        if still_there {
            clipboard.clear();
        }
        *copied = None;
        still_there
    }

    /// Whether a copied secret is waiting to be cleared.
    pub fn holds_copy(&self) -> bool {
        self.copied
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::RefCell;

    use super::*;

    /// An in-memory clipboard.
    #[derive(Default)]
    pub(crate) struct FakeClipboard(pub(crate) RefCell<Option<String>>);

    impl SystemClipboard for FakeClipboard {
        fn read_text(&self) -> Option<String> {
            self.0.borrow().clone()
        }

        fn write_text(&self, text: String) -> Result<(), String> {
            *self.0.borrow_mut() = Some(text);
            Ok(())
        }

        fn clear(&self) {
            *self.0.borrow_mut() = None;
        }
    }

    /// A value unique to this run, built at run time (the repository scans itself).
    pub(crate) fn secret() -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("kwclip{nanos:x}{:x}", std::process::id())
    }

    impl ClipboardGuard {
        /// What `copy` records, without a clipboard or a timer.
        pub(crate) fn remember(&self, value: &str) {
            let mut copied = self.copied.lock().unwrap();
            let generation = copied.as_ref().map_or(1, |(generation, _)| generation + 1);
            *copied = Some((generation, SecretValue::from_string(value.to_owned())));
        }
    }

    #[test]
    fn only_our_own_copy_is_cleared() {
        let clipboard = FakeClipboard::default();
        let guard = ClipboardGuard::default();
        let value = secret();
        clipboard.write_text(value.clone()).unwrap();
        guard.remember(&value);
        assert!(guard.clear_if_current(&clipboard, None));
        assert_eq!(clipboard.read_text(), None, "our secret is gone");
        assert!(!guard.holds_copy());

        guard.remember(&value);
        clipboard
            .write_text("something the user copied since".into())
            .unwrap();
        assert!(!guard.clear_if_current(&clipboard, None));
        assert_eq!(
            clipboard.read_text().as_deref(),
            Some("something the user copied since"),
            "what someone else put there stays"
        );
        assert!(!guard.holds_copy(), "nothing of ours is left to clear");
    }
}
