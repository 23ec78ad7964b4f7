//! Open scan findings as the desktop app's Leaks screen lists them: each with the
//! severity and fix the staleness policy gives it (so the screen and the dashboard never
//! disagree), a suggested credential name for importing it, and only the redacted match.
//! Also where a finding's file is, checked to lie inside the scanned folder, for the
//! app's "Open file".

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Leaks;
use crate::model::CredentialKind;
use crate::policy::{FixAction, Severity};
use crate::scan::{Confidence, FindingKind, ScanError};
use crate::store::findings;
use crate::{Error, Result};

/// One open finding, without its fingerprint: the UI gets the redacted match and where
/// it is, nothing from which the secret could be recovered (DESIGN rule 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FoundSecret {
    pub id: i64,
    pub rule: String,
    pub kind: FindingKind,
    pub provider: Option<String>,
    pub description: String,
    pub root: String,
    /// Relative to `root`, with `/` separators.
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// Set for a finding in git history.
    pub commit: Option<String>,
    pub redacted: String,
    /// The vault credential whose value this is (then the fix is to rotate it).
    pub vault_credential: Option<String>,
    pub severity: Severity,
    /// The policy's fix: rotate a leaked vault credential, import an unmanaged secret,
    /// open the file of one in history.
    pub action: FixAction,
    /// The kind an import would give the credential.
    pub credential_kind: CredentialKind,
    /// How sure the scanner was that this is a secret.
    pub confidence: Confidence,
    /// A free credential name to prefill the import form with.
    pub suggested_name: String,
    pub first_seen: DateTime<Utc>,
}

impl Leaks<'_> {
    /// The open findings, most severe first, then by place.
    pub fn found_secrets(&mut self) -> Result<Vec<FoundSecret>> {
        let warnings = self.review().warnings()?;
        let taken: std::collections::HashSet<String> = self
            .list_credentials()?
            .into_iter()
            .map(|credential| credential.name)
            .collect();
        let mut out = Vec::new();
        for stored in findings::list(self.store.connection(), false)? {
            let Some(warning) = warnings
                .iter()
                .find(|warning| warning.finding_id == Some(stored.id))
            else {
                continue;
            };
            let finding = stored.finding;
            out.push(FoundSecret {
                id: stored.id,
                suggested_name: free_name(&finding.rule, &taken),
                rule: finding.rule,
                kind: finding.kind,
                provider: finding.provider,
                description: finding.description,
                root: finding.root,
                path: finding.path,
                line: finding.line,
                column: finding.column,
                commit: finding.commit.map(|commit| commit.id),
                redacted: finding.redacted,
                vault_credential: finding.vault_credential,
                severity: warning.severity,
                action: warning.action.clone(),
                credential_kind: finding.credential_kind,
                confidence: finding.confidence,
                first_seen: stored.first_seen,
            });
        }
        // Worst first, then by place.
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| (&a.root, &a.path, a.line).cmp(&(&b.root, &b.path, b.line)))
        });
        Ok(out)
    }

    /// The file a working-copy finding is in, as an absolute path that is checked to be
    /// a regular file inside the finding's scanned folder (a stored path that climbs out
    /// with `..` or through a symlink is refused).
    pub fn finding_file(&self, finding_id: i64) -> Result<PathBuf> {
        let stored = findings::by_id(self.store.connection(), finding_id)?;
        let finding = &stored.finding;
        let root = Path::new(&finding.root);
        let joined = root.join(&finding.path);
        let io = |source| ScanError::Io {
            path: joined.clone(),
            source,
        };
        let file = std::fs::canonicalize(&joined).map_err(io)?;
        let root = std::fs::canonicalize(root).map_err(|source| ScanError::Io {
            path: root.to_owned(),
            source,
        })?;
        if !file.starts_with(&root) || !file.is_file() {
            return Err(Error::invalid(
                "finding",
                format!(
                    "{} is not a file inside the scanned folder {}",
                    joined.display(),
                    root.display()
                ),
            ));
        }
        Ok(file)
    }
}

/// `base` (a rule id such as `stripe-secret-key`), or `base-2`, `base-3`, ... whichever
/// no credential has yet.
fn free_name(base: &str, taken: &std::collections::HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken.contains(name))
        .expect("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_name_avoids_existing_credentials() {
        let taken = ["github-pat".to_owned(), "github-pat-2".to_owned()].into();
        assert_eq!(free_name("github-pat", &taken), "github-pat-3");
        assert_eq!(
            free_name("stripe-secret-key", &taken),
            "stripe-secret-key",
            "a free rule id is suggested as is"
        );
    }
}
