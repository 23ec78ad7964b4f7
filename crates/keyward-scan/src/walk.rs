//! Walking working copies: a gitignore-aware parallel walk (the `ignore` crate, as in
//! ripgrep) that skips binaries and files over the size limit, and turns candidates into
//! findings with paths relative to the scanned root. A binary that is an archive is opened
//! instead of skipped, its files scanned as `archive.zip!inner/path` (see
//! [`super::archive`] for the limits).
//!
//! Only regular files are read. A FIFO, socket or device in the tree, and a symbolic
//! link (the walk does not follow links, so a link to `/dev/zero` is never read through),
//! is counted as skipped without being opened; files are read through
//! [`keyward_model::fs::read_regular_file_into`], which checks the opened file again and
//! never reads past the size limit, so a file swapped or grown during the walk cannot
//! block the scan or fill memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};
use serde::{Deserialize, Serialize};

use super::allow::CompiledAllowlist;
use super::archive::{ArchiveKind, Budget, archive_kind, expand};
use super::context::is_example_context;
use super::detect::{Candidate, Detector};
use super::fingerprint::{FINGERPRINT_PREFIX, FingerprintKey, Fingerprinter};
use super::gitleaks::GitleaksRules;
use super::rule_filters::FindingContext;
use super::rules::Rule;
use super::{
    Baseline, CommitInfo, Finding, FindingKind, Result, RuleSet, ScanConfig, ScanError, ScanReport,
    VAULT_VALUE_RULE, VaultMatcher,
};
use keyward_model::fs::{Links, read_regular_file_into};
use keyward_model::leak::Confidence;
use keyward_model::{CredentialKind, redact};

/// Files larger than this are skipped unless the configuration says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;
/// Bytes at the head of a file searched for a NUL to recognize binaries (as git does).
const BINARY_PROBE: usize = 8000;

/// How to walk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanOptions {
    /// Skip files larger than this many bytes (default 10 MiB).
    pub max_file_size: u64,
    /// Worker threads; 0 picks one per core (the default).
    pub threads: u32,
    /// Findings less sure than this are left out (default: low, every finding).
    #[serde(default)]
    pub min_confidence: Confidence,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            threads: 0,
            min_confidence: Confidence::Low,
        }
    }
}

/// Progress of a running scan, reported after each file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanProgress {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
}

/// A ready scanner: compiled rules, the vault's values if a vault is open, the
/// allowlists and baseline of the configuration, and the key findings are fingerprinted
/// with.
pub struct Scanner {
    pub detector: Detector,
    config: ScanConfig,
    fingerprints: Fingerprinter,
}

impl Scanner {
    /// A scanner without a fingerprint key: its findings carry no fingerprint and no
    /// baseline applies, until [`Scanner::with_fingerprint_key`] gives it one.
    pub fn new(config: ScanConfig, vault: Option<VaultMatcher>) -> Result<Self> {
        let rules = config.rule_set()?;
        Ok(Self {
            detector: Detector::new(rules, vault),
            config,
            fingerprints: Fingerprinter::default(),
        })
    }

    /// Fingerprints findings under `key` (see [`FingerprintKey`]); `None` leaves them
    /// without one.
    pub fn with_fingerprint_key(mut self, key: Option<FingerprintKey>) -> Self {
        self.fingerprints.current = key;
        self
    }

    /// Also computes what each finding's fingerprint was under `former` keys, and the
    /// wrapped form of its unkeyed pre-v2 fingerprint under `legacy_wrap`
    /// ([`FingerprintKey::wrap_legacy`]), into [`ScanReport::former_fingerprints`]: the
    /// caller re-keys what it stored under them. A baseline entry made under a former
    /// key is still applied, with a warning to regenerate the file.
    pub fn with_former_fingerprint_keys(
        mut self,
        former: Vec<FingerprintKey>,
        legacy_wrap: Option<FingerprintKey>,
    ) -> Self {
        self.fingerprints.former = former;
        self.fingerprints.legacy_wrap = legacy_wrap;
        self
    }

