//! Leak scanning as a use case: read the vault's values into the matcher, scan, store
//! the findings, audit the scan once; and import a found secret into the vault.
//!
//! Vault values are read with the internal, non-auditing read and the whole scan is
//! recorded as ONE `scan` audit entry that names how many values were read and which
//! credentials leaked, rather than one `credential.use` entry per credential per scan:
//! a scheduled scan of a large vault would otherwise bury every other entry.
//!
//! Findings are fingerprinted under a key from the keychain (DESIGN.md, "Scan output"):
//! derived from the team key when one is set, else from the home's own random
//! `scan-fingerprint-key`. What the home stored under another key — the unkeyed
//! fingerprints of Keyward before v2, the home's own key before a team key was set, a
//! replaced team key — is carried over when a scan sees the same secret again: the
//! scanner also computes the finding's fingerprints under those keys, and the scan's
//! transaction moves stored findings, accepted findings and announced warnings to the
//! current one. Unkeyed fingerprints are wrapped under the home's key at the first scan
//! after the upgrade, whether or not their secret is seen again, so none stays in the
//! database to confirm a guess.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{Keyward, Leaks};
use crate::audit::{self, AuditAction};
use crate::model::fs::read_regular_file;
use crate::model::random::random_bytes;
use crate::model::{Credential, CredentialKind, NewCredential, SecretValue};
use crate::scan::{
    Candidate, FindingKind, FingerprintKey, REPOSITORY_MAX_FILE_SIZE, ScanConfig, ScanError,
    ScanOptions, ScanProgress, ScanReport, Scanner, VaultMatcher, VaultValue,
    is_legacy_fingerprint, legacy_fingerprint,
};
use crate::store::credentials as credential_rows;
use crate::store::findings::{self, FindingScope, StoredFinding};
use crate::vault::Slot;
use crate::{Error, Result};

/// How many keys of replaced team keys are kept for recognising stored findings.
const FORMER_SCAN_KEYS: usize = 4;

/// The leak findings the user accepted (by fingerprint), which later scans leave out.
/// Sealed like the rows that decide where a secret goes: see `settings::PROTECTED`.
pub(super) const SCAN_ACCEPTED: &str = "scan.accepted";
/// The warnings a notification has already announced, so each is announced once.
pub(super) const NOTIFIED_WARNINGS: &str = "notifications.notified_warning_ids";

/// The home's own scan fingerprint key: 32 random bytes, created at the first scan.
fn home_scan_key_slot() -> Slot {
    Slot::Other("scan-fingerprint-key".into())
}

/// The derived scan keys of replaced team keys, newest first, 32 bytes each.
fn former_scan_keys_slot() -> Slot {
    Slot::Other("scan-fingerprint-key/former".into())
}

/// The keys this home's scan fingerprints are (and were) made with.
pub(crate) struct ScanKeys {
    /// What findings are fingerprinted with now: derived from the team key when one is
    /// set, else from the home's own key.
    pub current: FingerprintKey,
    /// Keys earlier fingerprints of this home may be under: the home's own when a team
    /// key is set, and those of replaced team keys.
    pub former: Vec<FingerprintKey>,
    /// Derived from the home's own key; unkeyed pre-v2 fingerprints are wrapped under it.
    pub home: FingerprintKey,
}

impl ScanKeys {
    /// Whether `fingerprint`, stored with a finding of `rule`, is the fingerprint of
    /// `secret` under any key this home used (or the pre-v2 unkeyed one, or its wrapped
    /// form). Constant-time: the fingerprint stands for a secret value.
    pub fn identify(&self, rule: &str, secret: &[u8], fingerprint: &str) -> bool {
        let legacy = legacy_fingerprint(rule, secret);
        let mut candidates = vec![
            self.current.fingerprint(rule, secret),
            self.home.wrap_legacy(&legacy),
            legacy,
        ];
        candidates.extend(self.former.iter().map(|key| key.fingerprint(rule, secret)));
        candidates.iter().fold(false, |found, candidate| {
            found | bool::from(candidate.as_bytes().ct_eq(fingerprint.as_bytes()))
        })
    }
}

