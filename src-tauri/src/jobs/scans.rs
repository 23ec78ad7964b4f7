//! One leak scan of every scan folder, whoever asked ("Scan now" or the schedule): never
//! two at once, progress to the window, and the same aftermath (tray, warnings,
//! `scan-finished`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use keyward::{RootsScanOutcome, RootsScanProgress};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use super::warnings;
use crate::error::{CommandError, CommandResult};
use crate::events::{ScanFinished, ScanProgress};
use crate::state::AppState;

/// Progress events are sent at most this often: a fast walk reports thousands of files
/// a second, more than the window needs to redraw.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Whether a scan is running (managed state), so the button and the schedule never
/// overlap and the settings screen can say so.
#[derive(Default)]
pub struct ScanJob(AtomicBool);

impl ScanJob {
    pub fn running(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Marks a scan as running, unless one is; the mark goes when the guard drops, also
    /// if the scan panics.
    fn start(&self) -> Option<RunningScan<'_>> {
        (!self.0.swap(true, Ordering::SeqCst)).then_some(RunningScan(self))
    }
}

struct RunningScan<'a>(&'a ScanJob);

impl Drop for RunningScan<'_> {
    fn drop(&mut self) {
        self.0.0.store(false, Ordering::SeqCst);
    }
}

/// Runs one scan of all folders on the calling (blocking) thread, unless one is running,
/// then refreshes the tray, announces new warnings and tells the window.
pub fn run<R: Runtime>(app: &AppHandle<R>, scheduled: bool) -> CommandResult<RootsScanOutcome> {
    let job = app.state::<ScanJob>();
    let Some(_running) = job.start() else {
        return Err(CommandError {
            code: keyward::ErrorCode::InvalidInput,
            message: "a scan is already running".into(),
        });
    };
    // (when the last event went out, which folder it was about)
    let last_sent = Mutex::new((None::<Instant>, 0));
    let progress = |progress: RootsScanProgress| {
        let mut last = last_sent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let new_root = progress.root_index != last.1;
        if new_root || last.0.is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL) {
            *last = (Some(Instant::now()), progress.root_index);
            let _ = ScanProgress { progress }.emit(app);
        }
    };
    let outcome = app.state::<AppState>().worker().and_then(|mut worker| {
        let outcome = worker.leaks().scan_roots(&progress)?;
        warnings::changed(app, &mut worker);
        Ok(outcome)
    });
    let _ = ScanFinished {
        outcome: outcome.as_ref().ok().cloned(),
        error: outcome.as_ref().err().map(|error| error.message.clone()),
        scheduled,
    }
    .emit(app);
    outcome
}