    /// Whether findings get fingerprints (a key was given).
    pub fn fingerprints_findings(&self) -> bool {
        self.fingerprints.current.is_some()
    }

    pub fn rules(&self) -> &RuleSet {
        &self.detector.rules
    }

    /// Options from the configuration where it sets them (a repository's size limit
    /// only where it raises the one asked for; see [`ScanConfig`]).
    pub fn effective_options(&self, options: &ScanOptions) -> ScanOptions {
        let mut options = options.clone();
        options.max_file_size = self.config.max_file_size(options.max_file_size);
        options
    }

    /// The repository configuration applied, as the report names it.
    pub(crate) fn repository_config(&self) -> Vec<String> {
        self.config
            .repository_file()
            .map(|_| vec![super::allow::CONFIG_FILE.to_owned()])
            .unwrap_or_default()
    }

    /// Scans files and directories. `progress` is called from the worker threads.
    pub fn scan_paths(
        &self,
        roots: &[PathBuf],
        options: &ScanOptions,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) -> Result<ScanReport> {
        let options = self.effective_options(options);
        let mut report = ScanReport::default();
        let counters = Counters::default();
        for root in roots {
            let metadata = std::fs::metadata(root).map_err(|source| ScanError::Io {
                path: root.clone(),
                source,
            })?;
            let base = if metadata.is_dir() {
                root.clone()
            } else {
                root.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            let sink = FindingSink::new(self, &base, options.min_confidence)?;
            self.walk(root, &base, &options, &sink, &counters, progress);
            sink.finish(&mut report);
        }
        report.files_scanned = counters.files.load(Ordering::Relaxed);
        report.bytes_scanned = counters.bytes.load(Ordering::Relaxed);
        report.files_skipped = counters.skipped.load(Ordering::Relaxed);
        report.repository_config = self.repository_config();
        self.apply_baseline(&mut report, roots.first().map(PathBuf::as_path))?;
        report.sort();
        Ok(report)
    }

    fn walk(
        &self,
        root: &Path,
        base: &Path,
        options: &ScanOptions,
        sink: &FindingSink<'_>,
        counters: &Counters,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) {
        let walker = WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .require_git(false)
            .threads(options.threads as usize)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build_parallel();
        walker.run(|| {
            // One read buffer per worker, reused for every file: a fresh allocation per
            // file costs a page fault per page touched and an unmap when it is dropped.
            let mut buffer = Vec::new();
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    counters.skipped.fetch_add(1, Ordering::Relaxed);
                    return WalkState::Continue;
                };
                let Some(kind) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if kind.is_dir() {
                    return WalkState::Continue;
                }
                if !kind.is_file() {
                    // A FIFO, socket, device or link: left out unopened, and said so.
                    counters.skipped.fetch_add(1, Ordering::Relaxed);
                    return WalkState::Continue;
                }
                let path = entry.path();
                let small = entry
                    .metadata()
                    .is_ok_and(|metadata| metadata.len() <= options.max_file_size);
                // A root named on the command line may be a link the user meant; below
                // it, the walk saw a regular file, so a link now is a swap.
                let links = if entry.depth() == 0 {
                    Links::Follow
                } else {
                    Links::Refuse
                };
                let read = small
                    && read_regular_file_into(path, options.max_file_size, links, &mut buffer)
                        .is_ok();
                if !read {
                    counters.skipped.fetch_add(1, Ordering::Relaxed);
                    return WalkState::Continue;
                }
                let relative = relative_path(base, path);
                if is_binary(&buffer) {
                    match archive_kind(&buffer) {
                        Some(kind) => self.scan_archive(
                            &buffer, kind, &relative, options, sink, counters, progress,
                        ),
                        None => {
                            counters.skipped.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    return WalkState::Continue;
                }
                self.scan_file(&buffer, &relative, sink, counters, progress);
                WalkState::Continue
            })
        });
    }

