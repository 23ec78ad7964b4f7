//! What a user accepts: the scan configuration (`.keyward.toml`), allowlists by path and
//! by regex, and the baseline file of known findings.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

use super::gitleaks::{self, GitleaksRules};
use super::rules::UserRule;
use super::{Finding, Result, RuleSet, RuleSpec, ScanError};
use keyward_model::fs::{MAX_INPUT_FILE_SIZE, read_regular_file};

/// The configuration file looked for at the top of each scanned root.
pub const CONFIG_FILE: &str = ".keyward.toml";

/// Scan settings: rule overrides, allowlists, size limit and baseline.
///
/// ```toml
/// max_file_size = 10485760          # bytes; default 10 MiB
/// baseline = ".keyward-baseline.json"
/// [allow]
/// paths = ["docs/**", "*.snap"]     # gitignore-style globs, relative to the root
/// regexes = ["^sk_test_"]           # matched against the secret
/// [[rule]]                          # extends or overrides the built-in rules by id
/// id = "jwt"
/// disabled = true
/// ```
///
/// Who wrote the settings decides what they may do. A scanned repository's own
/// `.keyward.toml` ([`ScanConfig::for_root`]) is written by whoever controls the
/// repository, and a hostile one must not be able to hide the user's own leaked secret:
/// its allowlists and baseline accept provider-rule findings (`secret`) only, never a
/// vault value (`leak`), and its size limit may raise the default limit (up to
/// [`REPOSITORY_MAX_FILE_SIZE`]) but not lower it. Settings the user names
/// ([`ScanConfig::load`], `--config`; a `--baseline` through
/// [`ScanConfig::set_user_baseline`]) apply to every finding.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    #[serde(default)]
    pub allow: Allowlist,
    pub max_file_size: Option<u64>,
    pub baseline: Option<PathBuf>,
    /// The repository file these settings were read from; `None` for the user's own.
    #[serde(skip)]
    repository_file: Option<PathBuf>,
    /// Whether `baseline` was named by the user rather than by the repository's file.
    #[serde(skip)]
    user_baseline: bool,
    /// The file these settings were read from, which errors in its rules name.
    #[serde(skip)]
    source: Option<PathBuf>,
    /// Rules and allowlists of a gitleaks configuration the user named
    /// (`--rules-from`), applied after the rules above.
    #[serde(skip)]
    gitleaks: Option<Arc<GitleaksRules>>,
}

/// The highest size limit a repository's `.keyward.toml` can set: files are read whole,
/// one per worker thread, so a repository asking for more could make a scan of its
/// sparse multi-gigabyte file cost that much memory.
pub const REPOSITORY_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

