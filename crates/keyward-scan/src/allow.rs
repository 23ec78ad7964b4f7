//! What a user accepts: the scan configuration (`.keyward.toml`), allowlists by path and
//! by regex, and the baseline file of known findings.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

use super::{Finding, Result, RuleSpec, ScanError};

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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    #[serde(default)]
    pub allow: Allowlist,
    pub max_file_size: Option<u64>,
    pub baseline: Option<PathBuf>,
}

impl ScanConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| ScanError::Io {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|error| ScanError::Config {
            path: path.to_owned(),
            problem: error.to_string(),
        })
    }

    /// The root's `.keyward.toml` if there is one, else the defaults.
    pub fn for_root(root: &Path) -> Result<Self> {
        let path = root.join(CONFIG_FILE);
        if path.is_file() {
            Self::load(&path)
        } else {
            Ok(Self::default())
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

/// Test fixtures, snapshots and templates hold fake secrets by design; a provider-rule
/// hit there is not reported. (A vault value is reported everywhere: it is real.)
pub(crate) fn is_fixture_or_template(relative: &str) -> bool {
    const DIRECTORIES: &[&str] = &[
        "fixtures",
        "__fixtures__",
        "testdata",
        "test-data",
        "__snapshots__",
        "__mocks__",
    ];
    const SUFFIXES: &[&str] = &[
        ".example",
        ".sample",
        ".template",
        ".tmpl",
        ".dist",
        ".snap",
    ];
    let lower = relative.to_ascii_lowercase();
    lower.split('/').any(|part| DIRECTORIES.contains(&part))
        || SUFFIXES.iter().any(|suffix| lower.ends_with(suffix))
}

/// Findings a team has reviewed and accepted, so that only new ones fail a build.
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
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| ScanError::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|error| ScanError::Config {
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
    pub fn accepts(&self, finding: &Finding) -> bool {
        self.findings
            .iter()
            .any(|entry| entry.fingerprint == finding.fingerprint && entry.path == finding.path)
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
    fn fixtures_and_templates_are_recognized_by_path() {
        assert!(is_fixture_or_template("tests/fixtures/creds.json"));
        assert!(is_fixture_or_template(".env.example"));
        assert!(!is_fixture_or_template("src/config.rs"));
    }
}
