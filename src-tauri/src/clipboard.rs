//! Copying secrets: the value goes from the keychain to the clipboard inside the Rust
//! side (it never reaches the webview) and is cleared again after the user's timeout if
//! the clipboard still holds it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyward::model::SecretValue;
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// The secret most recently copied, so it can be cleared on timeout or on idle lock
/// without clearing something else the user copied since.
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
        app.clipboard()
            .write_text(text)
            .map_err(|error| error.to_string())?;
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
    pub fn clear_if_current<R: Runtime>(
        &self,
        app: &AppHandle<R>,
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
        let still_there = app
            .clipboard()
            .read_text()
            // Compared in constant time (SecretValue's equality): the clipboard holds a
            // secret, and so may the text another app put there.
            .is_ok_and(|text| SecretValue::new(text.into_bytes()) == *value);
        if still_there {
            // Best effort: a clipboard that refuses the write keeps the value, and there
            // is nothing more the app can do about it.
            let _ = app.clipboard().clear();
            let _ = app.clipboard().write_text(String::new());
        }
        *copied = None;
        still_there
    }
}
