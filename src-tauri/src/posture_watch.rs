//! The background re-probe schedule and regression notifications. Only the timer lives
//! here: what is due (the preferences' interval against the stored history) and which
//! regressions are new are the library's answers (`probe_scheduled`,
//! `take_unannounced_regressions`).

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use keyward::probe::ProbeOptions;
use keyward::{Keyward, ProbeOutcome};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

use crate::commands::probing::{PostureChanged, PostureProgress, ProbeScope};
use crate::state::AppState;

/// The first look after start-up: late enough not to compete with the window's first
/// paint, early enough that a laptop opened in the morning is re-probed soon.
const FIRST_CHECK: Duration = Duration::from_secs(30);

/// How often the schedule asks what is due. The interval itself (hours) is a
/// preference; this only bounds how late a due probe can start.
const CHECK_EVERY: Duration = Duration::from_secs(10 * 60);

/// Held while probing many endpoints, so "Probe all" and the schedule do not probe the
/// same endpoints at the same time.
static PROBE_RUN: Mutex<()> = Mutex::new(());

/// Held while announcing, so two finishing probes cannot announce a regression twice.
static ANNOUNCING: Mutex<()> = Mutex::new(());

/// Waits for any other run of many probes to end, then holds the turn.
pub fn run_lock() -> MutexGuard<'static, ()> {
    PROBE_RUN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts the schedule on a thread of its own; it lives as long as the app.
pub fn start(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("re-probe".into())
        .spawn(move || {
            std::thread::sleep(FIRST_CHECK);
            loop {
                check(&app);
                std::thread::sleep(CHECK_EVERY);
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("no background re-probe: {error}");
    }
}

/// One tick: probe what is due, then announce any regression not yet announced
/// (including ones a `keyward probe` run outside the app recorded).
fn check(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Ok(mut keyward) = state.worker() else {
        return;
    };
    // A "Probe all" in progress covers what is due; look again next tick.
    let Ok(_turn) = PROBE_RUN.try_lock() else {
        return;
    };
    let outcomes = keyward.probe_scheduled(ProbeOptions::default(), |progress| {
        let _ = PostureProgress::of(ProbeScope::Schedule, progress).emit(app);
    });
    match outcomes {
        Ok(outcomes) => after_probe(app, &mut keyward, ProbeScope::Schedule, &outcomes),
        Err(error) => tracing::warn!("scheduled probe failed: {error}"),
    }
}

/// After probes are stored: one desktop notification per new regression, and a
/// `posture-changed` event so the window reloads what it shows.
pub fn after_probe(
    app: &AppHandle,
    keyward: &mut Keyward,
    scope: ProbeScope,
    outcomes: &[ProbeOutcome],
) {
    let regressions = {
        let _one_at_a_time = ANNOUNCING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match keyward.take_unannounced_regressions() {
            Ok(regressions) => regressions,
            Err(error) => {
                tracing::warn!("cannot read regressions: {error}");
                Vec::new()
            }
        }
    };
    let notify = keyward
        .preferences()
        .map(|preferences| preferences.notifications)
        .unwrap_or(true);
    if notify {
        for regression in &regressions {
            let body = match &regression.integration {
                Some(integration) => format!("{integration}: {}", regression.summary()),
                None => regression.summary(),
            };
            // No notification server (a bare X session) is not worth failing over.
            let _ = app
                .notification()
                .builder()
                .title("Keyward: posture got worse")
                .body(body)
                .show();
        }
    }
    if outcomes.is_empty() && regressions.is_empty() {
        return;
    }
    // A probe can change the warnings (a rejected credential, say): keep the tray's
    // count current even when the window is not on the dashboard.
    if let Ok(dashboard) = keyward.dashboard() {
        crate::tray::show_warning_count(app, dashboard.warnings.len());
    }
    let _ = PostureChanged {
        scope,
        probed: outcomes.len() as u32,
        regressions: regressions.len() as u32,
    }
    .emit(app);
}
