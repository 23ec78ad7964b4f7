//! The audit trail.

use keyward::audit::{AuditEntry, AuditVerification};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
#[specta::specta]
pub fn audit_entries(state: State<'_, AppState>) -> CommandResult<Vec<AuditEntry>> {
    Ok(state.keyward()?.review().audit_entries()?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn verify_audit(state: State<'_, AppState>) -> CommandResult<AuditVerification> {
    Ok(state.keyward()?.review().verify_audit()?)
}
