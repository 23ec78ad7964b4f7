//! Scheduled leak scans, as the desktop app runs them: which folders to scan and how
//! often (kept in the `settings` table, so the CLI and the app share them), whether a scan
//! is due, one scan over every configured folder, findings the user accepted, and which
//! warnings a desktop notification has already announced.
//!
//! The app only owns the timer; what is due and what is new is decided here, with the
//! home's clock, so it is tested with a fixed one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::scanning::{NOTIFIED_WARNINGS, Rekey, SCAN_ACCEPTED, ScanMode, ScanRequest};
use super::{Keyward, Leaks};
use crate::audit::{self, AuditAction};
use crate::policy::Warning;
use crate::scan::{Finding, ScanOptions, ScanProgress};
use crate::store::{StoreError, findings, from_db_time, settings, to_db_time};
use crate::{Error, Result};

const SCAN_ROOTS: &str = "scan.roots";
const SCAN_EVERY_HOURS: &str = "scan.every_hours";
const SCAN_LAST_RUN: &str = "scan.last_run_at";

/// The longest schedule period: a month. Longer is "off" in all but name.
pub const MAX_SCAN_EVERY_HOURS: u32 = 720;

/// Which folders "Scan now" and the schedule cover, and how often the schedule runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanSettings {
    /// Absolute paths of existing folders, each scanned with its own `.keyward.toml`.
    /// Default: none (the user picks their code folders).
    pub roots: Vec<String>,
    /// Hours between scheduled scans, 1 to 720; `None` turns the schedule off.
    /// Default 24.
    pub every_hours: Option<u32>,
}

impl Default for ScanSettings {
    fn default() -> Self {
        Self {
            roots: Vec::new(),
            every_hours: Some(24),
        }
    }
}

impl ScanSettings {
    /// Checks every root and the period; the error names the input that is wrong.
    pub fn validate(&self) -> Result<()> {
        let mut seen = HashSet::new();
        for root in &self.roots {
            let field = format!("scan folder `{root}`");
            let path = Path::new(root);
            if root.trim().is_empty() || !path.is_absolute() {
                return Err(Error::invalid(field, "must be an absolute path"));
            }
            if !path.is_dir() {
                return Err(Error::invalid(field, "is not an existing folder"));
            }
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
            if !seen.insert(canonical) {
                return Err(Error::invalid(field, "is listed twice"));
            }
        }
        if let Some(hours) = self.every_hours
            && !(1..=MAX_SCAN_EVERY_HOURS).contains(&hours)
        {
            return Err(Error::invalid(
                "scan schedule (hours)",
                format!("{hours} is outside 1..={MAX_SCAN_EVERY_HOURS}"),
            ));
        }
        Ok(())
    }
}

/// Where a scan of all roots is, reported after each file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RootsScanProgress {
    /// The folder being scanned now.
    pub root: String,
    /// 1-based position of `root` among `roots`.
    pub root_index: u32,
    pub roots: u32,
    /// Totals over every folder so far.
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
}

/// A folder whose scan failed (deleted, unreadable, a broken `.keyward.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RootFailure {
    pub root: String,
    pub message: String,
}

/// What a scan of all roots covered and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RootsScanOutcome {
    pub roots: u32,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
    /// Findings the user accepted earlier and that were left out.
    pub accepted: u64,
    pub failed: Vec<RootFailure>,
}

/// A finding the user accepted: the same secret at the same place is not reported again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct AcceptedFinding {
    fingerprint: String,
    root: String,
    path: String,
}

impl AcceptedFinding {
    fn of(finding: &Finding) -> Self {
        Self {
            fingerprint: finding.fingerprint.clone(),
            root: finding.root.clone(),
            path: finding.path.clone(),
        }
    }
}

