//! Leak-scan commands: the scan folders and schedule, "Scan now" as background work
//! with progress events, the open findings (redacted), importing a found secret,
//! accepting a finding, and opening a finding's file.
//!
//! A scan walks whole folders, so it runs on a blocking thread with its own `Keyward`
//! handle (`AppState::worker`): the window's other commands are never queued behind it.
//! The schedule in lib.rs runs the same [`run_scan`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use keyward::model::{Credential, CredentialKind};
use keyward::{FoundSecret, Keyward, RootsScanOutcome, RootsScanProgress, ScanSettings};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_specta::Event;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Progress events are sent at most this often: a fast walk reports thousands of files
/// a second, more than the window needs to redraw.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Where a running scan is, emitted as the event `scan-progress`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct ScanProgress {
    pub progress: RootsScanProgress,
}

/// A scan ended, emitted as the event `scan-finished`: its outcome, or why it failed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct ScanFinished {
    pub outcome: Option<RootsScanOutcome>,
    pub error: Option<String>,
    /// Whether the schedule started it (rather than "Scan now").
    pub scheduled: bool,
}

/// The warnings may have changed (a scan finished): an open dashboard reloads. Emitted
/// as the event `warnings-changed`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct WarningsChanged {
    pub open_warnings: u32,
}

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

/// Whether a scan is running, so the button and the schedule never overlap.
#[derive(Default)]
pub struct ScanJob(AtomicBool);

impl ScanJob {
    fn running(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Marks a scan as running, unless one is; the mark goes when the guard drops, also
    /// if the scan panics.
    fn start(&self) -> Option<RunningScan<'_>> {
        (!self.0.swap(true, Ordering::SeqCst)).then_some(RunningScan(self))
    }
}

struct RunningScan<'a>(&'a ScanJob);

impl Drop for RunningScan<'_> {
    fn drop(&mut self) {
        self.0.0.store(false, Ordering::SeqCst);
    }
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_scan_settings(
    state: State<'_, AppState>,
    job: State<'_, ScanJob>,
) -> CommandResult<ScanOverview> {
    overview(&*state.keyward()?, &job)
}

#[tauri::command(async)]
#[specta::specta]
pub fn set_scan_settings(
    state: State<'_, AppState>,
    job: State<'_, ScanJob>,
    settings: ScanSettings,
) -> CommandResult<ScanOverview> {
    let mut keyward = state.keyward()?;
    keyward.set_scan_settings(&settings)?;
    overview(&keyward, &job)
}

fn overview(keyward: &Keyward, job: &ScanJob) -> CommandResult<ScanOverview> {
    Ok(ScanOverview {
        settings: keyward.scan_settings()?,
        last_scan_at: keyward.last_roots_scan()?,
        next_scan_at: keyward.next_scheduled_scan()?,
        running: job.running(),
    })
}

/// Scans every scan folder now. Returns when the scan ends; `scan-progress` events
/// report on the way and `scan-finished` follows, so a window that navigated away and
/// back still learns the end.
#[tauri::command]
#[specta::specta]
pub async fn scan_now(app: AppHandle) -> CommandResult<RootsScanOutcome> {
    tauri::async_runtime::spawn_blocking(move || run_scan(&app, false))
        .await
        .map_err(|error| CommandError::internal(format!("the scan worker stopped: {error}")))?
}

/// Runs one scan of all folders on the calling (blocking) thread, unless one is running,
/// then refreshes the tray, announces new warnings and tells the window.
pub fn run_scan<R: Runtime>(
    app: &AppHandle<R>,
    scheduled: bool,
) -> CommandResult<RootsScanOutcome> {
    let job = app.state::<ScanJob>();
    let Some(_running) = job.start() else {
        return Err(CommandError {
            code: keyward::ErrorCode::InvalidInput,
            message: "a scan is already running".into(),
        });
    };
    // (when the last event went out, which folder it was about)
    let last_sent = Mutex::new((None::<Instant>, 0));
    let progress = |progress: RootsScanProgress| {
        let mut last = last_sent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let new_root = progress.root_index != last.1;
        if new_root || last.0.is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL) {
            *last = (Some(Instant::now()), progress.root_index);
            let _ = ScanProgress { progress }.emit(app);
        }
    };
    let outcome = app.state::<AppState>().worker().and_then(|mut worker| {
        let outcome = worker.scan_roots(&progress)?;
        after_scan(app, &mut worker);
        Ok(outcome)
    });
    let _ = ScanFinished {
        outcome: outcome.as_ref().ok().cloned(),
        error: outcome.as_ref().err().map(|error| error.message.clone()),
        scheduled,
    }
    .emit(app);
    outcome
}

