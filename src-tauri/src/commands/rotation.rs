//! Rotation commands: the plan the user confirms, the rotation itself (one credential or
//! every overdue one) with a [`RotationProgress`] event per journaled step, the history
//! of a credential, and the resumption of interrupted rotations when the app starts.
//!
//! Rotations talk to providers and the keychain for seconds, so they run on a blocking
//! thread with their own handle on the home (`AppState::worker`): the window's other
//! commands are not queued behind them.

use keyward::audit::AuditEntry;
use keyward::rotate::{RotationHistory, RotationOutcome, RotationPlan, StepProgress};
use keyward::{BatchRotation, OverduePlan, RotationApproval};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// One journaled step of a running rotation, emitted as the event `rotation-progress`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct RotationProgress {
    /// The position of this credential in the run (0-based) and the run's size: 1 for a
    /// single rotation, the number of confirmed credentials for "rotate all overdue".
    pub index: u32,
    pub total: u32,
    pub step: StepProgress,
}

/// What the app found when it resumed interrupted rotations at start, emitted as the
/// event `rotations-resumed` (and shown as a notification) when there was any.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct RotationsResumed {
    /// Each interrupted rotation, finished (`done`) or rolled back (`rolled-back`).
    pub outcomes: Vec<RotationOutcome>,
    /// Why resuming stopped, if it did; the rotation stays journaled for the next start.
    pub error: Option<String>,
}

/// How one rotation ended, with the audit entries it wrote (its rollback steps too).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct RotationReport {
    pub credential: String,
    pub rotation_id: Option<i64>,
    pub outcome: Option<RotationOutcome>,
    /// The failure, which says whether the old value is still current (rolled back).
    pub error: Option<String>,
    pub audit: Vec<AuditEntry>,
}

/// What rotating `name` will do; changes nothing but the audit log (the plan reads the
/// value to find it in files).
#[tauri::command]
#[specta::specta]
pub async fn plan_rotation(app: AppHandle, name: String) -> CommandResult<RotationPlan> {
    run_blocking(move || Ok(app.state::<AppState>().worker()?.plan_rotation(&name)?)).await
}

/// The plans for every overdue credential, and those that cannot rotate as set up.
#[tauri::command]
#[specta::specta]
pub async fn plan_overdue_rotations(app: AppHandle) -> CommandResult<OverduePlan> {
    run_blocking(move || Ok(app.state::<AppState>().worker()?.plan_overdue_rotations()?)).await
}

/// Rotates `name` as planned, minus the files the user skipped. A failed rotation is a
/// report with its error, not a command error, so the window can show what was rolled
/// back; the command fails only when no rotation could start (no keychain).
#[tauri::command]
#[specta::specta]
pub async fn rotate_credential(
    app: AppHandle,
    name: String,
    approval: RotationApproval,
) -> CommandResult<RotationReport> {
    let mut reports = rotate(app, vec![name], approval).await?;
    reports
        .pop()
        .ok_or_else(|| CommandError::internal("the rotation reported nothing"))
}

/// Rotates the confirmed overdue credentials one after the other.
#[tauri::command]
#[specta::specta]
pub async fn rotate_overdue(
    app: AppHandle,
    names: Vec<String>,
    approval: RotationApproval,
) -> CommandResult<Vec<RotationReport>> {
    rotate(app, names, approval).await
}

/// A credential's rotations, newest first, with their steps.
#[tauri::command(async)]
#[specta::specta]
pub fn rotation_history(
    state: tauri::State<'_, AppState>,
    name: String,
) -> CommandResult<Vec<RotationHistory>> {
    Ok(state.keyward()?.rotation_history(&name)?)
}

async fn rotate(
    app: AppHandle,
    names: Vec<String>,
    approval: RotationApproval,
) -> CommandResult<Vec<RotationReport>> {
    run_blocking(move || {
        let state = app.state::<AppState>();
        let mut keyward = state.worker()?;
        let total = names.len() as u32;
        let mut progress = |step: &StepProgress| {
            let index = names
                .iter()
                .position(|name| *name == step.credential)
                .unwrap_or_default() as u32;
            // A window closed mid-rotation misses the event; the rotation goes on.
            let _ = RotationProgress {
                index,
                total,
                step: step.clone(),
            }
            .emit(&app);
        };
        let results = keyward.rotate_batch(&names, &approval, &mut progress)?;
        results
            .into_iter()
            .map(|result| report(&keyward, result))
            .collect()
    })
    .await
}

fn report(keyward: &keyward::Keyward, result: BatchRotation) -> CommandResult<RotationReport> {
    let audit = match result.rotation_id {
        Some(id) => keyward.rotation_audit_entries(id)?,
        None => Vec::new(),
    };
    Ok(RotationReport {
        credential: result.credential,
        rotation_id: result.rotation_id,
        outcome: result.outcome,
        error: result.error,
        audit,
    })
}

/// Finishes or rolls back rotations a crash or a kill interrupted, on a thread of its
/// own so the window opens at once; called from `setup`. Reports through the event and
/// a notification when there was anything to resume.
pub fn resume_interrupted(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        let state = app.state::<AppState>();
        let Ok(mut keyward) = state.worker() else {
            // The window already says why the home cannot be opened.
            return;
        };
        let (outcomes, error) = match keyward.resume_rotations(None, &mut |_| {}) {
            Ok(outcomes) => (outcomes, None),
            Err(error) => (Vec::new(), Some(error.to_string())),
        };
        if outcomes.is_empty() && error.is_none() {
            return;
        }
        tracing::info!(
            resumed = outcomes.len(),
            error = error.as_deref(),
            "interrupted rotations"
        );
        crate::notify(&app, &resumed_message(&outcomes, error.as_deref()));
        let _ = RotationsResumed { outcomes, error }.emit(&app);
    });
}

/// The notification text: which rotations finished, which rolled back, what failed.
fn resumed_message(outcomes: &[RotationOutcome], error: Option<&str>) -> String {
    let mut parts: Vec<String> = outcomes
        .iter()
        .map(|outcome| {
            let ending = match outcome.state {
                keyward::rotate::RotationState::RolledBack => {
                    "was rolled back; the old value is current"
                }
                _ => "was finished",
            };
            format!(
                "The interrupted rotation of {} {ending}.",
                outcome.credential
            )
        })
        .collect();
    if let Some(error) = error {
        parts.push(format!("Resuming interrupted rotations failed: {error}"));
    }
    parts.join(" ")
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|error| CommandError::internal(format!("the rotation worker stopped: {error}")))?
}

#[cfg(test)]
mod tests {
    use keyward::rotate::RotationState;

    use super::*;

    fn outcome(credential: &str, state: RotationState) -> RotationOutcome {
        RotationOutcome {
            rotation_id: 1,
            credential: credential.into(),
            state,
            files_updated: Vec::new(),
            warnings: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn the_resume_notification_says_what_happened_to_each_rotation() {
        let message = resumed_message(
            &[
                outcome("stripe", RotationState::Done),
                outcome("github", RotationState::RolledBack),
            ],
            None,
        );
        assert_eq!(
            message,
            "The interrupted rotation of stripe was finished. The interrupted rotation of github was rolled back; the old value is current."
        );
        assert!(
            resumed_message(&[], Some("no keychain")).contains("no keychain"),
            "a failed resume must not be silent"
        );
    }
}
