//! Integration commands.

use keyward::model::{Integration, NewIntegration};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_integrations(state: State<'_, AppState>) -> CommandResult<Vec<Integration>> {
    Ok(state.keyward()?.list_integrations()?)
}

#[tauri::command]
#[specta::specta]
pub fn get_integration(state: State<'_, AppState>, name: String) -> CommandResult<Integration> {
    Ok(state.keyward()?.integration(&name)?)
}

#[tauri::command]
#[specta::specta]
pub fn add_integration(
    state: State<'_, AppState>,
    integration: NewIntegration,
) -> CommandResult<Integration> {
    Ok(state.keyward()?.add_integration(integration)?)
}

#[tauri::command]
#[specta::specta]
pub fn remove_integration(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    Ok(state.keyward()?.remove_integration(&name)?)
}
