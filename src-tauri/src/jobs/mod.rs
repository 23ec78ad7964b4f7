//! Work the app does without being asked: opening the home at launch, resuming
//! interrupted rotations, announcing warnings, and the probe and scan schedules; plus
//! the runs that a button and a schedule share (a probe run, a scan).
//!
//! Commands may call into jobs (a "Scan now" is the scheduled scan run at once); jobs
//! never call commands. What both need lives here or in the library.

mod posture_watch;
pub mod probes;
mod rotation_resume;
mod scan_schedule;
pub mod scans;
pub mod warnings;

use tauri::{AppHandle, Manager};

use crate::state::AppState;
use crate::worker;

/// Starts every background job; called once from `setup`, before the tray is installed
/// (the start-up work that updates the tray queues that on the main thread, behind
/// `setup`).
pub fn start(app: &AppHandle) {
    app.manage(scans::ScanJob::default());
    // Opening the home talks to the keychain and migrates SQLite: started now, it
    // overlaps with the webview's start instead of delaying the window.
    let opening = app.clone();
    worker::spawn("open-home", move || {
        if opening.state::<AppState>().open().is_ok() {
            warnings::at_start(&opening);
            rotation_resume::start(&opening);
        }
    });
    posture_watch::start(app.clone());
    scan_schedule::start(app.clone());
}
