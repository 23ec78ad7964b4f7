//! Posture commands: probe one integration or the whole inventory now, and read an
//! integration's current posture and its probe history.
//!
//! Probing is network work that can take seconds per endpoint, so it runs on a blocking
//! worker with its own connection to the home (`worker::run`); the window follows along
//! through `posture-progress` and reloads on `posture-changed`.

use keyward::probe::ProbeOptions;
use keyward::{IntegrationPosture, ProbeOutcome, ProbeRecord};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::CommandResult;
use crate::events::{PostureProgress, ProbeScope};
use crate::jobs::probes;
use crate::state::AppState;
use crate::worker;

/// How many past results the history view gets.
const HISTORY_LIMIT: u32 = 50;

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
    worker::run(app, move |app, keyward| {
        let outcomes = keyward.posture().probe_integration_reporting(
            &name,
            ProbeOptions::default(),
            |progress| {
                let _ = PostureProgress::of(ProbeScope::Integration, progress).emit(app);
            },
        )?;
        probes::after_probe(app, keyward, ProbeScope::Integration, &outcomes);
        Ok(keyward.posture().current(&name)?)
    })
    .await
}

/// Probes every endpoint in the inventory. Waits for a running scheduled probe to end
/// first, so the same endpoints are not probed twice at once.
#[tauri::command]
#[specta::specta]
pub async fn probe_all(app: AppHandle) -> CommandResult<ProbeRun> {
    worker::run(app, move |app, keyward| {
        let _one_run = probes::wait_turn();
        let outcomes = keyward
            .posture()
            .probe_all(ProbeOptions::default(), |progress| {
                let _ = PostureProgress::of(ProbeScope::All, progress).emit(app);
            })?;
        probes::after_probe(app, keyward, ProbeScope::All, &outcomes);
        Ok(ProbeRun::of(&outcomes))
    })
    .await
}

/// The newest result of each endpoint of `name`, findings explained.
#[tauri::command(async)]
#[specta::specta]
pub fn posture(state: State<'_, AppState>, name: String) -> CommandResult<IntegrationPosture> {
    Ok(state.keyward()?.posture().current(&name)?)
}

/// Stored results of `name`'s endpoints, newest first.
#[tauri::command(async)]
#[specta::specta]
pub fn probe_history(state: State<'_, AppState>, name: String) -> CommandResult<Vec<ProbeRecord>> {
    Ok(state
        .keyward()?
        .posture()
        .probe_history(&name, HISTORY_LIMIT)?)
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