impl ScanConfig {
    /// Settings from a file the user named: they apply to every finding.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = read_regular_file(path, MAX_INPUT_FILE_SIZE).map_err(|source| {
            ScanError::Unreadable {
                path: path.to_owned(),
                source,
            }
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|error| ScanError::Config {
            path: path.to_owned(),
            problem: format!(
                "not UTF-8 text (invalid byte at offset {})",
                error.valid_up_to()
            ),
        })?;
        let mut config: Self = toml::from_str(text).map_err(|error| ScanError::Config {
            path: path.to_owned(),
            problem: error.to_string(),
        })?;
        for rule in &mut config.rules {
            rule.normalize_samples();
        }
        config.source = Some(path.to_owned());
        // Rules are compiled now, so a bad one is refused naming this file before any
        // scan starts.
        let origin = path.display().to_string();
        for spec in config.rules.iter().filter(|spec| !spec.disabled) {
            UserRule::new(spec.clone(), &origin).compile()?;
        }
        Ok(config)
    }

    /// Adds the rules and allowlists of the gitleaks configuration at `path` (see
    /// [`gitleaks`]); returns what of it has no effect in Keyward, one warning each.
    /// The file is the user's choice, so its rules run wherever its regexes match, but
    /// its global allowlists, like a repository's, accept `secret` findings only: such
    /// files are usually a repository's `.gitleaks.toml`, written by whoever controls
    /// the repository, and know nothing of the vault.
    pub fn add_gitleaks_rules(&mut self, path: &Path) -> Result<Vec<String>> {
        let rules = gitleaks::load(path)?;
        let warnings = rules.warnings.clone();
        self.gitleaks = Some(Arc::new(rules));
        Ok(warnings)
    }

    /// The gitleaks rules added with [`ScanConfig::add_gitleaks_rules`], if any.
    pub fn gitleaks_rules(&self) -> Option<&GitleaksRules> {
        self.gitleaks.as_deref()
    }

    /// The rules a scan with these settings runs: the built-in ones, then the `[[rule]]`
    /// entries, then the gitleaks rules, each replacing a rule of the same id before it.
    pub fn rule_set(&self) -> Result<RuleSet> {
        let origin = self
            .source
            .as_ref()
            .map_or_else(|| "settings".to_owned(), |path| path.display().to_string());
        let mut rules: Vec<UserRule> = self
            .rules
            .iter()
            .map(|spec| UserRule::new(spec.clone(), &origin))
            .collect();
        if let Some(gitleaks) = &self.gitleaks {
            rules.extend(gitleaks.rules.iter().cloned());
        }
        RuleSet::with_user_rules(&rules)
    }

    /// The root's `.keyward.toml` if there is one, else the defaults. Settings found this
    /// way are the repository's, with the limits described on [`ScanConfig`].
    pub fn for_root(root: &Path) -> Result<Self> {
        let path = root.join(CONFIG_FILE);
        // Anything there but a directory is loaded, so a FIFO or a device is refused by
        // name (without being opened) rather than silently ignored.
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if !metadata.is_dir() => {
                let mut config = Self::load(&path)?;
                config.repository_file = Some(path);
                Ok(config)
            }
            _ => Ok(Self::default()),
        }
    }

    /// The repository file these settings came from, if they came from one.
    pub fn repository_file(&self) -> Option<&Path> {
        self.repository_file.as_deref()
    }

    /// Uses the baseline file the user named (`--baseline`), in place of any the
    /// repository's file names; the user's baseline may accept vault leaks.
    pub fn set_user_baseline(&mut self, path: Option<PathBuf>) {
        self.user_baseline = path.is_some();
        self.baseline = path;
    }

    /// Whether the allowlists may accept a vault leak.
    pub(crate) fn allowlist_accepts_leaks(&self) -> bool {
        self.repository_file.is_none()
    }

    /// Whether the baseline may accept a vault leak.
    pub(crate) fn baseline_accepts_leaks(&self) -> bool {
        self.repository_file.is_none() || self.user_baseline
    }

    /// The size limit to scan with, given the one the user asked for: the user's own
    /// settings replace it; a repository's may only raise it, up to
    /// [`REPOSITORY_MAX_FILE_SIZE`].
    pub(crate) fn max_file_size(&self, asked: u64) -> u64 {
        match (self.max_file_size, &self.repository_file) {
            (None, _) => asked,
            (Some(limit), None) => limit,
            (Some(limit), Some(_)) => asked.max(limit.min(REPOSITORY_MAX_FILE_SIZE)),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub regexes: Vec<String>,
}

/// The allowlist compiled for one root.
pub(crate) struct CompiledAllowlist {
    paths: Gitignore,
    regexes: Vec<Regex>,
}

impl CompiledAllowlist {
    pub fn new(root: &Path, allow: &Allowlist, origin: &Path) -> Result<Self> {
        let invalid = |problem: String| ScanError::Config {
            path: origin.to_owned(),
            problem,
        };
        let mut builder = GitignoreBuilder::new(root);
        for glob in &allow.paths {
            builder
                .add_line(None, glob)
                .map_err(|error| invalid(format!("allow.paths `{glob}`: {error}")))?;
        }
        let paths = builder
            .build()
            .map_err(|error| invalid(error.to_string()))?;
        let regexes = allow
            .regexes
            .iter()
            .map(|pattern| {
                Regex::new(pattern)
                    .map_err(|error| invalid(format!("allow.regexes `{pattern}`: {error}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { paths, regexes })
    }

    /// Whether a finding at `relative` (with secret `secret`) is allowed.
    pub fn allows(&self, relative: &Path, secret: &[u8]) -> bool {
        self.paths
            .matched_path_or_any_parents(relative, false)
            .is_ignore()
            || self.regexes.iter().any(|regex| regex.is_match(secret))
    }
}

/// Findings a team has reviewed and accepted, so that only new ones fail a build.
///
/// Entries name a finding by its keyed fingerprint (`v2:`, see [`crate::FingerprintKey`]),
/// so a baseline matches only in homes (and CI jobs) fingerprinting under the same key:
/// the team's key, or the one home's own. Entries in the unkeyed format of Keyward before
/// v2 are never matched ([`Baseline::outdated_entries`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
}

impl Baseline {
    /// Reads a baseline: a regular file under [`MAX_INPUT_FILE_SIZE`], since a
    /// repository's `.keyward.toml` may name any path (`/dev/zero`, a FIFO).
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = read_regular_file(path, MAX_INPUT_FILE_SIZE).map_err(|source| {
            ScanError::Unreadable {
                path: path.to_owned(),
                source,
            }
        })?;
        Self::parse(path, &bytes)
    }

    /// Parses the bytes of a baseline file (`path` only names it in errors). Public so
    /// the reader can be fuzzed.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|error| ScanError::Config {
            path: path.to_owned(),
            problem: format!("not a Keyward baseline: {error}"),
        })
    }

    /// A baseline accepting every finding given.
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|finding| BaselineEntry {
                fingerprint: finding.fingerprint.clone(),
                rule: finding.rule.clone(),
                path: finding.path.clone(),
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
        });
        Self { findings: entries }
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("baseline serializes") + "\n";
        std::fs::write(path, text).map_err(|source| ScanError::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// A finding is accepted when its secret (fingerprint) was accepted for its path.
    /// (A scan without a fingerprint key applies no baseline at all.)
    pub fn accepts(&self, finding: &Finding) -> bool {
        self.findings
            .iter()
            .any(|entry| entry.fingerprint == finding.fingerprint && entry.path == finding.path)
    }

    /// How many entries are not of the current keyed format: unkeyed fingerprints of
    /// Keyward before v2 (or anything else), which are never matched.
    pub fn outdated_entries(&self) -> usize {
        self.findings
            .iter()
            .filter(|entry| !crate::is_current_fingerprint(&entry.fingerprint))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_regex_allowlists_apply() {
        let allow = Allowlist {
            paths: vec!["docs/**".into()],
            regexes: vec!["^sk_test_".into()],
        };
        let compiled =
            CompiledAllowlist::new(Path::new("/repo"), &allow, Path::new(".keyward.toml")).unwrap();
        assert!(compiled.allows(Path::new("docs/setup.md"), b"anything"));
        assert!(compiled.allows(Path::new("src/a.rs"), b"sk_test_abc"));
        assert!(!compiled.allows(Path::new("src/a.rs"), b"sk_live_abc"));
    }

    #[test]
    fn a_repository_may_raise_the_size_limit_but_not_lower_it_or_accept_leaks() {
        // No tempfile dev-dependency here: a directory of this test's own, removed at the end.
        let root = std::env::temp_dir().join(format!(
            "keyward-scan-allow-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join(CONFIG_FILE),
            "max_file_size = 1\n[allow]\npaths = [\"**\"]\n",
        )
        .unwrap();
        let repository = ScanConfig::for_root(&root).unwrap();
        assert!(repository.repository_file().is_some());
        assert!(!repository.allowlist_accepts_leaks());
        assert!(!repository.baseline_accepts_leaks());
        assert_eq!(repository.max_file_size(10), 10, "lowering is ignored");
        let raising = ScanConfig {
            max_file_size: Some(u64::MAX),
            ..repository.clone()
        };
        assert_eq!(raising.max_file_size(10), REPOSITORY_MAX_FILE_SIZE);
        let mut with_user_baseline = repository;
        with_user_baseline.set_user_baseline(Some(PathBuf::from("mine.json")));
        assert!(with_user_baseline.baseline_accepts_leaks());

        let own = ScanConfig::load(&root.join(CONFIG_FILE)).unwrap();
        assert!(own.repository_file().is_none());
        assert!(own.allowlist_accepts_leaks());
        assert_eq!(
            own.max_file_size(10),
            1,
            "the user's own limit applies as set"
        );
    }

    #[test]
    fn a_bad_rule_in_a_settings_file_is_refused_naming_the_file_and_the_rule() {
        let path = std::env::temp_dir().join(format!(
            "keyward-scan-bad-rule-{}-{:?}.toml",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::write(
            &path,
            "[[rule]]\nid = \"acme-token\"\nkeywords = [\"acme_\"]\nregex = '(acme_'\n",
        )
        .unwrap();
        let error = ScanConfig::load(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(
            error.contains(&path.display().to_string()) && error.contains("rule `acme-token`"),
            "the error must say where to fix it: {error}"
        );
    }
}
