//! The security lead's commands: the team board, reports, signed bundles, the team
//! database and access-review decisions.
//!
//! Files are written by the Rust side to a path the user picks in a save dialog that
//! the Rust side opens itself. The webview never names a path to write to: a page that
//! went wrong could otherwise overwrite any file the user owns with a report. So the
//! window needs no `dialog:allow-save` grant, and the save dialog stays denied to it.
//!
//! Slow work (bundle verification, the team database over the network, reports over
//! many workstations) runs on a blocking worker with its own connection to the home
//! (`worker::run`), so the window's other commands are not queued behind it.

use std::path::PathBuf;

use keyward::report::ReviewDecision;
use keyward::team::SyncOutcome;
use keyward::{
    ImportedBundle, Keyward, ReportFormat, ReportScope, TeamBoard, TeamDatabaseInfo,
    model::SecretValue,
};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{CommandError, CommandResult};
use crate::opening;
use crate::state::AppState;
use crate::worker;

/// A file the user chose and the Rust side wrote.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct WrittenFile {
    pub path: String,
    /// Credential rows in a report; the bundle's number for a bundle.
    pub count: u32,
}

/// Every credential across this workstation, imported bundles and the team database.
#[tauri::command]
#[specta::specta]
pub async fn team_board(app: AppHandle) -> CommandResult<TeamBoard> {
    worker::run(app, |_, keyward| Ok(keyward.team().team_board()?)).await
}

/// Writes a report (HTML, CSV or JSON) to a path picked in the save dialog. `None`
/// when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn export_report(
    app: AppHandle,
    format: ReportFormat,
    scope: ReportScope,
) -> CommandResult<Option<WrittenFile>> {
    let (extension, label) = match format {
        ReportFormat::Html => ("html", "HTML report"),
        ReportFormat::Csv => ("csv", "CSV"),
        ReportFormat::Json => ("json", "JSON"),
    };
    let suggested = format!("keyward-report.{extension}");
    let Some(path) = pick_save_path(&app, label, extension, &suggested).await? else {
        return Ok(None);
    };
    worker::run(app, move |_, keyward| {
        write_report(keyward, format, scope, path)
    })
    .await
    .map(Some)
}

/// Writes the HTML report to a picked path and opens it in the default browser.
///
/// Why the default browser and through the opener plugin from Rust: the report is one
/// self-contained file with inline SVG and no script, meant to be printed and passed
/// on, and a browser renders and prints it better than an in-app view could; showing
/// it inside the app would need a second webview with its own CSP and nothing gained.
/// The opener plugin's Rust function is called on the one path this command just wrote,
/// and only when it is named `.html`/`.htm` (`opening::REPORT_TYPES`); the plugin is not
/// registered, so the window has no opener permission at all and cannot open arbitrary
/// paths or URLs.
#[tauri::command]
#[specta::specta]
pub async fn open_html_report(
    app: AppHandle,
    scope: ReportScope,
) -> CommandResult<Option<WrittenFile>> {
    let Some(path) = pick_save_path(&app, "HTML report", "html", "keyward-report.html").await?
    else {
        return Ok(None);
    };
    // The dialog's filter does not stop a typed name such as `report.hta`, which the
    // default app would run rather than display: only an HTML name is written and opened.
    if let Err(problem) = opening::document_type(&path, opening::REPORT_TYPES) {
        return Err(CommandError {
            code: keyward::ErrorCode::InvalidInput,
            message: format!(
                "{}: the report opens in the browser only as .html or .htm ({problem}); nothing was written",
                path.display()
            ),
        });
    }
    let written = worker::run(app.clone(), move |_, keyward| {
        write_report(keyward, ReportFormat::Html, scope, path)
    })
    .await?;
    tauri_plugin_opener::open_path(&written.path, None::<&str>).map_err(|error| CommandError {
        code: keyward::ErrorCode::Environment,
        message: format!(
            "wrote {}, but no browser could open it: {error}",
            written.path
        ),
    })?;
    Ok(Some(written))
}

