//! The background re-probe schedule. Only the timer lives here: what is due (the
//! preferences' interval against the stored history) is the library's answer
//! (`probe_scheduled`), and what follows a probe is shared with the buttons
//! ([`super::probes`]).

use std::time::Duration;

use keyward::probe::ProbeOptions;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use super::probes;
use crate::events::{PostureProgress, ProbeScope};
use crate::state::AppState;
use crate::worker;

/// The first look after start-up: late enough not to compete with the window's first
/// paint, early enough that a laptop opened in the morning is re-probed soon.
const FIRST_CHECK: Duration = Duration::from_secs(30);

/// How often the schedule asks what is due. The interval itself (hours) is a
/// preference; this only bounds how late a due probe can start.
const CHECK_EVERY: Duration = Duration::from_secs(10 * 60);

/// Starts the schedule; it lives as long as the app.
pub fn start(app: AppHandle) {
    worker::spawn("re-probe", move || {
        std::thread::sleep(FIRST_CHECK);
        loop {
            check(&app);
            std::thread::sleep(CHECK_EVERY);
        }
    });
}

/// One tick: probe what is due, then announce any regression not yet announced
/// (including ones a `keyward probe` run outside the app recorded).
fn check(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Ok(mut keyward) = state.worker() else {
        return;
    };
    // A "Probe all" in progress covers what is due; look again next tick.
    let Some(_turn) = probes::try_turn() else {
        return;
    };
    let outcomes = keyward
        .posture()
        .probe_scheduled(ProbeOptions::default(), |progress| {
            let _ = PostureProgress::of(ProbeScope::Schedule, progress).emit(app);
        });
    match outcomes {
        Ok(outcomes) => probes::after_probe(app, &mut keyward, ProbeScope::Schedule, &outcomes),
        Err(error) => eprintln!("scheduled probe failed: {error}"),
    }
}
