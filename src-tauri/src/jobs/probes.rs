//! What every probe run shares, whoever started it ("Probe now", "Probe all", the
//! schedule): one run of many probes at a time, and the same aftermath (regression
//! notifications, the tray count, `posture-changed`). Which regressions are new is the
//! library's answer (`take_unannounced_regressions`); this only delivers them.

use std::sync::{Mutex, MutexGuard, TryLockError};

use keyward::{Keyward, ProbeOutcome};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

use crate::events::{PostureChanged, ProbeScope};
use crate::notifications;

/// Held while probing many endpoints, so "Probe all" and the schedule do not probe the
/// same endpoints at the same time.
static PROBE_RUN: Mutex<()> = Mutex::new(());

/// Held while announcing, so two finishing probes cannot announce a regression twice.
static ANNOUNCING: Mutex<()> = Mutex::new(());

/// Waits for any other run of many probes to end, then holds the turn.
pub fn wait_turn() -> MutexGuard<'static, ()> {
    PROBE_RUN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The turn, unless another run holds it (then what is due is covered by that run).
pub fn try_turn() -> Option<MutexGuard<'static, ()>> {
    match PROBE_RUN.try_lock() {
        Ok(turn) => Some(turn),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// After probes are stored: one desktop notification per new regression, and a
/// `posture-changed` event so the window reloads what it shows.
pub fn after_probe<R: Runtime>(
    app: &AppHandle<R>,
    keyward: &mut Keyward,
    scope: ProbeScope,
    outcomes: &[ProbeOutcome],
) {
    let regressions = {
        let _one_at_a_time = ANNOUNCING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match keyward.posture().take_unannounced_regressions() {
            Ok(regressions) => regressions,
            Err(error) => {
                eprintln!("cannot read regressions: {error}");
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
            notifications::show(app, "Keyward: posture got worse", &body);
        }
    }
    if outcomes.is_empty() && regressions.is_empty() {
        return;
    }
    // A probe can change the warnings (a rejected credential, say): keep the tray's
    // count current even when the window is not on the dashboard.
    if let Ok(dashboard) = keyward.review().dashboard() {
        crate::tray::show_warning_count(app, dashboard.warnings.len());
    }
    let _ = PostureChanged {
        scope,
        probed: outcomes.len() as u32,
        regressions: regressions.len() as u32,
    }
    .emit(app);
}
