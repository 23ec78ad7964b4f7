//! Dashboard, inventory rows and preferences.

use keyward::{Dashboard, Inventory, Preferences};
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::first_show::FirstShow;
use crate::state::AppState;

/// The UI has its first screen on the page: the hidden window may now be shown, so its
/// first visible frame is the dashboard rather than a blank page (see `first_show`).
#[tauri::command(async)]
#[specta::specta]
pub fn window_ready(app: AppHandle, first_show: State<'_, FirstShow>) {
    first_show.show(&app);
}

#[tauri::command(async)]
#[specta::specta]
pub fn dashboard(app: AppHandle, state: State<'_, AppState>) -> CommandResult<Dashboard> {
    let dashboard = state.keyward()?.review().dashboard()?;
    crate::tray::show_warning_count(&app, dashboard.warnings.len());
    Ok(dashboard)
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_preferences(state: State<'_, AppState>) -> CommandResult<Preferences> {
    Ok(state.keyward()?.preferences()?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn set_preferences(
    state: State<'_, AppState>,
    preferences: Preferences,
) -> CommandResult<Preferences> {
    Ok(state.keyward()?.set_preferences(&preferences)?)
}

/// The inventory tables' rows, joined and graded by the library.
#[tauri::command(async)]
#[specta::specta]
pub fn inventory(state: State<'_, AppState>) -> CommandResult<Inventory> {
    Ok(state.keyward()?.credentials().inventory()?)
}
