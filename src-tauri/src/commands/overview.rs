//! Dashboard and preferences.

use keyward::{Dashboard, Preferences};
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn dashboard(app: AppHandle, state: State<'_, AppState>) -> CommandResult<Dashboard> {
    let dashboard = state.keyward()?.dashboard()?;
    crate::tray::show_warning_count(&app, dashboard.warnings.len());
    Ok(dashboard)
}

#[tauri::command]
#[specta::specta]
pub fn get_preferences(state: State<'_, AppState>) -> CommandResult<Preferences> {
    Ok(state.keyward()?.preferences()?)
}

#[tauri::command]
#[specta::specta]
pub fn set_preferences(
    state: State<'_, AppState>,
    preferences: Preferences,
) -> CommandResult<Preferences> {
    Ok(state.keyward()?.set_preferences(&preferences)?)
}