    /// Scans one file's content and reports progress.
    fn scan_file(
        &self,
        data: &[u8],
        relative: &str,
        sink: &FindingSink<'_>,
        counters: &Counters,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) {
        let candidates = self.detector.detect_file(data, relative);
        let added = sink.add(data, relative, &candidates, None);
        let files = counters.files.fetch_add(1, Ordering::Relaxed) + 1;
        let bytes = counters
            .bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed)
            + data.len() as u64;
        let findings = counters.findings.fetch_add(added, Ordering::Relaxed) + added;
        progress(ScanProgress {
            files_scanned: files,
            bytes_scanned: bytes,
            findings,
        });
    }

    /// Scans the files inside an archive as files of their own (`archive.zip!inner`),
    /// within the limits of [`super::archive`]. What an archive holds past a limit or a
    /// corrupt part is counted as one skipped file; what came before it is kept.
    #[expect(
        clippy::too_many_arguments,
        reason = "the walker's state, passed down as scan_file takes it"
    )]
    fn scan_archive(
        &self,
        data: &[u8],
        kind: ArchiveKind,
        relative: &str,
        options: &ScanOptions,
        sink: &FindingSink<'_>,
        counters: &Counters,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) {
        let mut budget = Budget::new(options.max_file_size);
        let result = expand(
            data,
            kind,
            relative,
            1,
            &mut budget,
            &mut |path, content| {
                if is_binary(content) {
                    counters.skipped.fetch_add(1, Ordering::Relaxed);
                } else {
                    self.scan_file(content, path, sink, counters, progress);
                }
            },
        );
        if result.is_err() {
            counters.skipped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Drops findings the configured baseline accepts, and says in
    /// [`ScanReport::baseline_warnings`] what of the baseline could not be applied.
    ///
    /// Only keyed fingerprints are matched. Entries of the unkeyed pre-v2 format are
    /// reported as outdated and never matched: accepting them would keep alive the
    /// guessing oracle they are. Without a fingerprint key nothing is applied. An entry made
    /// under a former key of this home is applied, with a warning that the file needs
    /// regenerating before others (teammates, CI) can match it.
    pub(crate) fn apply_baseline(
        &self,
        report: &mut ScanReport,
        root: Option<&Path>,
    ) -> Result<()> {
        let Some(path) = &self.config.baseline else {
            return Ok(());
        };
        let path = match root {
            Some(root) if path.is_relative() && root.is_dir() => root.join(path),
            _ => path.clone(),
        };
        let baseline = Baseline::load(&path)?;
        let name = path.display();
        if !self.fingerprints_findings() {
            if !baseline.findings.is_empty() {
                report.baseline_warnings.push(format!(
                    "baseline {name} not applied: this scan has no fingerprint key (no Keyward \
                     home, or --no-vault); scan in a home, or set KEYWARD_TEAM_KEY to the team \
                     key"
                ));
            }
            return Ok(());
        }
        let outdated = baseline.outdated_entries();
        if outdated > 0 {
            report.baseline_warnings.push(format!(
                "baseline {name}: {outdated} of {} entries use the unkeyed fingerprints of \
                 Keyward before v2 and were not applied (anyone holding such a file can confirm \
                 a guessed secret); regenerate it with `keyward scan --write-baseline`",
                baseline.findings.len()
            ));
        }
        let accepts_leaks = self.config.baseline_accepts_leaks();
        let before = report.findings.len();
        let mut under_former_key = 0u64;
        let former = &report.former_fingerprints;
        report.findings.retain(|finding| {
            if !(accepts_leaks || finding.kind != FindingKind::Leak) {
                return true;
            }
            if baseline.accepts(finding) {
                return false;
            }
            let mut earlier = former
                .get(&finding.fingerprint)
                .into_iter()
                .flatten()
                .filter(|fingerprint| fingerprint.starts_with(FINGERPRINT_PREFIX));
            let accepted = earlier.any(|fingerprint| {
                baseline
                    .findings
                    .iter()
                    .any(|entry| entry.fingerprint == *fingerprint && entry.path == finding.path)
            });
            under_former_key += u64::from(accepted);
            !accepted
        });
        if under_former_key > 0 {
            report.baseline_warnings.push(format!(
                "baseline {name}: {under_former_key} finding(s) accepted by entries made with an \
                 earlier fingerprint key of this home (before the team key was set or changed); \
                 regenerate it with `keyward scan --write-baseline` so teammates and CI match it"
            ));
        }
        report.baselined = (before - report.findings.len()) as u64;
        Ok(())
    }

    pub(crate) fn sink(&self, base: &Path, options: &ScanOptions) -> Result<FindingSink<'_>> {
        FindingSink::new(self, base, options.min_confidence)
    }
}