/// After a scan: the tray shows the open-warnings count, warnings never announced
/// before raise one desktop notification (if the user wants them), and an open
/// dashboard reloads.
pub fn after_scan<R: Runtime>(app: &AppHandle<R>, keyward: &mut Keyward) {
    let Ok(warnings) = keyward.warnings() else {
        return;
    };
    crate::tray::show_warning_count(app, warnings.len());
    let _ = WarningsChanged {
        open_warnings: warnings.len() as u32,
    }
    .emit(app);
    announce_new_warnings(app, keyward, &warnings);
}

/// One notification for the warnings no earlier notification announced.
pub fn announce_new_warnings<R: Runtime>(
    app: &AppHandle<R>,
    keyward: &mut Keyward,
    warnings: &[keyward::policy::Warning],
) {
    let Ok(fresh) = keyward.unannounced_warnings(warnings) else {
        return;
    };
    let wanted = keyward
        .preferences()
        .is_ok_and(|preferences| preferences.notifications);
    if fresh.is_empty() || !wanted {
        return;
    }
    let body = match fresh.as_slice() {
        [one] => match &one.credential {
            Some(credential) => format!("{credential}: {}", one.message),
            None => one.message.clone(),
        },
        many => format!("{} new warnings need attention", many.len()),
    };
    crate::show_notification(app, &body);
}

/// The open findings, most severe first, with only their redacted match.
#[tauri::command(async)]
#[specta::specta]
pub fn list_found_secrets(state: State<'_, AppState>) -> CommandResult<Vec<FoundSecret>> {
    Ok(state.keyward()?.found_secrets()?)
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
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let mut keyward = state.keyward()?;
        let created = keyward.import_found_secret(finding_id, &name, kind)?;
        refresh_tray(&app, &mut keyward);
        Ok(created)
    })
    .await
    .map_err(|error| CommandError::internal(format!("the import worker stopped: {error}")))?
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
    keyward.accept_finding(finding_id)?;
    refresh_tray(&app, &mut keyward);
    Ok(())
}

/// The tray's count after a finding went away; a failure to count leaves it as it was.
fn refresh_tray<R: Runtime>(app: &AppHandle<R>, keyward: &mut Keyward) {
    if let Ok(warnings) = keyward.warnings() {
        crate::tray::show_warning_count(app, warnings.len());
    }
}

/// Shows the file a finding is in.
///
/// The window names a stored finding by id, never a path: the library resolves the path
/// and checks it is a regular file inside the scanned folder, so a compromised page
/// cannot open arbitrary files. Opening goes through tauri-plugin-opener's Rust
/// functions only (the plugin is not registered, the window is granted none of its
/// permissions, and there is no shell plugin or filesystem scope). A file the default
/// app could execute rather than display (the executable bit, or a launcher type such as
/// `.desktop` or `.exe`) is shown selected in the file manager instead of opened. The
/// default app takes no line number, so the window shows `path:line` next to it.
#[tauri::command]
#[specta::specta]
pub async fn open_finding_file(app: AppHandle, finding_id: i64) -> CommandResult<FileShown> {
    tauri::async_runtime::spawn_blocking(move || {
        let file = app
            .state::<AppState>()
            .keyward()?
            .finding_file(finding_id)?;
        let failed = |error: tauri_plugin_opener::Error| CommandError {
            code: keyward::ErrorCode::Environment,
            message: format!("cannot show {}: {error}", file.display()),
        };
        if could_execute(&file) {
            tauri_plugin_opener::reveal_item_in_dir(&file).map_err(failed)?;
            Ok(FileShown::Revealed)
        } else {
            tauri_plugin_opener::open_path(&file, None::<&str>).map_err(failed)?;
            Ok(FileShown::Opened)
        }
    })
    .await
    .map_err(|error| CommandError::internal(format!("the open worker stopped: {error}")))?
}

/// Whether handing `file` to the desktop's default app might run it.
fn could_execute(file: &std::path::Path) -> bool {
    const LAUNCHERS: &[&str] = &[
        "desktop", "exe", "com", "bat", "cmd", "ps1", "vbs", "msi", "lnk", "url", "scr", "app",
        "command", "jar", "appimage", "sh", "run",
    ];
    let launcher = file
        .extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| LAUNCHERS.contains(&extension.to_ascii_lowercase().as_str()));
    #[cfg(unix)]
    let executable = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(file).is_ok_and(|metadata| metadata.permissions().mode() & 0o111 != 0)
    };
    #[cfg(not(unix))]
    let executable = false;
    launcher || executable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_could_run_are_revealed_not_opened() {
        let folder = tempfile::tempdir().unwrap();
        let text = folder.path().join("config.env");
        std::fs::write(&text, "A=b\n").unwrap();
        assert!(
            !could_execute(&text),
            "a plain config file opens in its app"
        );
        let launcher = folder.path().join("start.desktop");
        std::fs::write(&launcher, "[Desktop Entry]\n").unwrap();
        assert!(could_execute(&launcher), "a launcher must never be opened");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = folder.path().join("deploy");
            std::fs::write(&script, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert!(
                could_execute(&script),
                "an executable file must never be opened"
            );
        }
    }
}
