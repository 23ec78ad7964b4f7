//! Leak scanning as a use case: read the vault's values into the matcher, scan, store
//! the findings, audit the scan once; and import a found secret into the vault.
//!
//! Vault values are read with the internal, non-auditing read and the whole scan is
//! recorded as ONE `scan` audit entry that names how many values were read and which
//! credentials leaked, rather than one `credential.use` entry per credential per scan:
//! a scheduled scan of a large vault would otherwise bury every other entry.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{Keyward, Leaks};
use crate::audit::{self, AuditAction};
use crate::model::fs::read_regular_file;
use crate::model::{Credential, CredentialKind, NewCredential, SecretValue};
use crate::scan::{
    Candidate, FindingKind, REPOSITORY_MAX_FILE_SIZE, ScanConfig, ScanError, ScanOptions,
    ScanProgress, ScanReport, Scanner, VaultMatcher, VaultValue,
};
use crate::store::credentials as credential_rows;
use crate::store::findings::{self, FindingScope, StoredFinding};
use crate::{Error, Result};

/// What part of the roots to scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ScanMode {
    /// The files as they are on disk (gitignore-aware).
    #[default]
    Files,
    /// Every commit's added lines.
    GitHistory,
    /// What is staged for the next commit (pre-commit hooks); not stored.
    Staged,
}

/// A scan to run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanRequest {
    pub roots: Vec<PathBuf>,
    pub mode: ScanMode,
    pub options: ScanOptions,
}

impl Leaks<'_> {
    /// Scans `request.roots` for vault values and provider secrets, stores the findings
    /// (except for staged scans) and writes one audit entry. `config` defaults to the first
    /// root's `.keyward.toml`.
    pub fn scan(
        &mut self,
        request: &ScanRequest,
        config: Option<ScanConfig>,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) -> Result<ScanReport> {
        if request.roots.is_empty() {
            return Err(Error::invalid(
                "roots",
                "name at least one file or directory to scan",
            ));
        }
        // Canonical roots, so findings of `.` and of `/home/me/app` are the same findings.
        let mut request = request.clone();
        for root in &mut request.roots {
            *root = std::fs::canonicalize(&*root).map_err(|source| ScanError::Io {
                path: root.clone(),
                source,
            })?;
        }
        let request = &request;
        let config = match config {
            Some(config) => config,
            None => ScanConfig::for_root(&request.roots[0])?,
        };
        let (matcher, read) = self.vault_matcher()?;
        let scanner = Scanner::new(config, Some(matcher))?;
        // Findings the user accepted in this home are left out like baselined ones.
        let outcome = run(&scanner, request, progress).and_then(|mut report| {
            report.baselined += self.drop_accepted(&mut report.findings)?;
            Ok(report)
        });
        let roots: Vec<String> = request.roots.iter().map(|root| root_key(root)).collect();
        let mode = request.mode;
        self.write(|connection, at, actor| {
            let mut detail =
                serde_json::json!({ "mode": mode, "roots": roots, "vault_values_read": read });
            match &outcome {
                Ok(report) => {
                    let mut leaked: Vec<&str> = report
                        .findings
                        .iter()
                        .filter_map(|finding| finding.vault_credential.as_deref())
                        .collect();
                    leaked.sort();
                    leaked.dedup();
                    detail["findings"] = serde_json::json!(report.findings.len());
                    detail["leaked"] = serde_json::json!(leaked);
                    if mode != ScanMode::Staged {
                        let scope = if mode == ScanMode::GitHistory {
                            FindingScope::History
                        } else {
                            FindingScope::WorkingCopy
                        };
                        for root in distinct_roots(report, &roots) {
                            let of_root: Vec<_> = report
                                .findings
                                .iter()
                                .filter(|finding| finding.root == root)
                                .cloned()
                                .collect();
                            findings::record_scan(connection, &root, scope, &of_root, at)?;
                        }
                    }
                }
                Err(error) => detail["error"] = serde_json::json!(error.to_string()),
            }
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Scan,
                &roots.join(", "),
                detail,
            )?;
            Ok(((), row))
        })?;
        outcome
    }

    /// Stored findings; open ones only unless `include_resolved`.
    pub fn findings(&self, include_resolved: bool) -> Result<Vec<StoredFinding>> {
        Ok(findings::list(self.store.connection(), include_resolved)?)
    }

    /// Imports the secret behind a stored working-copy finding as a new credential: the
    /// file is read again and the secret with the finding's fingerprint is taken from it,
    /// so the secret never had to be stored anywhere in between.
    pub fn import_found_secret(
        &mut self,
        finding_id: i64,
        name: &str,
        kind: Option<CredentialKind>,
    ) -> Result<Credential> {
        let stored = findings::by_id(self.store.connection(), finding_id)?;
        let finding = &stored.finding;
        if finding.kind == FindingKind::Leak {
            return Err(Error::invalid(
                "finding",
                format!(
                    "finding {finding_id} is already the vault credential `{}`",
                    finding.vault_credential.as_deref().unwrap_or("?")
                ),
            ));
        }
        if finding.commit.is_some() {
            return Err(Error::invalid(
                "finding",
                format!("finding {finding_id} is in git history; import it from a working copy"),
            ));
        }
        let path = Path::new(&finding.root).join(&finding.path);
        // The file is in a scanned tree, so it is read as the scanner reads: a regular
        // file, bounded (it may have been swapped for a FIFO or grown since the scan).
        let data = read_regular_file(&path, REPOSITORY_MAX_FILE_SIZE).map_err(|source| {
            ScanError::Unreadable {
                path: path.clone(),
                source,
            }
        })?;
        let scanner = Scanner::new(ScanConfig::default(), None)?;
        let candidates = scanner.detector.detect(&data);
        let secret = candidates
            .iter()
            .filter(|candidate| candidate_rule(&scanner, candidate) == Some(finding.rule.as_str()))
            .map(|candidate| &data[candidate.start..candidate.end])
            // Constant-time: the fingerprint stands for a secret value.
            .find(|secret| {
                crate::scan::finding_fingerprint(&finding.rule, secret)
                    .as_bytes()
                    .ct_eq(finding.fingerprint.as_bytes())
                    .into()
            })
            .ok_or_else(|| {
                Error::invalid(
                    "finding",
                    format!("the secret is no longer in {}", path.display()),
                )
            })?;
        let value = SecretValue::new(secret.to_vec());
        let new = NewCredential {
            name: name.to_owned(),
            kind: Some(kind.unwrap_or(finding.credential_kind)),
            // The catalogue's id, as every other import stores it; formats (a PEM key,
            // a generic assignment) name no provider.
            provider: finding
                .provider
                .as_deref()
                .and_then(|name| crate::scan::catalogue::catalogue().by_name(name))
                .filter(|provider| !provider.format)
                .map(|provider| provider.id.clone()),
            notes: Some(format!(
                "imported from {}:{} (rule {})",
                finding.path, finding.line, finding.rule
            )),
            ..Default::default()
        };
        let created = self.credentials().add_credential(new, value)?;
        let now = self.now();
        findings::resolve(self.store.connection(), finding_id, now)?;
        Ok(created)
    }
}