#[derive(Default)]
struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    skipped: AtomicU64,
    findings: AtomicU64,
}

/// Collects findings of one root from many threads, applying path rules.
pub(crate) struct FindingSink<'a> {
    scanner: &'a Scanner,
    root: String,
    allowlist: CompiledAllowlist,
    findings: Mutex<Vec<Finding>>,
    former: Mutex<BTreeMap<String, Vec<String>>>,
    min_confidence: Confidence,
}

impl<'a> FindingSink<'a> {
    fn new(scanner: &'a Scanner, base: &Path, min_confidence: Confidence) -> Result<Self> {
        let origin = base.join(super::allow::CONFIG_FILE);
        Ok(Self {
            scanner,
            min_confidence,
            root: base.display().to_string(),
            allowlist: CompiledAllowlist::new(base, &scanner.config.allow, &origin)?,
            findings: Mutex::new(Vec::new()),
            former: Mutex::new(BTreeMap::new()),
        })
    }

    /// Turns candidates in `data` (the content of `relative`) into findings; returns how
    /// many were kept.
    pub fn add(
        &self,
        data: &[u8],
        relative: &str,
        candidates: &[Candidate],
        commit: Option<&CommitInfo>,
    ) -> u64 {
        if candidates.is_empty() {
            return 0;
        }
        let example = is_example_context(relative);
        let gitleaks = self.scanner.config.gitleaks_rules();
        let mut kept = Vec::new();
        for candidate in candidates {
            let secret = &data[candidate.start..candidate.end];
            let leak = candidate.vault_credential.is_some();
            let rule = candidate
                .rule
                .map(|index| &self.scanner.detector.rules.rules[index]);
            let mut reported = None;
            if let Some(gitleaks) = gitleaks {
                let context = FindingContext {
                    path: relative,
                    commit: commit.map(|commit| commit.id.as_str()),
                    secret,
                    matched: &data[candidate.match_start..candidate.match_end],
                    line: lines_around(data, candidate.match_start, candidate.match_end),
                };
                if let Some(rule) = rule
                    && !gitleaks_reports(gitleaks, rule, &context)
                {
                    if !leak {
                        continue;
                    }
                    // The rule does not report it there, but the vault's value is still
                    // a leak: it is reported as one.
                    reported = Some(Candidate {
                        rule: None,
                        ..candidate.clone()
                    });
                }
                // The file's global allowlists accept `secret` findings of every rule,
                // never a vault value (see `ScanConfig::add_gitleaks_rules`).
                if !leak
                    && gitleaks
                        .global
                        .iter()
                        .any(|allowlist| allowlist.allows(&context))
                {
                    continue;
                }
            }
            let candidate = reported.as_ref().unwrap_or(candidate);
            let confidence = self.confidence(candidate, example);
            if confidence < self.min_confidence {
                continue;
            }
            // A repository's allowlist cannot hide the user's own leaked value.
            if (!leak || self.scanner.config.allowlist_accepts_leaks())
                && self.allowlist.allows(Path::new(relative), secret)
            {
                continue;
            }
            let mut finding = self.finding(candidate, secret, relative, commit);
            finding.confidence = confidence;
            kept.push((finding, secret));
        }
        let count = kept.len() as u64;
        if self.scanner.fingerprints.tracks_former() {
            let mut former = self.former.lock().expect("former fingerprints lock");
            for (finding, secret) in &kept {
                if !former.contains_key(&finding.fingerprint) {
                    let earlier = self.scanner.fingerprints.former(&finding.rule, secret);
                    former.insert(finding.fingerprint.clone(), earlier);
                }
            }
        }
        self.findings
            .lock()
            .expect("findings lock")
            .extend(kept.into_iter().map(|(finding, _)| finding));
        count
    }

