//! Keeping the user told about warnings outside the window: the tray's count and one
//! desktop notification for warnings no earlier notification announced (the library
//! remembers which, across restarts, so a warning is announced once).

use keyward::Keyward;
use keyward::policy::Warning;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::events::WarningsChanged;
use crate::notifications;
use crate::state::AppState;
use crate::tray;

/// At start-up, once the home is open: the tray count and the announcement of what
/// appeared since the app last ran.
pub fn at_start<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(mut keyward) = state.keyward() else {
        return;
    };
    let Ok(warnings) = keyward.review().warnings() else {
        return;
    };
    // Queued on the main thread, which runs it after `setup` has installed the tray.
    let count = warnings.len();
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || tray::show_warning_count(&handle, count));
    announce_new(app, &mut keyward, &warnings);
}

/// After something that can change many warnings (a scan): the tray count, an open
/// dashboard reloads (`warnings-changed`), and new warnings are announced.
pub fn changed<R: Runtime>(app: &AppHandle<R>, keyward: &mut Keyward) {
    let Ok(warnings) = keyward.review().warnings() else {
        return;
    };
    tray::show_warning_count(app, warnings.len());
    let _ = WarningsChanged {
        open_warnings: warnings.len() as u32,
    }
    .emit(app);
    announce_new(app, keyward, &warnings);
}

/// The tray's count after a warning went away (a finding imported or accepted); a
/// failure to count leaves it as it was.
pub fn recount<R: Runtime>(app: &AppHandle<R>, keyward: &mut Keyward) {
    if let Ok(warnings) = keyward.review().warnings() {
        tray::show_warning_count(app, warnings.len());
    }
}

/// One notification for the warnings no earlier notification announced.
fn announce_new<R: Runtime>(app: &AppHandle<R>, keyward: &mut Keyward, warnings: &[Warning]) {
    let Ok(fresh) = keyward.leaks().unannounced_warnings(warnings) else {
        return;
    };
    let wanted = keyward
        .preferences()
        .is_ok_and(|preferences| preferences.notifications);
    if fresh.is_empty() || !wanted {
        return;
    }
    let body = match fresh.as_slice() {
        [one] => match &one.credential {
            Some(credential) => format!("{credential}: {}", one.message),
            None => one.message.clone(),
        },
        many => format!("{} new warnings need attention", many.len()),
    };
    notifications::show(app, "Keyward", &body);
}
