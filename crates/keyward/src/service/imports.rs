//! Importing files and certificates: the readers parse, this creates the credentials in
//! one all-or-nothing batch.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::credentials::PendingCredential;
use super::{Credentials, validate};
use crate::audit::AuditAction;
use crate::certificate::{self, CertificateError};
use crate::import::{self, ImportFormat, ImportPreviewItem};
use crate::model::fs::{MAX_INPUT_FILE_SIZE, read_regular_file};
use crate::model::{Credential, CredentialKind, NewCredential, SecretValue};
use crate::{Error, Result};

/// Choices the user makes about an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOptions {
    /// Import entries that do not look like secrets too.
    pub include_all: bool,
    /// Import only these names (empty: every eligible entry).
    pub only: Vec<String>,
    /// Attach the created credentials to this integration.
    pub integration: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SkippedEntry {
    pub name: String,
    pub line: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    pub created: Vec<Credential>,
    pub skipped: Vec<SkippedEntry>,
}

/// A certificate to import.
pub struct CertificateImport {
    pub path: PathBuf,
    pub key_path: Option<PathBuf>,
    /// The PKCS#12 password; `None` reads the file as PEM.
    pub password: Option<SecretValue>,
    pub credential: NewCredential,
}

impl Credentials<'_> {
    /// What importing `path` would create and skip, with values redacted. An entry whose
    /// name breaks the naming rule says so in `skip`, with a safe name to use instead,
    /// since importing it would be refused (the readers keep names as the file has them).
    pub fn preview_import(
        &self,
        format: ImportFormat,
        path: &Path,
    ) -> Result<Vec<ImportPreviewItem>> {
        let mut preview = import::read_plan(format, path)?.preview();
        for item in &mut preview {
            if let Err(error) = validate::name("credential name", &item.name) {
                item.skip = Some(error.to_string());
            }
        }
        Ok(preview)
    }

    /// Imports `path`. One bad entry aborts the whole import with `file:line: reason`;
    /// that includes a selected entry whose name breaks the naming rule (checked with the
    /// rest of each credential in `create_credentials`), so nothing is half imported.
    pub fn import_file(
        &mut self,
        format: ImportFormat,
        path: &Path,
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let plan = import::read_plan(format, path)?;
        for wanted in &options.only {
            if !plan.items.iter().any(|item| &item.name == wanted) {
                return Err(Error::invalid(
                    "--only",
                    format!("`{wanted}` is not in {}", path.display()),
                ));
            }
        }
        let mut pending = Vec::new();
        let mut skipped = Vec::new();
        for item in plan.items {
            let chosen = options.only.is_empty() || options.only.contains(&item.name);
            let reason = if !chosen {
                Some("not selected".to_owned())
            } else if item.value.is_empty() {
                Some("empty value".to_owned())
            } else if !options.include_all && options.only.is_empty() {
                item.skip.clone()
            } else {
                None
            };
            if let Some(reason) = reason {
                skipped.push(SkippedEntry {
                    name: item.name,
                    line: item.line as u32,
                    reason,
                });
                continue;
            }
            pending.push(PendingCredential {
                origin: Some(format!("{}:{}", path.display(), item.line)),
                new: NewCredential {
                    name: item.name,
                    kind: Some(item.kind),
                    provider: item.provider,
                    integration: options.integration.clone().or(item.integration),
                    rotate_every_days: item.rotate_every_days,
                    allowed_hosts: item.hosts,
                    notes: item.notes,
                    ..Default::default()
                },
                value: item.value,
                certificate: None,
            });
        }
        let created = if pending.is_empty() {
            Vec::new()
        } else {
            let source = path.display().to_string();
            self.create_credentials(pending, AuditAction::Import, Some(&source))?
        };
        Ok(ImportOutcome { created, skipped })
    }

    /// Imports a client certificate with its private key (PEM, or PKCS#12 when a
    /// password is given) as a `client-cert` credential.
    pub fn import_certificate(&mut self, request: CertificateImport) -> Result<Credential> {
        // Bounded like every import: a FIFO, a device or a huge file is refused by name.
        let read = |path: &Path| {
            read_regular_file(path, MAX_INPUT_FILE_SIZE).map_err(|error| {
                CertificateError::Invalid {
                    path: path.to_owned(),
                    reason: format!("cannot read: {error}"),
                }
            })
        };
        let data = zeroize::Zeroizing::new(read(&request.path)?);
        let bundle = match &request.password {
            Some(password) => {
                let password = password
                    .expose_str()
                    .ok_or_else(|| Error::invalid("password", "is not UTF-8 text"))?;
                certificate::read_pkcs12(&request.path, &data, password)?
            }
            None => {
                let key = match &request.key_path {
                    Some(path) => Some((path.as_path(), zeroize::Zeroizing::new(read(path)?))),
                    None => None,
                };
                certificate::read_pem(
                    &request.path,
                    &data,
                    key.as_ref().map(|(path, bytes)| (*path, bytes.as_slice())),
                )?
            }
        };
        let mut credential = request.credential;
        credential.kind = Some(CredentialKind::ClientCert);
        let pending = PendingCredential {
            new: credential,
            value: bundle.pem,
            certificate: Some(bundle.info),
            origin: None,
        };
        let source = request.path.display().to_string();
        let mut created =
            self.create_credentials(vec![pending], AuditAction::Import, Some(&source))?;
        Ok(created.remove(0))
    }
}
