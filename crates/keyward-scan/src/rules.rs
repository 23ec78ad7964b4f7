//! The rule table: the embedded `rules.toml`, user extensions and overrides, and the
//! compiled form (one keyword automaton over every rule, one regex per rule).

use std::collections::HashMap;
use std::sync::Arc;

use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

use super::keywords::KeywordAutomaton;
use super::rule_filters::RuleFilter;
use super::{Result, ScanError};
use keyward_model::CredentialKind;
use keyward_model::leak::Confidence;

/// The rules Keyward ships with: the core table, then one file per provider family.
pub const BUILTIN_RULES: &str = include_str!("rules.toml");

/// Every built-in rule file, by the name errors report, in load order.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("rules.toml", BUILTIN_RULES),
    ("rules/devtools.toml", include_str!("rules/devtools.toml")),
    (
        "rules/communication.toml",
        include_str!("rules/communication.toml"),
    ),
    ("rules/identity.toml", include_str!("rules/identity.toml")),
    ("rules/iot.toml", include_str!("rules/iot.toml")),
    ("rules/social.toml", include_str!("rules/social.toml")),
    ("rules/saas.toml", include_str!("rules/saas.toml")),
    (
        "rules/frameworks.toml",
        include_str!("rules/frameworks.toml"),
    ),
    ("rules/cloud.toml", include_str!("rules/cloud.toml")),
    (
        "rules/credentials.toml",
        include_str!("rules/credentials.toml"),
    ),
];

/// Entropy floor (bits per character) for a rule that does not set its own.
const DEFAULT_ENTROPY: f64 = 2.5;

/// A rule as written in TOML.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: Option<CredentialKind>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub regex: String,
    #[serde(default)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub multiline: bool,
    #[serde(default)]
    pub generic: bool,
    /// How sure a match of this rule is before its file's context is weighed. Default:
    /// `high` for a rule with a checksum or a multi-line block (its structure is
    /// validated), `low` for a generic rule, `medium` for every other provider pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Turns a built-in rule off (in an override).
    #[serde(default)]
    pub disabled: bool,
    /// A template the tests expand into a fake secret (`ghp_{an:30}{crc}`). The older,
    /// single-sample form; after [`parse`] it is the first of [`Self::samples`].
    #[serde(default)]
    pub sample: Option<String>,
    /// Templates of text this rule must report (positive samples).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<String>,
    /// Templates of realistic near misses this rule must not report: wrong length or
    /// alphabet, failing checksum, placeholder, identifier, missing prefix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negatives: Vec<String>,
}

impl RuleSpec {
    /// Every positive sample template: `sample`, then the `samples` not equal to it.
    pub fn positive_samples(&self) -> impl Iterator<Item = &str> + '_ {
        self.sample.as_deref().into_iter().chain(
            self.samples
                .iter()
                .map(String::as_str)
                .filter(move |template| Some(*template) != self.sample.as_deref()),
        )
    }

    /// Folds the single `sample` into `samples` and sets `sample` to the first positive,
    /// so readers of either field see the same templates.
    pub(crate) fn normalize_samples(&mut self) {
        if let Some(sample) = &self.sample
            && !self.samples.contains(sample)
        {
            self.samples.insert(0, sample.clone());
        }
        self.sample = self.samples.first().cloned();
    }
}

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// How a rule's matches are verified beyond their shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub and npm tokens: the last six characters are a base62 CRC32.
    GithubCrc32,
    /// A JWT's header and payload decode to JSON objects and the header names an `alg`.
    Jwt,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub regex: Regex,
    pub checksum: Option<Checksum>,
    pub entropy: f64,
    pub kind: CredentialKind,
    /// Index of the capture group named `name` (generic assignments), if any.
    pub name_group: Option<usize>,
    /// The confidence of a match in ordinary source (see [`RuleSpec::confidence`]).
    pub confidence: Confidence,
    /// For a rule read from a gitleaks configuration, gitleaks' semantics: its secret
    /// group, entropy floor, path filter and allowlists replace Keyward's own checks.
    pub(crate) filter: Option<Arc<RuleFilter>>,
}

