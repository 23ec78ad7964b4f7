//! Import commands. Reading and creating run on a blocking worker thread so the window
//! stays responsive; the UI follows along through `import-progress` events.

use std::path::PathBuf;

use keyward::import::{ImportFormat, ImportPreviewItem};
use keyward::model::{Credential, NewCredential, SecretValue};
use keyward::{CertificateImport, ImportOptions, ImportOutcome};
use serde::Deserialize;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::error::CommandResult;
use crate::events::{ImportProgress, ImportStage};
use crate::state::AppState;
use crate::worker;

/// A certificate to import: a PEM file (with the key inside or in `key_path`) or a
/// PKCS#12 file when `password` is given.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct CertificateRequest {
    pub path: String,
    pub key_path: Option<String>,
    pub password: Option<String>,
    pub credential: NewCredential,
}

/// What importing the file would create and skip; values appear redacted.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    app: AppHandle,
    format: ImportFormat,
    path: String,
) -> CommandResult<Vec<ImportPreviewItem>> {
    worker::blocking(move || {
        let state = app.state::<AppState>();
        let mut keyward = state.keyward()?;
        Ok(keyward
            .credentials()
            .preview_import(format, &PathBuf::from(path))?)
    })
    .await
}

/// Imports a file in one all-or-nothing transaction.
#[tauri::command]
#[specta::specta]
pub async fn import_file(
    app: AppHandle,
    format: ImportFormat,
    path: String,
    options: ImportOptions,
) -> CommandResult<ImportOutcome> {
    worker::blocking(move || {
        let progress = |stage, entries, created, skipped| {
            // A window that closed mid-import misses the event; the import goes on.
            let _ = ImportProgress {
                path: path.clone(),
                stage,
                entries,
                created,
                skipped,
            }
            .emit(&app);
        };
        progress(ImportStage::Reading, 0, 0, 0);
        let state = app.state::<AppState>();
        let file = PathBuf::from(&path);
        let outcome = state.keyward().and_then(|mut keyward| {
            let entries = keyward.credentials().preview_import(format, &file)?.len() as u32;
            progress(ImportStage::Writing, entries, 0, 0);
            Ok(keyward.credentials().import_file(format, &file, &options)?)
        });
        match &outcome {
            Ok(done) => progress(
                ImportStage::Done,
                (done.created.len() + done.skipped.len()) as u32,
                done.created.len() as u32,
                done.skipped.len() as u32,
            ),
            Err(_) => progress(ImportStage::Failed, 0, 0, 0),
        }
        outcome
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_certificate(
    app: AppHandle,
    request: CertificateRequest,
) -> CommandResult<Credential> {
    worker::blocking(move || {
        let state = app.state::<AppState>();
        let mut keyward = state.keyward()?;
        Ok(keyward
            .credentials()
            .import_certificate(CertificateImport {
                path: request.path.into(),
                key_path: request
                    .key_path
                    .filter(|path| !path.is_empty())
                    .map(PathBuf::from),
                password: request
                    .password
                    .filter(|text| !text.is_empty())
                    .map(SecretValue::from_string),
                credential: request.credential,
            })?)
    })
    .await
}