/// Writes this workstation's signed bundle to a picked path.
#[tauri::command]
#[specta::specta]
pub async fn export_bundle(app: AppHandle) -> CommandResult<Option<WrittenFile>> {
    let Some(path) = pick_save_path(&app, "Keyward bundle", "json", "keyward-bundle.json").await?
    else {
        return Ok(None);
    };
    worker::run(app, move |_, keyward| {
        let sequence = keyward.review().export_bundle(&path)?;
        Ok(WrittenFile {
            path: path.display().to_string(),
            count: sequence as u32,
        })
    })
    .await
    .map(Some)
}

/// Verifies and imports bundles, all or none. Without `trust_new`, a workstation seen
/// for the first time is refused with its key fingerprint, to compare before trusting.
#[tauri::command]
#[specta::specta]
pub async fn import_bundles(
    app: AppHandle,
    paths: Vec<String>,
    trust_new: bool,
) -> CommandResult<Vec<ImportedBundle>> {
    let paths: Vec<PathBuf> = paths
        .iter()
        .map(|path| path.trim())
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .collect();
    worker::run(app, move |_, keyward| {
        Ok(keyward.review().import_bundles(&paths, trust_new)?)
    })
    .await
}

/// The saved team database (never its password).
#[tauri::command(async)]
#[specta::specta]
pub fn team_database(state: State<'_, AppState>) -> CommandResult<Option<TeamDatabaseInfo>> {
    Ok(state.keyward()?.team().team_database()?)
}

/// Connects to the team database and, when it answers, keeps the URL (with the
/// password) in the keychain and pulls the team view.
#[tauri::command]
#[specta::specta]
pub async fn connect_team_database(
    app: AppHandle,
    url: String,
    password: Option<String>,
    ca: Option<String>,
) -> CommandResult<TeamDatabaseInfo> {
    let password = password.map(SecretValue::from_string);
    let ca = ca
        .map(|path| path.trim().to_owned())
        .filter(|path| !path.is_empty())
        .map(PathBuf::from);
    worker::run(app, move |_, keyward| {
        Ok(keyward
            .team()
            .connect_team_database(&url, password, ca.as_deref())?)
    })
    .await
}

#[tauri::command(async)]
#[specta::specta]
pub fn disconnect_team_database(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.keyward()?.team().disconnect_team_database()?)
}

/// Pushes this workstation to the team database and pulls the team view.
#[tauri::command]
#[specta::specta]
pub async fn sync_team_database(app: AppHandle) -> CommandResult<SyncOutcome> {
    worker::run(app, |_, keyward| {
        Ok(keyward.team().sync_saved_team_database()?)
    })
    .await
}

#[tauri::command(async)]
#[specta::specta]
pub fn review_decisions(state: State<'_, AppState>) -> CommandResult<Vec<ReviewDecision>> {
    Ok(state.keyward()?.review_decisions()?)
}

/// Records a decision (`keep`, `rotate`, `revoke`) on a credential or integration.
#[tauri::command(async)]
#[specta::specta]
pub fn record_review(
    state: State<'_, AppState>,
    subject_kind: String,
    subject: String,
    decision: String,
    note: Option<String>,
) -> CommandResult<ReviewDecision> {
    let note = note.filter(|text| !text.trim().is_empty());
    Ok(state
        .keyward()?
        .review()
        .record_review(&subject_kind, &subject, &decision, note)?)
}

fn write_report(
    keyward: &mut Keyward,
    format: ReportFormat,
    scope: ReportScope,
    path: PathBuf,
) -> CommandResult<WrittenFile> {
    let rows = keyward.review().write_report(format, scope, &path)?;
    Ok(WrittenFile {
        path: path.display().to_string(),
        count: rows as u32,
    })
}

/// Asks the user where to save, in the native dialog opened from the Rust side.
async fn pick_save_path(
    app: &AppHandle,
    label: &str,
    extension: &str,
    suggested: &str,
) -> CommandResult<Option<PathBuf>> {
    let dialog = app
        .dialog()
        .file()
        .add_filter(label, &[extension])
        .set_file_name(suggested);
    let picked = worker::blocking(move || Ok(dialog.blocking_save_file())).await?;
    picked
        .map(|path| {
            path.into_path()
                .map_err(|error| CommandError::internal(format!("not a local file: {error}")))
        })
        .transpose()
}
