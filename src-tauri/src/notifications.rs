//! Desktop notifications. Every one goes through here, so the user's "notifications
//! off" preference is honoured by all of them, and a desktop with no notification
//! server (a bare X session) fails none of the work that wanted to notify.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

/// Shows `body`, unless the user turned notifications off. When the preference cannot
/// be read the notification is shown: missing one matters more than an extra one.
pub fn notify<R: Runtime>(app: &AppHandle<R>, body: &str) {
    let enabled = app
        .state::<AppState>()
        .keyward()
        .and_then(|keyward| Ok(keyward.preferences()?.notifications))
        .unwrap_or(true);
    if enabled {
        show(app, "Keyward", body);
    }
}

/// Shows a notification now; for callers that have checked the preference already
/// (with the handle they hold, instead of taking the window's lock again).
pub fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let _ = app.notification().builder().title(title).body(body).show();
}
