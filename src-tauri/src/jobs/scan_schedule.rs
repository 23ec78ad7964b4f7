//! The timer for scheduled leak scans. Whether one is due is the library's answer
//! (`scan_due`, from the period setting and the last scan); the scan itself is the same
//! as "Scan now" ([`super::scans`]), on this thread with its own handle on the home, so
//! the window is never blocked.

use std::time::Duration;

use tauri::{AppHandle, Manager};

use super::scans;
use crate::state::AppState;
use crate::worker;

/// How often the schedule asks the library whether a scan is due. The period itself
/// (hours) is a setting; this only bounds how late a due scan starts. The first check
/// waits one tick too, so start-up is not slowed.
const TICK: Duration = Duration::from_secs(60);

/// Starts the schedule; it lives as long as the app.
pub fn start(app: AppHandle) {
    worker::spawn("scan-schedule", move || {
        loop {
            std::thread::sleep(TICK);
            let due = app
                .state::<AppState>()
                .keyward()
                .is_ok_and(|mut keyward| keyward.leaks().scan_due().unwrap_or(false));
            if due && let Err(error) = scans::run(&app, true) {
                eprintln!("scheduled scan: {error}");
            }
        }
    });
}