impl Leaks<'_> {
    /// The stored scan settings; unset or unreadable entries fall back to the defaults.
    pub fn scan_settings(&self) -> Result<ScanSettings> {
        let connection = self.store.connection();
        let defaults = ScanSettings::default();
        let roots = settings::get(connection, SCAN_ROOTS)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(defaults.roots);
        let every_hours = match settings::get(connection, SCAN_EVERY_HOURS)? {
            Some(text) if text == "off" => None,
            Some(text) => text.parse().ok().or(defaults.every_hours),
            None => defaults.every_hours,
        };
        Ok(ScanSettings { roots, every_hours })
    }

    /// Validates and stores the scan settings in one transaction.
    pub fn set_scan_settings(&mut self, scan: &ScanSettings) -> Result<ScanSettings> {
        scan.validate()?;
        let roots = serde_json::to_string(&scan.roots)
            .map_err(|error| Error::Internal(format!("scan roots as JSON: {error}")))?;
        let every = scan
            .every_hours
            .map_or_else(|| "off".to_owned(), |hours| hours.to_string());
        let transaction = self.store.transaction()?;
        settings::set(&transaction, SCAN_ROOTS, &roots)?;
        settings::set(&transaction, SCAN_EVERY_HOURS, &every)?;
        transaction.commit().map_err(StoreError::from)?;
        self.scan_settings()
    }

    /// When the last scan of all roots finished, if one has.
    pub fn last_roots_scan(&self) -> Result<Option<DateTime<Utc>>> {
        settings::get(self.store.connection(), SCAN_LAST_RUN)?
            .map(|text| from_db_time(&text).map_err(Error::from))
            .transpose()
    }

    /// When the schedule runs next: `None` when it is off or there is nothing to scan; the
    /// last run plus the period, or now when no scan has run yet.
    pub fn next_scheduled_scan(&self) -> Result<Option<DateTime<Utc>>> {
        let scan = self.scan_settings()?;
        let (Some(hours), false) = (scan.every_hours, scan.roots.is_empty()) else {
            return Ok(None);
        };
        Ok(Some(match self.last_roots_scan()? {
            Some(last) => last + Duration::hours(i64::from(hours)),
            None => self.now(),
        }))
    }

    /// Whether the schedule wants a scan now.
    pub fn scan_due(&self) -> Result<bool> {
        Ok(self
            .next_scheduled_scan()?
            .is_some_and(|next| next <= self.now()))
    }

    /// Scans every configured folder in turn (each with its own `.keyward.toml`), stores
    /// the findings, and records the time for the schedule. A folder that fails does not
    /// stop the others; it is listed in the outcome.
    pub fn scan_roots(
        &mut self,
        progress: &(dyn Fn(RootsScanProgress) + Sync),
    ) -> Result<RootsScanOutcome> {
        let roots = self.scan_settings()?.roots;
        if roots.is_empty() {
            return Err(Error::invalid(
                "scan folders",
                "none set; add a folder to scan in Settings",
            ));
        }
        let mut outcome = RootsScanOutcome {
            roots: roots.len() as u32,
            ..RootsScanOutcome::default()
        };
        for (index, root) in roots.iter().enumerate() {
            let before = (
                outcome.files_scanned,
                outcome.bytes_scanned,
                outcome.findings,
            );
            let report_progress = |step: ScanProgress| {
                progress(RootsScanProgress {
                    root: root.clone(),
                    root_index: index as u32 + 1,
                    roots: outcome.roots,
                    files_scanned: before.0 + step.files_scanned,
                    bytes_scanned: before.1 + step.bytes_scanned,
                    findings: before.2 + step.findings,
                });
            };
            report_progress(ScanProgress::default());
            let request = ScanRequest {
                roots: vec![PathBuf::from(root)],
                mode: ScanMode::Files,
                options: ScanOptions::default(),
            };
            match self.scan(&request, None, &report_progress) {
                Ok(report) => {
                    outcome.files_scanned += report.files_scanned;
                    outcome.bytes_scanned += report.bytes_scanned;
                    outcome.findings += report.findings.len() as u64;
                    outcome.accepted += report.baselined;
                }
                Err(error) => outcome.failed.push(RootFailure {
                    root: root.clone(),
                    message: error.to_string(),
                }),
            }
        }
        let finished = to_db_time(self.now());
        let transaction = self.store.transaction()?;
        settings::set(&transaction, SCAN_LAST_RUN, &finished)?;
        transaction.commit().map_err(StoreError::from)?;
        Ok(outcome)
    }

    /// Accepts a stored finding: it is resolved now, and later scans leave the same
    /// secret at the same place out (counted as accepted), like the repository baseline
    /// file but kept in this home. Audited.
    pub fn accept_finding(&mut self, finding_id: i64) -> Result<()> {
        let stored = findings::by_id(self.store.connection(), finding_id)?;
        let mut accepted = self.accepted_findings()?;
        accepted.insert(AcceptedFinding::of(&stored.finding));
        let text = accepted_list_text(&accepted)?;
        let finding = stored.finding;
        self.write(|connection, at, actor| {
            settings::set(connection, SCAN_ACCEPTED, &text)?;
            findings::resolve(connection, finding_id, at)?;
            let detail = serde_json::json!({
                "accepted": finding_id,
                "rule": finding.rule,
                "root": finding.root,
                "path": finding.path,
                "line": finding.line,
                "redacted": finding.redacted,
            });
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Scan,
                &format!("finding {finding_id}"),
                detail,
            )?;
            Ok(((), row))
        })
    }

    /// The warnings no notification has announced yet, remembering `current` as
    /// announced. Warning ids are stable, so a restart does not announce them again; a
    /// warning that went away and comes back is new again.
    pub fn unannounced_warnings(&mut self, current: &[Warning]) -> Result<Vec<Warning>> {
        let connection = self.store.connection();
        let announced: HashSet<String> = settings::get(connection, NOTIFIED_WARNINGS)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let fresh = unannounced(&announced, current);
        let mut ids: Vec<&str> = current.iter().map(|warning| warning.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let text = serde_json::to_string(&ids)
            .map_err(|error| Error::Internal(format!("warning ids as JSON: {error}")))?;
        let transaction = self.store.transaction()?;
        settings::set(&transaction, NOTIFIED_WARNINGS, &text)?;
        transaction.commit().map_err(StoreError::from)?;
        Ok(fresh)
    }
}