/// How stored fingerprints move to the current key after one scan: an unkeyed one is
/// wrapped under the home's key, and a former one whose secret the scan saw becomes the
/// current fingerprint.
pub(crate) struct Rekey<'a> {
    /// Former fingerprint (or wrapped unkeyed one) -> current fingerprint.
    moves: HashMap<&'a str, &'a str>,
    home: &'a FingerprintKey,
}

impl<'a> Rekey<'a> {
    pub(crate) fn new(
        former_fingerprints: &'a BTreeMap<String, Vec<String>>,
        home: &'a FingerprintKey,
    ) -> Self {
        let mut moves = HashMap::new();
        for (current, former) in former_fingerprints {
            for fingerprint in former {
                moves.insert(fingerprint.as_str(), current.as_str());
            }
        }
        Self { moves, home }
    }

    /// What a stored fingerprint becomes; `None` when it stays as it is.
    pub fn apply(&self, stored: &str) -> Option<String> {
        let wrapped = is_legacy_fingerprint(stored).then(|| self.home.wrap_legacy(stored));
        let key = wrapped.as_deref().unwrap_or(stored);
        match self.moves.get(key) {
            Some(current) => Some((*current).to_owned()),
            None => wrapped,
        }
    }
}

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
    /// Every object in the repository's store: the added lines of every commit, reachable
    /// or not (pull-request refs, dangling commits), and blobs no commit brought in.
    GitObjects,
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
        let keys = self.scan_keys()?;
        let scanner = Scanner::new(config, Some(matcher))?
            .with_fingerprint_key(Some(keys.current.clone()))
            .with_former_fingerprint_keys(keys.former.clone(), Some(keys.home.clone()));
        let mut outcome = run(&scanner, request, progress);
        // Findings the user accepted in this home are left out like baselined ones.
        let mut accepted_list = None;
        if let Ok(report) = &mut outcome {
            let rekey = Rekey::new(&report.former_fingerprints, &keys.home);
            let (dropped, rewritten) = self.drop_accepted(&mut report.findings, &rekey)?;
            report.baselined += dropped;
            accepted_list = rewritten;
        }
        let no_moves = BTreeMap::new();
        let former_fingerprints = match &outcome {
            Ok(report) => &report.former_fingerprints,
            Err(_) => &no_moves,
        };
        let rekey = Rekey::new(former_fingerprints, &keys.home);
        let notified_list = self.rekeyed_notified_warnings(&rekey)?;
        let roots: Vec<String> = request.roots.iter().map(|root| root_key(root)).collect();
        let mode = request.mode;
        self.write(|connection, at, actor| {
            let mut detail =
                serde_json::json!({ "mode": mode, "roots": roots, "vault_values_read": read });
            // Stored findings move to the current key before this scan's are recorded,
            // so a known finding keeps its id, first sighting and state.
            let mut rekeyed = 0;
            for stored in findings::fingerprints(connection)? {
                if let Some(current) = rekey.apply(&stored) {
                    rekeyed += findings::rekey(connection, &stored, &current)?;
                }
            }
            if let Some(text) = &accepted_list {
                crate::store::settings::set(connection, SCAN_ACCEPTED, text)?;
            }
            if let Some(text) = &notified_list {
                crate::store::settings::set(connection, NOTIFIED_WARNINGS, text)?;
            }
            if rekeyed > 0 {
                detail["findings_rekeyed"] = serde_json::json!(rekeyed);
            }
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
                        let scope = if matches!(mode, ScanMode::GitHistory | ScanMode::GitObjects) {
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
        let keys = self.scan_keys()?;
        let candidates = scanner.detector.detect(&data);
        let secret = candidates
            .iter()
            .filter(|candidate| candidate_rule(&scanner, candidate) == Some(finding.rule.as_str()))
            .map(|candidate| &data[candidate.start..candidate.end])
            .find(|secret| keys.identify(&finding.rule, secret, &finding.fingerprint))
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
    /// The keys of this home's scan fingerprints: the current one (the team key's when
    /// one is set, else the home's own, created in the keychain on first use) and the
    /// former ones.
    pub(crate) fn scan_keys(&self) -> Result<ScanKeys> {
        let master = self.vault.read_or_create(&home_scan_key_slot(), || {
            SecretValue::new(random_bytes::<32>().to_vec())
        })?;
        let home = FingerprintKey::derive(master.expose());
        let mut candidates = self.former_scan_keys()?;
        let current = match self.read_team_key()? {
            Some(team) => {
                candidates.insert(0, home.clone());
                FingerprintKey::derive(team.expose())
            }
            None => home.clone(),
        };
        let mut former: Vec<FingerprintKey> = Vec::new();
        for key in candidates {
            if !key.same_as(&current) && !former.iter().any(|known| known.same_as(&key)) {
                former.push(key);
            }
        }
        Ok(ScanKeys {
            current,
            former,
            home,
        })
    }

    fn former_scan_keys(&self) -> Result<Vec<FingerprintKey>> {
        Ok(self
            .vault
            .read(&former_scan_keys_slot())?
            .map(|saved| {
                saved
                    .expose()
                    .chunks(32)
                    .filter_map(FingerprintKey::restore)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Before the team key is replaced by `next`: keeps the scan key of the one in use
    /// (the newest [`FORMER_SCAN_KEYS`]), so stored findings, accepted ones and announced
    /// warnings are recognised and re-keyed when a scan next sees their secret. The
    /// home's own key needs no keeping: it stays in the keychain.
    pub(crate) fn retire_team_scan_key(&self, next: &SecretValue) -> Result<()> {
        let Some(team) = self.read_team_key()? else {
            return Ok(());
        };
        let retiring = FingerprintKey::derive(team.expose());
        if retiring.same_as(&FingerprintKey::derive(next.expose())) {
            return Ok(());
        }
        let mut keep = vec![retiring];
        for key in self.former_scan_keys()? {
            if !keep.iter().any(|known| known.same_as(&key)) {
                keep.push(key);
            }
        }
        keep.truncate(FORMER_SCAN_KEYS);
        let mut bytes = Vec::with_capacity(keep.len() * 32);
        for key in &keep {
            bytes.extend_from_slice(key.to_secret().expose());
        }
        self.vault
            .store(&former_scan_keys_slot(), &SecretValue::new(bytes))?;
        Ok(())
    }

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
        ScanMode::GitHistory | ScanMode::GitObjects | ScanMode::Staged => {
            let mut total = ScanReport::default();
            for root in &request.roots {
                let report = match request.mode {
                    ScanMode::GitHistory => {
                        scanner.scan_git_history(root, &request.options, progress)?
                    }
                    ScanMode::GitObjects => {
                        scanner.scan_git_objects(root, &request.options, progress)?
                    }
                    _ => scanner.scan_staged(root, &request.options)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_fingerprints_move_to_the_current_key_and_unkeyed_ones_are_wrapped() {
        let home = FingerprintKey::derive(b"the home's own key");
        let team = FingerprintKey::derive(b"the team's shared key");
        let (rule, secret) = ("github-pat", b"ghp_not_a_real_token".as_slice());
        let legacy = legacy_fingerprint(rule, secret);
        let current = team.fingerprint(rule, secret);
        let mut former = BTreeMap::new();
        former.insert(
            current.clone(),
            vec![home.fingerprint(rule, secret), home.wrap_legacy(&legacy)],
        );
        let rekey = Rekey::new(&former, &home);
        assert_eq!(rekey.apply(&legacy).as_deref(), Some(current.as_str()));
        assert_eq!(
            rekey.apply(&home.fingerprint(rule, secret)).as_deref(),
            Some(current.as_str())
        );
        assert_eq!(rekey.apply(&current), None, "the current one stays");
        // An unkeyed fingerprint whose secret this scan did not see is wrapped anyway.
        let unseen = legacy_fingerprint(rule, b"ghp_another_one");
        let wrapped = rekey.apply(&unseen).unwrap();
        assert_eq!(wrapped, home.wrap_legacy(&unseen));
        assert_eq!(rekey.apply(&wrapped), None);

        let keys = ScanKeys {
            current: team.clone(),
            former: vec![home.clone()],
            home: home.clone(),
        };
        for stored in [
            current.clone(),
            home.fingerprint(rule, secret),
            home.wrap_legacy(&legacy),
            legacy.clone(),
        ] {
            assert!(keys.identify(rule, secret, &stored), "{stored}");
        }
        assert!(!keys.identify(rule, b"ghp_another_one", &current));
        assert!(!keys.identify("stripe-secret-key", secret, &current));
    }
}