    /// The rule's confidence, one step lower in documentation, tests and fixtures; a
    /// vault credential's value is certain wherever it is.
    fn confidence(&self, candidate: &Candidate, example: bool) -> Confidence {
        if candidate.vault_credential.is_some() {
            return Confidence::High;
        }
        let confidence = candidate.rule.map_or(Confidence::Medium, |index| {
            self.scanner.detector.rules.rules[index].confidence
        });
        if example {
            confidence.lowered()
        } else {
            confidence
        }
    }

    fn finding(
        &self,
        candidate: &Candidate,
        secret: &[u8],
        relative: &str,
        commit: Option<&CommitInfo>,
    ) -> Finding {
        let rule = candidate
            .rule
            .map(|index| &self.scanner.detector.rules.rules[index]);
        let rule_id = rule.map_or(VAULT_VALUE_RULE, |rule| rule.id());
        let text = std::str::from_utf8(secret).ok();
        Finding {
            rule: rule_id.to_owned(),
            kind: if candidate.vault_credential.is_some() {
                FindingKind::Leak
            } else {
                FindingKind::Secret
            },
            provider: rule.map(|rule| rule.spec.provider.clone()),
            description: rule.map_or_else(
                || "Value of a vault credential".to_owned(),
                |rule| rule.spec.name.clone(),
            ),
            root: self.root.clone(),
            path: relative.to_owned(),
            line: candidate.line,
            column: candidate.column,
            commit: commit.cloned(),
            redacted: redact(text, secret.len()),
            fingerprint: self.scanner.fingerprints.fingerprint(rule_id, secret),
            vault_credential: candidate.vault_credential.clone(),
            credential_kind: rule.map_or(CredentialKind::Secret, |rule| rule.kind),
            confidence: Confidence::Medium,
        }
    }

    /// Adds what this sink collected to `report`.
    pub fn finish(self, report: &mut ScanReport) {
        report
            .findings
            .extend(self.findings.into_inner().expect("findings lock"));
        report
            .former_fingerprints
            .extend(self.former.into_inner().expect("former fingerprints lock"));
    }
}

/// Whether a gitleaks configuration lets `rule` report the finding: the rule's path
/// filter and allowlists, the file's allowlists that target it, and for the file's own
/// rules gitleaks' inline `gitleaks:allow`.
fn gitleaks_reports(gitleaks: &GitleaksRules, rule: &Rule, finding: &FindingContext<'_>) -> bool {
    if let Some(filter) = &rule.filter
        && (!filter.reports(finding)
            || memchr::memmem::find(finding.line, GITLEAKS_ALLOW).is_some())
    {
        return false;
    }
    !gitleaks
        .allowlists_for(rule.id())
        .any(|allowlist| allowlist.allows(finding))
}

/// gitleaks' inline marker, matched as gitleaks matches it (case-sensitively).
const GITLEAKS_ALLOW: &[u8] = b"gitleaks:allow";

/// The line or lines holding `data[start..end]`, at most 4 KiB either side, so a
/// minified megabyte-long line costs no more than a short one.
fn lines_around(data: &[u8], start: usize, end: usize) -> &[u8] {
    const REACH: usize = 4096;
    let floor = start.saturating_sub(REACH);
    let from = memchr::memrchr(b'\n', &data[floor..start]).map_or(floor, |at| floor + at + 1);
    let ceiling = (end + REACH).min(data.len());
    let to = memchr::memchr(b'\n', &data[end..ceiling]).map_or(ceiling, |at| end + at);
    &data[from..to]
}

pub(crate) fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_PROBE)].contains(&0)
}

fn relative_path(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let text = relative.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