impl Keyward {
    /// Removes the findings the user accepted from `found`, returning how many it removed
    /// and, when `rekey` moved any accepted entry to the current fingerprint key (or
    /// wrapped an unkeyed one), the accepted list to store in its place.
    pub(crate) fn drop_accepted(
        &self,
        found: &mut Vec<Finding>,
        rekey: &Rekey<'_>,
    ) -> Result<(u64, Option<String>)> {
        let mut rewritten = false;
        let accepted: HashSet<AcceptedFinding> = self
            .accepted_findings()?
            .into_iter()
            .map(|mut entry| {
                if let Some(current) = rekey.apply(&entry.fingerprint) {
                    entry.fingerprint = current;
                    rewritten = true;
                }
                entry
            })
            .collect();
        let list = rewritten
            .then(|| accepted_list_text(&accepted))
            .transpose()?;
        if accepted.is_empty() {
            return Ok((0, list));
        }
        let before = found.len();
        found.retain(|finding| !accepted.contains(&AcceptedFinding::of(finding)));
        Ok(((before - found.len()) as u64, list))
    }

    /// The announced warning ids with the fingerprints in them moved by `rekey` (a
    /// finding's warning id is `kind:fingerprint:root:path`), when any moved; so a finding
    /// whose fingerprint changed key is not announced again.
    pub(crate) fn rekeyed_notified_warnings(&self, rekey: &Rekey<'_>) -> Result<Option<String>> {
        let Some(text) = settings::get(self.store.connection(), NOTIFIED_WARNINGS)? else {
            return Ok(None);
        };
        let Ok(ids) = serde_json::from_str::<Vec<String>>(&text) else {
            return Ok(None);
        };
        let mut changed = false;
        let mut moved: Vec<String> = ids
            .into_iter()
            .map(|id| match rekeyed_warning_id(&id, rekey) {
                Some(new) => {
                    changed = true;
                    new
                }
                None => id,
            })
            .collect();
        if !changed {
            return Ok(None);
        }
        moved.sort_unstable();
        moved.dedup();
        serde_json::to_string(&moved)
            .map(Some)
            .map_err(|error| Error::Internal(format!("warning ids as JSON: {error}")))
    }

    /// An accepted list changed outside Keyward (which would hide findings) is refused.
    fn accepted_findings(&self) -> Result<HashSet<AcceptedFinding>> {
        self.integrity()?;
        Ok(
            settings::get_checked(self.store.connection(), SCAN_ACCEPTED)?
                .and_then(|text| serde_json::from_str::<Vec<AcceptedFinding>>(&text).ok())
                .unwrap_or_default()
                .into_iter()
                .collect(),
        )
    }
}

/// The accepted list as stored: sorted, so equal lists are equal text.
fn accepted_list_text(accepted: &HashSet<AcceptedFinding>) -> Result<String> {
    let mut list: Vec<&AcceptedFinding> = accepted.iter().collect();
    list.sort_by(|a, b| {
        (&a.root, &a.path, &a.fingerprint).cmp(&(&b.root, &b.path, &b.fingerprint))
    });
    serde_json::to_string(&list)
        .map_err(|error| Error::Internal(format!("accepted findings as JSON: {error}")))
}

