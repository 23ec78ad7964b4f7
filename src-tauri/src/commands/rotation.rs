//! Rotation commands: the plan the user confirms, the rotation itself (one credential or
//! every overdue one) with a `rotation-progress` event per journaled step, and the
//! history of a credential. Resuming interrupted rotations at start is a job
//! (`jobs::rotation_resume`).
//!
//! Rotations talk to providers and the keychain for seconds, so they run on a blocking
//! thread with their own handle on the home (`worker::run`): the window's other commands
//! are not queued behind them.

use keyward::audit::AuditEntry;
use keyward::rotate::{RotationHistory, RotationOutcome, RotationPlan, StepProgress};
use keyward::{BatchRotation, Keyward, OverduePlan, RotationApproval};
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tauri_specta::Event;

use crate::error::{CommandError, CommandResult};
use crate::events::RotationProgress;
use crate::state::AppState;
use crate::worker;

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
    worker::run(app, move |_, keyward| {
        Ok(keyward.rotation().plan_rotation(&name)?)
    })
    .await
}

/// The plans for every overdue credential, and those that cannot rotate as set up.
#[tauri::command]
#[specta::specta]
pub async fn plan_overdue_rotations(app: AppHandle) -> CommandResult<OverduePlan> {
    worker::run(app, |_, keyward| {
        Ok(keyward.rotation().plan_overdue_rotations()?)
    })
    .await
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
    Ok(state.keyward()?.rotation().rotation_history(&name)?)
}

async fn rotate(
    app: AppHandle,
    names: Vec<String>,
    approval: RotationApproval,
) -> CommandResult<Vec<RotationReport>> {
    worker::run(app, move |app, keyward| {
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
            .emit(app);
        };
        let results = keyward
            .rotation()
            .rotate_batch(&names, &approval, &mut progress)?;
        results
            .into_iter()
            .map(|result| report(keyward, result))
            .collect()
    })
    .await
}

fn report(keyward: &mut Keyward, result: BatchRotation) -> CommandResult<RotationReport> {
    let audit = match result.rotation_id {
        Some(id) => keyward.rotation().rotation_audit_entries(id)?,
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
