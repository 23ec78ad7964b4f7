//! Integration commands.

use keyward::IntegrationEdit;
use keyward::model::{Integration, NewIntegration};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
#[specta::specta]
pub fn list_integrations(state: State<'_, AppState>) -> CommandResult<Vec<Integration>> {
    Ok(state.keyward()?.list_integrations()?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_integration(state: State<'_, AppState>, name: String) -> CommandResult<Integration> {
    Ok(state.keyward()?.integration(&name)?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn add_integration(
    state: State<'_, AppState>,
    integration: NewIntegration,
) -> CommandResult<Integration> {
    Ok(state
        .keyward()?
        .credentials()
        .add_integration(integration)?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn remove_integration(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    Ok(state.keyward()?.credentials().remove_integration(&name)?)
}

/// Replaces an integration's details and endpoints; its name stays.
#[tauri::command(async)]
#[specta::specta]
pub fn edit_integration(
    state: State<'_, AppState>,
    name: String,
    edit: IntegrationEdit,
) -> CommandResult<Integration> {
    Ok(state
        .keyward()?
        .credentials()
        .edit_integration(&name, edit)?)
}
