//! Leak scanning: finds secrets in working copies, git history and the git index.
//!
//! Two detectors run over every file. The rule detector ([`RuleSet`]) finds secrets of
//! well-known providers (and generic `api_key = "..."` assignments) that may not be in the
//! vault; a keyword prefilter decides which rules' regexes run at all, so most bytes are
//! only touched by one Aho-Corasick pass. The vault matcher ([`VaultMatcher`]) finds the
//! vault's own values, in plain, base64, URL-encoded and hex form, and names the
//! credential that leaked.
//!
//! Findings are fingerprinted under a key the caller hands in ([`FingerprintKey`]); the
//! scanner never touches the keychain.
//!
//! ```no_run
//! use keyward_scan::{FingerprintKey, Scanner, ScanConfig, ScanOptions};
//!
//! let key = FingerprintKey::derive(b"the home's or the team's key, from the keychain");
//! let scanner = Scanner::new(ScanConfig::default(), None)?.with_fingerprint_key(Some(key));
//! let report = scanner.scan_paths(&[std::path::PathBuf::from(".")], &ScanOptions::default(), &|_| {})?;
//! for finding in &report.findings {
//!     println!("{}:{} {} {}", finding.path, finding.line, finding.rule, finding.redacted);
//! }
//! # Ok::<(), keyward_scan::ScanError>(())
//! ```

mod allow;
mod archive;
pub mod catalogue;
mod checks;
mod content;
mod context;
mod detect;
mod fingerprint;
#[doc(hidden)]
pub mod fuzzing;
mod git;
pub mod gitleaks;
mod keywords;
mod output;
mod rule_filters;
#[cfg(test)]
mod rule_table_tests;
mod rules;
pub mod samples;
mod vault_match;
mod views;
mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use keyward_model::leak::{CommitInfo, Confidence, Finding, FindingKind};

pub use allow::{
    Allowlist, Baseline, BaselineEntry, CONFIG_FILE, REPOSITORY_MAX_FILE_SIZE, ScanConfig,
};
pub use checks::{github_checksum, github_checksum_valid, jwt_valid, shannon_entropy};
pub use detect::{Candidate, Detector};
pub use fingerprint::{
    FINGERPRINT_PREFIX, FingerprintKey, WRAPPED_LEGACY_PREFIX, is_current_fingerprint,
    is_legacy_fingerprint, legacy_fingerprint,
};
pub use output::{render_human, render_json, render_sarif};
pub use rules::{Rule, RuleSet, RuleSpec};
pub use vault_match::{VaultMatcher, VaultValue};
pub use walk::{DEFAULT_MAX_FILE_SIZE, ScanOptions, ScanProgress, Scanner};

/// The rule id a vault-value hit carries when no provider rule matched the same text.
pub const VAULT_VALUE_RULE: &str = "vault-value";

#[derive(Debug, Error)]
pub enum ScanError {
    #[error("rule file {origin}: {problem}")]
    Rules { origin: String, problem: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A file the scan had to read whole (settings, a baseline) that is missing, not a
    /// regular file, or over its size limit.
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: keyward_model::fs::ReadError,
    },

    #[error("{}: {problem}", path.display())]
    Config { path: PathBuf, problem: String },

    #[error("git repository {}: {problem}", path.display())]
    Git { path: PathBuf, problem: String },

    #[error(transparent)]
    Gitleaks(#[from] gitleaks::GitleaksError),
}

pub type Result<T, E = ScanError> = std::result::Result<T, E>;

/// What one scan found and covered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Files left out: binary, larger than the size limit, unreadable, or not regular
    /// files (FIFOs, devices, sockets, symbolic links: never opened).
    pub files_skipped: u64,
    /// Findings accepted by the baseline and not reported.
    pub baselined: u64,
    /// The repository configuration files applied (`.keyward.toml`, relative to the
    /// scanned root), so the output can say that a repository tuned the scan; empty when
    /// only built-in or user settings applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repository_config: Vec<String>,
    /// What of a baseline file could not be applied and why (entries of the unkeyed
    /// pre-v2 format, no fingerprint key, entries made under a former key), one message
    /// per problem naming the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baseline_warnings: Vec<String>,
    /// For each fingerprint in `findings`, the same finding's fingerprints under the
    /// former keys the scanner was given ([`Scanner::with_former_fingerprint_keys`]),
    /// so the service can carry stored state over to the current key. Internal: never
    /// serialized or shown.
    #[serde(skip)]
    pub former_fingerprints: BTreeMap<String, Vec<String>>,
}

impl ScanReport {
    /// Adds another root's report to this one.
    pub fn merge(&mut self, other: ScanReport) {
        self.findings.extend(other.findings);
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.files_skipped += other.files_skipped;
        self.baselined += other.baselined;
        for file in other.repository_config {
            if !self.repository_config.contains(&file) {
                self.repository_config.push(file);
            }
        }
        for warning in other.baseline_warnings {
            if !self.baseline_warnings.contains(&warning) {
                self.baseline_warnings.push(warning);
            }
        }
        self.former_fingerprints.extend(other.former_fingerprints);
    }

    pub(crate) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                &a.root,
                &a.path,
                a.line,
                a.column,
                &a.rule,
                a.commit.as_ref().map(|c| &c.id),
            )
                .cmp(&(
                    &b.root,
                    &b.path,
                    b.line,
                    b.column,
                    &b.rule,
                    b.commit.as_ref().map(|c| &c.id),
                ))
        });
    }
}
