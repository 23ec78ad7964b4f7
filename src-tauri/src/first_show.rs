//! The window is created hidden and shown once the dashboard has its first data on
//! screen, so a user never sees a blank or half-loaded window: the first frame they see
//! is the dashboard. The UI says when (`window_ready`); a fallback shows the window
//! anyway if that word never comes (a broken page must still be visible, and reported).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

/// How long the window may stay hidden waiting for the UI. Far above a normal start
/// (a few hundred milliseconds), far below what a user would take for a failed launch.
const FALLBACK_AFTER: Duration = Duration::from_secs(3);

/// Whether the main window has been shown once. Later calls do nothing, so neither the
/// fallback nor a re-rendered dashboard can bring back a window the user has hidden.
#[derive(Default)]
pub struct FirstShow {
    shown: AtomicBool,
}

impl FirstShow {
    /// Shows the main window, the first time only. Returns whether this call showed it.
    pub fn show<R: Runtime>(&self, app: &AppHandle<R>) -> bool {
        if self.shown.swap(true, Ordering::SeqCst) {
            return false;
        }
        match app.get_webview_window("main") {
            Some(window) => {
                if let Err(error) = window.show() {
                    eprintln!("could not show the window: {error}");
                }
                true
            }
            None => false,
        }
    }
}

/// Shows the window after `FALLBACK_AFTER` unless the UI has already done so.
pub fn start_fallback<R: Runtime>(app: AppHandle<R>) {
    let timer_app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("first-show".into())
        .spawn(move || {
            let app = timer_app;
            std::thread::sleep(FALLBACK_AFTER);
            let handle = app.clone();
            let _ = app.clone().run_on_main_thread(move || {
                if handle.state::<FirstShow>().show(&handle) {
                    eprintln!("the UI did not report ready; window shown anyway");
                }
            });
        });
    if let Err(error) = spawned {
        // Without the timer, show now rather than risk a window that never appears.
        eprintln!("no first-show timer: {error}");
        app.state::<FirstShow>().show(&app);
    }
}
