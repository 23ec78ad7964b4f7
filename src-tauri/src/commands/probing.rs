//! Posture commands: probe one integration or the whole inventory now, and read an
//! integration's current posture and its probe history.
//!
//! Probing is network work that can take seconds per endpoint, so it runs on a blocking
//! worker with its own connection to the home (`AppState::worker`); the window follows
//! along through [`PostureProgress`] and reloads on [`PostureChanged`].

use keyward::probe::{Grade, ProbeOptions, ProbeProgress};
use keyward::{IntegrationPosture, Keyward, ProbeOutcome, ProbeRecord};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;

use crate::error::{CommandError, CommandResult};
use crate::posture_watch;
use crate::state::AppState;

/// How many past results the history view gets.
const HISTORY_LIMIT: u32 = 50;

/// What started a probe run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeScope {
    /// "Probe now" on one integration.
    Integration,
    /// "Probe all".
    All,
    /// The background re-probe schedule.
    Schedule,
}

/// Progress of a running probe, emitted as `posture-progress` after each endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct PostureProgress {
    pub scope: ProbeScope,
    /// The integration of the endpoint that just finished.
    pub integration: Option<String>,
    pub target: String,
    pub done: u32,
    pub total: u32,
    /// That endpoint's grade (`None` when it could not be probed).
    pub grade: Option<Grade>,
}

impl PostureProgress {
    pub fn of(scope: ProbeScope, progress: &ProbeProgress) -> Self {
        Self {
            scope,
            integration: progress.integration.clone(),
            target: progress.target.clone(),
            done: progress.done,
            total: progress.total,
            grade: progress.grade,
        }
    }
}

/// New probe results are stored: emitted as `posture-changed` so the dashboard, the
/// inventory's grades and open posture panels reload.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct PostureChanged {
    pub scope: ProbeScope,
    /// Endpoints probed.
    pub probed: u32,
    /// Regressions found among them.
    pub regressions: u32,
}

/// What a "Probe all" did.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ProbeRun {
    pub probed: u32,
    /// Endpoints that could not be probed (unreachable, not TLS, too slow).
    pub failed: u32,
    pub regressions: u32,
}

impl ProbeRun {
    pub fn of(outcomes: &[ProbeOutcome]) -> Self {
        let count = |keep: fn(&ProbeOutcome) -> bool| {
            outcomes.iter().filter(|outcome| keep(outcome)).count() as u32
        };
        Self {
            probed: outcomes.len() as u32,
            failed: count(|outcome| outcome.report.error.is_some()),
            regressions: count(|outcome| outcome.regression.is_some()),
        }
    }
}

/// Probes every endpoint of one integration now and returns its new posture.
#[tauri::command]
#[specta::specta]
pub async fn probe_integration(app: AppHandle, name: String) -> CommandResult<IntegrationPosture> {
    on_worker(app, move |app, keyward| {
        let outcomes =
            keyward.probe_integration_reporting(&name, ProbeOptions::default(), |progress| {
                let _ = PostureProgress::of(ProbeScope::Integration, progress).emit(app);
            })?;
        posture_watch::after_probe(app, keyward, ProbeScope::Integration, &outcomes);
        Ok(keyward.posture(&name)?)
    })
    .await
}

/// Probes every endpoint in the inventory. Waits for a running scheduled probe to end
/// first, so the same endpoints are not probed twice at once.
#[tauri::command]
#[specta::specta]
pub async fn probe_all(app: AppHandle) -> CommandResult<ProbeRun> {
    on_worker(app, move |app, keyward| {
        let _one_run = posture_watch::run_lock();
        let outcomes = keyward.probe_all(ProbeOptions::default(), |progress| {
            let _ = PostureProgress::of(ProbeScope::All, progress).emit(app);
        })?;
        posture_watch::after_probe(app, keyward, ProbeScope::All, &outcomes);
        Ok(ProbeRun::of(&outcomes))
    })
    .await
}

/// The newest result of each endpoint of `name`, findings explained.
#[tauri::command]
#[specta::specta]
pub fn posture(state: State<'_, AppState>, name: String) -> CommandResult<IntegrationPosture> {
    Ok(state.keyward()?.posture(&name)?)
}

/// Stored results of `name`'s endpoints, newest first.
#[tauri::command]
#[specta::specta]
pub fn probe_history(state: State<'_, AppState>, name: String) -> CommandResult<Vec<ProbeRecord>> {
    Ok(state.keyward()?.probe_history(&name, HISTORY_LIMIT)?)
}

/// Runs `work` on a blocking thread with a worker handle on the home, so a probe of
/// many endpoints neither blocks the async runtime nor holds the window's lock.
async fn on_worker<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&AppHandle, &mut Keyward) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(move || {
        let mut keyward = app.state::<AppState>().worker()?;
        work(&app, &mut keyward)
    })
    .await
    .map_err(|error| CommandError::internal(format!("the probe worker stopped: {error}")))?
}

#[cfg(test)]
mod tests {
    use keyward::probe::ProbeReport;
    use keyward::{ProbeOutcome, Regression};

    use super::ProbeRun;

    fn outcome(error: Option<&str>, regressed: bool) -> ProbeOutcome {
        let probed_at = "2026-03-01T10:00:00Z".parse().unwrap();
        ProbeOutcome {
            integration: Some("payments".into()),
            report: ProbeReport {
                target: "https://api.example.com/".into(),
                probed_at,
                grade: None,
                deductions: Vec::new(),
                tls: None,
                http: None,
                findings: Vec::new(),
                error: error.map(str::to_owned),
                notes: Vec::new(),
                duration_ms: 1,
            },
            regression: regressed.then(|| Regression {
                target: "https://api.example.com/".into(),
                integration: Some("payments".into()),
                previous_probed_at: probed_at,
                previous_grade: None,
                grade: None,
                new_findings: Vec::new(),
            }),
        }
    }

    #[test]
    fn a_probe_run_counts_what_failed_and_what_got_worse() {
        let run = ProbeRun::of(&[
            outcome(None, false),
            outcome(Some("cannot connect: refused"), false),
            outcome(None, true),
        ]);
        assert_eq!(
            (run.probed, run.failed, run.regressions),
            (3, 1, 1),
            "the \"Probe all\" summary the UI shows must match the outcomes"
        );
    }
}
