//! Leak scanning: finds secrets in working copies, git history and the git index.
//!
//! Two detectors run over every file. The rule detector ([`RuleSet`]) finds secrets of
//! well-known providers (and generic `api_key = "..."` assignments) that may not be in the
//! vault; a keyword prefilter decides which rules' regexes run at all, so most bytes are
//! only touched by one Aho-Corasick pass. The vault matcher ([`VaultMatcher`]) finds the
//! vault's own values, in plain, base64, URL-encoded and hex form, and names the
//! credential that leaked.
//!
//! ```no_run
//! use keyward_scan::{Scanner, ScanConfig, ScanOptions};
//!
//! let scanner = Scanner::new(ScanConfig::default(), None)?;
//! let report = scanner.scan_paths(&[std::path::PathBuf::from(".")], &ScanOptions::default(), &|_| {})?;
//! for finding in &report.findings {
//!     println!("{}:{} {} {}", finding.path, finding.line, finding.rule, finding.redacted);
//! }
//! # Ok::<(), keyward_scan::ScanError>(())
//! ```

mod allow;
pub mod catalogue;
mod checks;
mod content;
mod detect;
mod git;
mod keywords;
mod output;
#[cfg(test)]
mod rule_table_tests;
mod rules;
pub mod samples;
mod vault_match;
mod walk;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use keyward_model::leak::{CommitInfo, Finding, FindingKind};

pub use allow::{Allowlist, Baseline, BaselineEntry, ScanConfig};
pub use checks::{github_checksum, github_checksum_valid, jwt_valid, shannon_entropy};
pub use detect::{Candidate, Detector};
pub use output::{render_human, render_json, render_sarif};
pub use rules::{Rule, RuleSet, RuleSpec};
pub use vault_match::{VaultMatcher, VaultValue};
pub use walk::{
    DEFAULT_MAX_FILE_SIZE, ScanOptions, ScanProgress, Scanner, fingerprint as finding_fingerprint,
};

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

    #[error("{}: {problem}", path.display())]
    Config { path: PathBuf, problem: String },

    #[error("git repository {}: {problem}", path.display())]
    Git { path: PathBuf, problem: String },
}

pub type Result<T, E = ScanError> = std::result::Result<T, E>;

/// What one scan found and covered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Files left out: binary, larger than the size limit, or unreadable.
    pub files_skipped: u64,
    /// Findings accepted by the baseline and not reported.
    pub baselined: u64,
}

impl ScanReport {
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
