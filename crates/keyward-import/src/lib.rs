//! Readers that turn files users already have (`.env`, Postman environments, CSV
//! exports of password managers) into credentials to create.
//!
//! Readers only parse; the service creates the credentials in one transaction, so a bad
//! line anywhere means nothing is imported.

pub mod certificate;
mod classify;
mod csv_file;
mod dotenv;
mod postman;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use classify::{guess_kind, guess_provider, looks_secret};
pub use dotenv::parse_dotenv;

use keyward_model::fs::{MAX_INPUT_FILE_SIZE, ReadError, read_regular_file};
use keyward_model::{CredentialKind, SecretValue};

#[derive(Debug, Error)]
pub enum ImportError {
    /// Missing, unreadable, not a regular file (a FIFO, a device) or over
    /// [`MAX_INPUT_FILE_SIZE`]: refused before anything is parsed or written.
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable { path: PathBuf, source: ReadError },

    /// A problem at one line (1-based) of the file.
    #[error("{}:{line}: {reason}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        reason: String,
    },

    /// The file is valid but not the kind of file this reader takes.
    #[error("{}: {reason}", path.display())]
    WrongFormat { path: PathBuf, reason: String },
}

/// The file formats Keyward imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Dotenv,
    Postman,
    Csv,
}

/// One entry found in a file.
pub struct ImportItem {
    pub name: String,
    /// Kind, provider and hosts: from the file where it says, else guessed.
    pub kind: CredentialKind,
    pub provider: Option<String>,
    pub integration: Option<String>,
    pub hosts: Vec<String>,
    pub rotate_every_days: Option<u32>,
    pub notes: Option<String>,
    pub line: usize,
    pub value: SecretValue,
    /// Why it would not be imported by default (not secret-looking, disabled, empty).
    pub skip: Option<String>,
}

/// What a file holds, before anything is written.
pub struct ImportPlan {
    pub path: PathBuf,
    pub format: ImportFormat,
    pub items: Vec<ImportItem>,
}

/// An entry as the preview shows it: everything but the value, which appears redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportPreviewItem {
    pub name: String,
    pub kind: CredentialKind,
    pub provider: Option<String>,
    pub line: u32,
    pub redacted: String,
    pub skip: Option<String>,
}

impl ImportPlan {
    pub fn preview(&self) -> Vec<ImportPreviewItem> {
        self.items
            .iter()
            .map(|item| ImportPreviewItem {
                name: item.name.clone(),
                kind: item.kind,
                provider: item.provider.clone(),
                line: item.line as u32,
                redacted: item.value.redacted(),
                skip: item.skip.clone(),
            })
            .collect()
    }
}

/// Reads `path` as `format`: a regular file of at most [`MAX_INPUT_FILE_SIZE`] bytes, so
/// `/dev/zero`, a FIFO or a huge file is refused with an error instead of filling memory
/// or blocking.
pub fn read_plan(format: ImportFormat, path: &Path) -> Result<ImportPlan, ImportError> {
    let bytes = zeroize::Zeroizing::new(read_input(path)?);
    let text = std::str::from_utf8(&bytes).map_err(|error| ImportError::WrongFormat {
        path: path.to_owned(),
        reason: format!(
            "not UTF-8 text (invalid byte at offset {})",
            error.valid_up_to()
        ),
    })?;
    Ok(ImportPlan {
        path: path.to_owned(),
        format,
        items: parse_items(format, path, text)?,
    })
}

/// The entries of `text` read as `format` (`path` only names the file in errors): what
/// [`read_plan`] does once the file is read. Public so the readers can be fuzzed.
pub fn parse_items(
    format: ImportFormat,
    path: &Path,
    text: &str,
) -> Result<Vec<ImportItem>, ImportError> {
    match format {
        ImportFormat::Dotenv => dotenv::items(path, text),
        ImportFormat::Postman => postman::items(path, text),
        ImportFormat::Csv => csv_file::items(path, text),
    }
}

/// The bytes of a file a user gave to import (a `.env`, an export, a certificate or its
/// key), bounded as [`read_plan`] describes.
pub fn read_input(path: &Path) -> Result<Vec<u8>, ImportError> {
    read_regular_file(path, MAX_INPUT_FILE_SIZE).map_err(|source| ImportError::Unreadable {
        path: path.to_owned(),
        source,
    })
}

fn line_error(path: &Path, line: usize, reason: impl Into<String>) -> ImportError {
    ImportError::Line {
        path: path.to_owned(),
        line,
        reason: reason.into(),
    }
}