impl Rule {
    fn compile(spec: RuleSpec, origin: &str, filter: Option<Arc<RuleFilter>>) -> Result<Self> {
        let invalid = |problem: String| ScanError::Rules {
            origin: origin.to_owned(),
            problem: format!("rule `{}`: {problem}", spec.id),
        };
        if spec.id.is_empty() {
            return Err(invalid("the id is empty".into()));
        }
        if spec.keywords.is_empty() || spec.keywords.iter().any(|keyword| keyword.len() < 2) {
            return Err(invalid(
                "needs at least one keyword of two or more characters".into(),
            ));
        }
        // Rules match bytes with ASCII classes (`\w`, `\s`, `\b`): tokens are ASCII, and
        // Unicode classes would make every regex several times larger and slower.
        let regex = regex::bytes::RegexBuilder::new(&spec.regex)
            .unicode(false)
            .build()
            .map_err(|error| invalid(format!("regex: {error}")))?;
        let checksum = match spec.checksum.as_deref() {
            None => None,
            Some("github-crc32") => Some(Checksum::GithubCrc32),
            Some("jwt") => Some(Checksum::Jwt),
            Some(other) => {
                return Err(invalid(format!(
                    "unknown checksum `{other}` (github-crc32, jwt)"
                )));
            }
        };
        // A group called `name` means something only to Keyward's generic rules; in a
        // gitleaks regex it is just a group.
        let name_group = match filter {
            Some(_) => None,
            None => regex.capture_names().position(|name| name == Some("name")),
        };
        let confidence = spec.confidence.unwrap_or(if spec.generic {
            Confidence::Low
        } else if checksum.is_some() || spec.multiline {
            Confidence::High
        } else {
            Confidence::Medium
        });
        Ok(Self {
            confidence,
            filter,
            checksum,
            entropy: spec.entropy.unwrap_or(DEFAULT_ENTROPY),
            kind: spec.kind.unwrap_or(CredentialKind::Secret),
            name_group,
            regex,
            spec,
        })
    }

    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// Whether the rule was read from a gitleaks configuration (and so follows
    /// gitleaks' checks rather than Keyward's).
    pub fn is_imported(&self) -> bool {
        self.filter.is_some()
    }

    /// The longest keyword that starts `secret` (its fixed prefix), so entropy and
    /// placeholder checks look only at the part that should be random.
    pub fn strip_prefix<'a>(&self, secret: &'a [u8]) -> &'a [u8] {
        let mut best = 0;
        for keyword in &self.spec.keywords {
            if keyword.len() > best
                && secret.len() > keyword.len()
                && secret[..keyword.len()].eq_ignore_ascii_case(keyword.as_bytes())
            {
                best = keyword.len();
            }
        }
        &secret[best..]
    }
}

/// Every active rule plus the keyword automaton that selects them.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub(crate) keywords: KeywordAutomaton,
    /// For each keyword pattern, the rules it triggers.
    pub(crate) keyword_rules: Vec<Vec<usize>>,
}

impl RuleSet {
    /// The built-in rules.
    pub fn builtin() -> Result<Self> {
        Self::from_specs(builtin_specs()?)
    }

    /// The built-in rules with `overrides` applied: a rule with a known id replaces the
    /// built-in one (or turns it off with `disabled = true`), a new id adds a rule.
    pub fn with_overrides(overrides: &[RuleSpec]) -> Result<Self> {
        let overrides: Vec<UserRule> = overrides
            .iter()
            .map(|spec| UserRule::new(spec.clone(), "settings"))
            .collect();
        Self::with_user_rules(&overrides)
    }

    /// The built-in rules with the user's rules applied in order, each replacing the
    /// rule of its id that came before it (built-in or user) or adding a new one. A
    /// rule that does not compile is refused naming the file it came from.
    pub(crate) fn with_user_rules(user: &[UserRule]) -> Result<Self> {
        let mut sources: Vec<UserRule> = builtin_specs()?
            .into_iter()
            .map(|spec| UserRule::new(spec, "built-in rules"))
            .collect();
        for rule in user {
            match sources
                .iter_mut()
                .find(|existing| existing.spec.id == rule.spec.id)
            {
                Some(existing) => *existing = rule.clone(),
                None => sources.push(rule.clone()),
            }
        }
        let mut rules = Vec::new();
        for source in sources.into_iter().filter(|source| !source.spec.disabled) {
            rules.push(Rule::compile(source.spec, &source.origin, source.filter)?);
        }
        Self::index(rules)
    }

    pub fn from_specs(specs: Vec<RuleSpec>) -> Result<Self> {
        let mut rules = Vec::new();
        for spec in specs.into_iter().filter(|spec| !spec.disabled) {
            rules.push(Rule::compile(spec, "rules", None)?);
        }
        Self::index(rules)
    }