impl Keyward {
    /// The vault's values as a matcher, and how many were read.
    pub(crate) fn vault_matcher(&self) -> Result<(VaultMatcher, usize)> {
        let mut values = Vec::new();
        for stored in credential_rows::list(self.store.connection())? {
            let value = self.read_value(&stored)?;
            values.push(VaultValue {
                credential: stored.credential.name,
                value,
            });
        }
        let read = values.len();
        Ok((VaultMatcher::new(values), read))
    }
}

fn candidate_rule<'a>(scanner: &'a Scanner, candidate: &Candidate) -> Option<&'a str> {
    candidate
        .rule
        .map(|index| scanner.rules().rules[index].id())
}

fn run(
    scanner: &Scanner,
    request: &ScanRequest,
    progress: &(dyn Fn(ScanProgress) + Sync),
) -> Result<ScanReport> {
    match request.mode {
        ScanMode::Files => Ok(scanner.scan_paths(&request.roots, &request.options, progress)?),
        ScanMode::GitHistory | ScanMode::Staged => {
            let mut total = ScanReport::default();
            for root in &request.roots {
                let report = if request.mode == ScanMode::GitHistory {
                    scanner.scan_git_history(root, &request.options, progress)?
                } else {
                    scanner.scan_staged(root, &request.options)?
                };
                total.merge(report);
            }
            Ok(total)
        }
    }
}

fn root_key(root: &Path) -> String {
    std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_owned())
        .display()
        .to_string()
}

/// The roots findings were recorded under (a file root records under its directory).
fn distinct_roots(report: &ScanReport, roots: &[String]) -> Vec<String> {
    let mut out: Vec<String> = report
        .findings
        .iter()
        .map(|finding| finding.root.clone())
        .collect();
    out.extend(
        roots
            .iter()
            .filter(|root| Path::new(root).is_dir())
            .cloned(),
    );
    out.sort();
    out.dedup();
    out
}
