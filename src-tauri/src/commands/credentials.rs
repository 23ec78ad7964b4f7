//! Credential commands. Values travel from the UI to the keychain on add, and back only
//! on an explicit, audited reveal; copying happens entirely on the Rust side.

use std::time::Duration;

use keyward::model::{Credential, NewCredential, SecretValue};
use keyward::{Access, CredentialEdit};
use tauri::{AppHandle, State};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[tauri::command(async)]
#[specta::specta]
pub fn list_credentials(state: State<'_, AppState>) -> CommandResult<Vec<Credential>> {
    Ok(state.keyward()?.list_credentials()?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_credential(state: State<'_, AppState>, name: String) -> CommandResult<Credential> {
    Ok(state.keyward()?.credential(&name)?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn add_credential(
    state: State<'_, AppState>,
    credential: NewCredential,
    value: String,
) -> CommandResult<Credential> {
    Ok(state
        .keyward()?
        .credentials()
        .add_credential(credential, SecretValue::from_string(value))?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn edit_credential(
    state: State<'_, AppState>,
    name: String,
    edit: CredentialEdit,
) -> CommandResult<Credential> {
    Ok(state
        .keyward()?
        .credentials()
        .edit_credential(&name, edit)?)
}

#[tauri::command(async)]
#[specta::specta]
pub fn remove_credential(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    Ok(state.keyward()?.credentials().remove_credential(&name)?)
}

/// The value, for showing; audited as a reveal. The UI hides it again after the
/// preference's reveal time or when the window loses focus.
#[tauri::command(async)]
#[specta::specta]
pub fn reveal_credential(state: State<'_, AppState>, name: String) -> CommandResult<String> {
    let value = state
        .keyward()?
        .credentials()
        .reveal(&name, Access::Reveal)?;
    value.expose_str().map(str::to_owned).ok_or_else(|| {
        CommandError::internal(format!("`{name}` holds binary data, which cannot be shown"))
    })
}

/// Copies the value to the clipboard (audited as a copy) and returns the seconds after
/// which it is cleared.
#[tauri::command(async)]
#[specta::specta]
pub fn copy_credential(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<u32> {
    let (value, seconds) = {
        let mut keyward = state.keyward()?;
        let seconds = keyward.preferences()?.clipboard_clear_seconds;
        (keyward.credentials().reveal(&name, Access::Copy)?, seconds)
    };
    state
        .clipboard
        .copy(&app, value, Duration::from_secs(u64::from(seconds)))
        .map_err(CommandError::internal)?;
    Ok(seconds)
}

/// Clears a copied secret now (idle lock); returns whether the clipboard still held it.
#[tauri::command(async)]
#[specta::specta]
pub fn clear_copied_secret(app: AppHandle, state: State<'_, AppState>) -> bool {
    state.clipboard.clear_if_current(&app, None)
}