    /// Builds the keyword automaton over compiled rules.
    fn index(rules: Vec<Rule>) -> Result<Self> {
        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            for keyword in &rule.spec.keywords {
                let keyword = keyword.to_ascii_lowercase();
                let slot = *keyword_index.entry(keyword).or_insert_with(|| {
                    keyword_rules.push(Vec::new());
                    keyword_rules.len() - 1
                });
                if !keyword_rules[slot].contains(&index) {
                    keyword_rules[slot].push(index);
                }
            }
        }
        let mut patterns: Vec<(String, usize)> = keyword_index.into_iter().collect();
        patterns.sort_by_key(|(_, slot)| *slot);
        let patterns: Vec<&[u8]> = patterns
            .iter()
            .map(|(keyword, _)| keyword.as_bytes())
            .collect();
        let keywords =
            KeywordAutomaton::new(&patterns, true).map_err(|error| ScanError::Rules {
                origin: "rules".into(),
                problem: format!("keyword automaton: {error}"),
            })?;
        Ok(Self {
            rules,
            keywords,
            keyword_rules,
        })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.spec.id == id)
    }
}

/// A rule of the user's, with the file it came from for errors, and gitleaks'
/// semantics when it was read from a gitleaks configuration.
#[derive(Debug, Clone)]
pub(crate) struct UserRule {
    pub spec: RuleSpec,
    pub origin: String,
    pub filter: Option<Arc<RuleFilter>>,
}

impl UserRule {
    pub fn new(spec: RuleSpec, origin: &str) -> Self {
        Self {
            spec,
            origin: origin.to_owned(),
            filter: None,
        }
    }

    /// The rule compiled on its own, to refuse a bad one before a scan.
    pub fn compile(self) -> Result<Rule> {
        Rule::compile(self.spec, &self.origin, self.filter)
    }
}

/// Parses a rule file (the `[[rule]]` tables of TOML text).
pub fn parse(text: &str, origin: &str) -> Result<Vec<RuleSpec>> {
    let file: RuleFile = toml::from_str(text).map_err(|error| ScanError::Rules {
        origin: origin.to_owned(),
        problem: error.to_string(),
    })?;
    let mut rules = file.rule;
    for rule in &mut rules {
        rule.normalize_samples();
    }
    Ok(rules)
}

/// The specs of every built-in rule file, in load order.
pub fn builtin_specs() -> Result<Vec<RuleSpec>> {
    let mut specs = Vec::new();
    for (name, text) in BUILTIN_RULE_FILES {
        specs.extend(parse(text, &format!("built-in {name}"))?);
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_has_at_least_a_hundred_compiling_rules_with_unique_ids() {
        let set = RuleSet::builtin().expect("built-in rules compile");
        assert!(set.rules.len() >= 100, "only {} rules", set.rules.len());
        let mut ids: Vec<&str> = set.rules.iter().map(|rule| rule.id()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(
            before,
            ids.len(),
            "rule ids are baseline and SARIF keys: they must be unique"
        );
        for rule in &set.rules {
            assert!(
                rule.spec.sample.is_some(),
                "rule {} needs a sample for the table test",
                rule.id()
            );
            assert!(
                !rule.spec.provider.is_empty() && !rule.spec.name.is_empty(),
                "rule {}",
                rule.id()
            );
        }
    }

    #[test]
    fn overrides_replace_disable_and_add_rules() {
        let overrides = parse(
            r#"
            [[rule]]
            id = "jwt"
            disabled = true

            [[rule]]
            id = "acme-internal-token"
            provider = "Acme"
            name = "Acme internal token"
            keywords = ["acme_"]
            regex = '\b(acme_[a-z0-9]{20})\b'
            "#,
            "test",
        )
        .unwrap();
        let set = RuleSet::with_overrides(&overrides).unwrap();
        assert!(set.rule("jwt").is_none(), "a disabled rule must not run");
        assert!(set.rule("acme-internal-token").is_some());
        assert!(set.rule("github-pat").is_some());
    }

    #[test]
    fn a_bad_rule_is_refused_with_its_id() {
        let specs = parse(
            "[[rule]]\nid = \"broken\"\nkeywords = [\"br\"]\nregex = '('\n",
            "user.toml",
        )
        .unwrap();
        let error = RuleSet::from_specs(specs).unwrap_err().to_string();
        assert!(error.contains("broken"), "{error}");
    }
}
