//! Leak-scan commands: the scan folders and schedule, "Scan now" as background work
//! with progress events, the open findings (redacted), importing a found secret,
//! accepting a finding, and opening a finding's file.
//!
//! A scan walks whole folders, so it runs on a blocking thread with its own `Keyward`
//! handle: the window's other commands are never queued behind it. The scan itself is
//! the job the schedule runs too (`jobs::scans`).

use chrono::{DateTime, Utc};
use keyward::model::{Credential, CredentialKind};
use keyward::{FoundSecret, Keyward, RootsScanOutcome, ScanSettings};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};

use crate::error::{CommandError, CommandResult};
use crate::jobs::scans::{self, ScanJob};
use crate::jobs::warnings;
use crate::opening;
use crate::state::AppState;
use crate::worker;

/// The scan settings with what the schedule will do.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ScanOverview {
    pub settings: ScanSettings,
    pub last_scan_at: Option<DateTime<Utc>>,
    pub next_scan_at: Option<DateTime<Utc>>,
    /// A scan is running now (started by the button or the schedule).
    pub running: bool,
}

/// How "Open file" showed the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum FileShown {
    /// Opened with the desktop's default app for its type.
    Opened,
    /// Selected in the file manager, because opening it could run it.
    Revealed,
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_scan_settings(
    state: State<'_, AppState>,
    job: State<'_, ScanJob>,
) -> CommandResult<ScanOverview> {
    overview(&mut *state.keyward()?, &job)
}

#[tauri::command(async)]
#[specta::specta]
pub fn set_scan_settings(
    state: State<'_, AppState>,
    job: State<'_, ScanJob>,
    settings: ScanSettings,
) -> CommandResult<ScanOverview> {
    let mut keyward = state.keyward()?;
    keyward.leaks().set_scan_settings(&settings)?;
    overview(&mut keyward, &job)
}

fn overview(keyward: &mut Keyward, job: &ScanJob) -> CommandResult<ScanOverview> {
    Ok(ScanOverview {
        settings: keyward.leaks().scan_settings()?,
        last_scan_at: keyward.leaks().last_roots_scan()?,
        next_scan_at: keyward.leaks().next_scheduled_scan()?,
        running: job.running(),
    })
}

/// Scans every scan folder now. Returns when the scan ends; `scan-progress` events
/// report on the way and `scan-finished` follows, so a window that navigated away and
/// back still learns the end.
#[tauri::command]
#[specta::specta]
pub async fn scan_now(app: AppHandle) -> CommandResult<RootsScanOutcome> {
    worker::blocking(move || scans::run(&app, false)).await
}

/// The open findings, most severe first, with only their redacted match.
#[tauri::command(async)]
#[specta::specta]
pub fn list_found_secrets(state: State<'_, AppState>) -> CommandResult<Vec<FoundSecret>> {
    Ok(state.keyward()?.leaks().found_secrets()?)
}

/// Imports the secret behind a finding as a new credential: the Rust side re-reads the
/// file, so the value never passes through the window.
#[tauri::command]
#[specta::specta]
pub async fn import_found_secret(
    app: AppHandle,
    finding_id: i64,
    name: String,
    kind: Option<CredentialKind>,
) -> CommandResult<Credential> {
    worker::blocking(move || {
        let state = app.state::<AppState>();
        let mut keyward = state.keyward()?;
        let created = keyward
            .leaks()
            .import_found_secret(finding_id, &name, kind)?;
        warnings::recount(&app, &mut keyward);
        Ok(created)
    })
    .await
}

/// Accepts a finding: it is resolved and later scans leave it out.
#[tauri::command(async)]
#[specta::specta]
pub fn accept_finding(
    app: AppHandle,
    state: State<'_, AppState>,
    finding_id: i64,
) -> CommandResult<()> {
    let mut keyward = state.keyward()?;
    keyward.leaks().accept_finding(finding_id)?;
    warnings::recount(&app, &mut keyward);
    Ok(())
}

/// Shows the file a finding is in.
///
/// The window names a stored finding by id, never a path: the library resolves the path
/// and checks it is a regular file inside the scanned folder, so a compromised page
/// cannot open arbitrary files. Opening goes through tauri-plugin-opener's Rust
/// functions only (the plugin is not registered, the window is granted none of its
/// permissions, and there is no shell plugin or filesystem scope). Only a document type
/// on the allow-list (`opening::FINDING_TYPES`: text, config and data files, PDF) whose
/// executable bit is not set is opened with the default app; any other file (`.js`,
/// `.hta`, `.wsf` and every other type a desktop might run, names Windows reads
/// differently, unknown types) is shown selected in the file manager instead, which runs
/// nothing. The default app takes no line number, so the window shows `path:line` next
/// to it.
#[tauri::command]
#[specta::specta]
pub async fn open_finding_file(app: AppHandle, finding_id: i64) -> CommandResult<FileShown> {
    worker::blocking(move || {
        let file = app
            .state::<AppState>()
            .keyward()?
            .leaks()
            .finding_file(finding_id)?;
        let failed = |error: tauri_plugin_opener::Error| CommandError {
            code: keyward::ErrorCode::Environment,
            message: format!("cannot show {}: {error}", file.display()),
        };
        if opens_as_document(&file) {
            tauri_plugin_opener::open_path(&file, None::<&str>).map_err(failed)?;
            Ok(FileShown::Opened)
        } else {
            tauri_plugin_opener::reveal_item_in_dir(&file).map_err(failed)?;
            Ok(FileShown::Revealed)
        }
    })
    .await
}

/// Whether `file` may be handed to the desktop's default app: a document type on the
/// allow-list, without the executable bit.
fn opens_as_document(file: &std::path::Path) -> bool {
    opening::document_type(file, opening::FINDING_TYPES).is_ok() && !opening::is_executable(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_documents_are_opened_and_everything_else_is_revealed() {
        let folder = tempfile::tempdir().unwrap();
        let text = folder.path().join("config.env");
        std::fs::write(&text, "A=b\n").unwrap();
        assert!(
            opens_as_document(&text),
            "a plain config file opens in its app"
        );
        for name in [
            "start.desktop",
            "payload.js",
            "app.hta",
            "job.wsf",
            "run.exe",
            "deploy",
        ] {
            let file = folder.path().join(name);
            std::fs::write(&file, "x\n").unwrap();
            assert!(!opens_as_document(&file), "{name} must never be opened");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = folder.path().join("notes.txt");
            std::fs::write(&script, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert!(
                !opens_as_document(&script),
                "an executable file must never be opened"
            );
        }
    }
}