/// A finding warning's id (`kind:fingerprint:root:path`) with its fingerprint moved by
/// `rekey`; `None` for other ids and unmoved fingerprints. The fingerprint is `v2:` or
/// `v1k:` and 64 hex digits, or 32 hex digits (unkeyed, before v2).
fn rekeyed_warning_id(id: &str, rekey: &Rekey<'_>) -> Option<String> {
    let (kind, rest) = id.split_once(':')?;
    let length = if rest.starts_with(crate::scan::FINGERPRINT_PREFIX) {
        crate::scan::FINGERPRINT_PREFIX.len() + 64
    } else if rest.starts_with(crate::scan::WRAPPED_LEGACY_PREFIX) {
        crate::scan::WRAPPED_LEGACY_PREFIX.len() + 64
    } else {
        32
    };
    let fingerprint = rest.get(..length)?;
    let tail = rest.get(length..)?;
    if !tail.starts_with(':') {
        return None;
    }
    let current = rekey.apply(fingerprint)?;
    Some(format!("{kind}:{current}{tail}"))
}

/// The warnings of `current` whose ids are not in `announced`.
fn unannounced(announced: &HashSet<String>, current: &[Warning]) -> Vec<Warning> {
    current
        .iter()
        .filter(|warning| !announced.contains(&warning.id))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{FixAction, Severity, WarningKind};

    fn warning(id: &str) -> Warning {
        Warning {
            id: id.into(),
            kind: WarningKind::RotationOverdue,
            severity: Severity::High,
            credential: Some("ci".into()),
            message: "rotation overdue".into(),
            due: None,
            action: FixAction::Rotate {
                credential: "ci".into(),
            },
            finding_id: None,
        }
    }

    #[test]
    fn announced_warning_ids_follow_their_findings_fingerprint() {
        use crate::scan::{FingerprintKey, legacy_fingerprint};
        let home = FingerprintKey::derive(b"home key");
        let legacy = legacy_fingerprint("github-pat", b"ghp_x");
        let current = home.fingerprint("github-pat", b"ghp_x");
        let former = [(current.clone(), vec![home.wrap_legacy(&legacy)])].into();
        let rekey = Rekey::new(&former, &home);
        assert_eq!(
            rekeyed_warning_id(&format!("unmanaged-secret:{legacy}:/repo:a:b.env"), &rekey),
            Some(format!("unmanaged-secret:{current}:/repo:a:b.env"))
        );
        assert_eq!(
            rekeyed_warning_id(&format!("leaked:{current}:/repo:b.env"), &rekey),
            None,
            "a current fingerprint stays"
        );
        assert_eq!(rekeyed_warning_id("rotation-overdue:ci", &rekey), None);
    }

    #[test]
    fn only_warnings_not_yet_announced_are_new() {
        let announced: HashSet<String> = ["rotation-overdue:ci".to_owned()].into();
        let fresh = unannounced(
            &announced,
            &[warning("rotation-overdue:ci"), warning("leaked:abc")],
        );
        assert_eq!(
            fresh.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
            ["leaked:abc"],
            "an announced warning must not raise a second notification"
        );
    }

    #[test]
    fn scan_settings_errors_name_the_input() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().display().to_string();
        let valid = ScanSettings {
            roots: vec![path.clone()],
            every_hours: Some(6),
        };
        assert!(
            valid.validate().is_ok(),
            "an existing folder is a valid root"
        );
        assert!(
            ScanSettings::default().validate().is_ok(),
            "the defaults are valid"
        );
        let cases = [
            (vec!["relative/dir".to_owned()], Some(6), "relative/dir"),
            (vec![format!("{path}/missing")], Some(6), "missing"),
            (vec![path.clone(), path.clone()], Some(6), "twice"),
            (vec![path.clone()], Some(0), "scan schedule"),
            (
                vec![path.clone()],
                Some(MAX_SCAN_EVERY_HOURS + 1),
                "scan schedule",
            ),
        ];
        for (roots, every_hours, named) in cases {
            let error = ScanSettings { roots, every_hours }
                .validate()
                .expect_err("invalid settings are refused")
                .to_string();
            assert!(
                error.contains(named),
                "the error must name the input: {error}"
            );
        }
        assert!(
            ScanSettings {
                roots: vec![path],
                every_hours: None
            }
            .validate()
            .is_ok(),
            "no schedule is a valid choice"
        );
    }
}
