//! Reading a gitleaks configuration (`keyward scan --rules-from FILE`) into Keyward's
//! rule model, so a team's custom gitleaks rules run in Keyward unchanged.
//!
//! Each `[[rules]]` table becomes a Keyward rule whose checks are gitleaks' own: the
//! `secretGroup`, the `entropy` floor, the `path` filter and the rule's allowlists
//! ([`super::rule_filters`]). Keyward runs a rule's regex only around one of its
//! keywords, so a rule without `keywords` gets them from its regex: literals of three or
//! more characters that every match contains ([`derive_keywords`]). A rule whose regex
//! has none is refused, naming the rule, rather than run over every line of every file.
//!
//! The file is read strictly: keys are matched ignoring case (as gitleaks reads them),
//! and a key gitleaks does not define is an error, so a misspelt `secretGroup` or
//! `stopwords` cannot silently change what is reported. What gitleaks defines but
//! Keyward does not do is refused by name too: path-only rules, composite rules
//! (`[[rules.required]]`, `skipReport`), and extending another file (`extend.path`,
//! `extend.url`). `[extend] useDefault` is accepted: Keyward's built-in rules always run
//! beside the file's (they are not gitleaks' default rules, which is why
//! `extend.disabledRules` is reported as a warning and otherwise ignored).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use regex::bytes::{Regex as BytesRegex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};
use serde::Deserialize;
use thiserror::Error;

use super::rule_filters::{FindingAllowlist, RegexTarget, RuleFilter};
use super::rules::{RuleSpec, UserRule, builtin_specs};
use keyward_model::fs::{MAX_INPUT_FILE_SIZE, ReadError, read_regular_file};

/// The shortest literal taken as a keyword: shorter ones occur on nearly every line.
pub const MIN_DERIVED_KEYWORD: usize = 3;
/// The most keywords derived for one rule; a regex needing more (a long alternation of
/// short words) names its keywords itself.
const MAX_DERIVED_KEYWORDS: usize = 32;
/// Derived keywords are cut to this many bytes: longer ones select no fewer lines.
const MAX_DERIVED_KEYWORD_LEN: usize = 32;

/// Why a gitleaks configuration was refused; every message names the file, and the
/// rule when one is at fault.
#[derive(Debug, Error)]
pub enum GitleaksError {
    #[error("gitleaks config {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: ReadError },

    #[error("gitleaks config {}: not UTF-8 text (invalid byte at offset {offset})", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },

    #[error("gitleaks config {}: not valid TOML: {message}", path.display())]
    Toml { path: PathBuf, message: String },

    /// A problem outside any rule: unknown keys, `[extend]`, the global allowlists.
    #[error("gitleaks config {}: {problem}", path.display())]
    Config { path: PathBuf, problem: String },

    #[error("gitleaks config {}: rule `{id}`: {problem}", path.display())]
    Rule {
        path: PathBuf,
        id: String,
        problem: String,
    },
}

/// The rules and allowlists of one gitleaks configuration, ready for a scan.
#[derive(Debug, Clone)]
pub struct GitleaksRules {
    pub(crate) rules: Vec<UserRule>,
    /// Global allowlists (no `targetRules`): they accept `secret` findings of every rule.
    pub(crate) global: Vec<FindingAllowlist>,
    /// Global allowlists whose `targetRules` name a Keyward built-in rule, by rule id.
    pub(crate) targeted: Vec<(String, FindingAllowlist)>,
    /// What was read but has no effect in Keyward, one message each.
    pub warnings: Vec<String>,
}

impl GitleaksRules {
    /// Whether the file defines no rule (it may still hold allowlists).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The allowlists that apply to findings of `rule` besides the rule's own.
    pub(crate) fn allowlists_for<'a>(
        &'a self,
        rule: &'a str,
    ) -> impl Iterator<Item = &'a FindingAllowlist> + 'a {
        self.targeted
            .iter()
            .filter(move |(id, _)| id == rule)
            .map(|(_, allowlist)| allowlist)
    }
}

/// Reads a gitleaks configuration the user named: a regular UTF-8 file under the 16 MiB
/// input limit.
pub fn load(path: &Path) -> Result<GitleaksRules, GitleaksError> {
    let bytes = read_regular_file(path, MAX_INPUT_FILE_SIZE).map_err(|source| {
        GitleaksError::Unreadable {
            path: path.to_owned(),
            source,
        }
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|error| GitleaksError::NotUtf8 {
        path: path.to_owned(),
        offset: error.valid_up_to(),
    })?;
    parse(path, text)
}

/// Parses the text of a gitleaks configuration (`path` only names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<GitleaksRules, GitleaksError> {
    let config_error = |problem: String| GitleaksError::Config {
        path: path.to_owned(),
        problem,
    };
    let table: toml::Table = toml::from_str(text).map_err(|error| GitleaksError::Toml {
        path: path.to_owned(),
        message: error.to_string().trim_end().to_owned(),
    })?;
    let value = lowercase_keys(toml::Value::Table(table), "").map_err(config_error)?;
    let file = RawFile::deserialize(value).map_err(|error| config_error(error.to_string()))?;

    let mut warnings = Vec::new();
    if let Some(extend) = &file.extend {
        if let Some(other) = extend.path.as_ref().or(extend.url.as_ref()) {
            return Err(config_error(format!(
                "[extend] names another configuration ({other}); Keyward reads one file: \
                 copy the rules you need from it into this one"
            )));
        }
        if !extend.disabledrules.is_empty() {
            warnings.push(format!(
                "{}: extend.disabledRules ({}) names rules of gitleaks' default \
                 configuration, which Keyward does not load; to turn off a Keyward rule, \
                 add `[[rule]] id = \"...\"` with `disabled = true` to your .keyward.toml",
                path.display(),
                extend.disabledrules.join(", ")
            ));
        }
    }

    let mut rules: Vec<(RuleSpec, RuleFilter)> = Vec::new();
    for (index, value) in file.rules.into_iter().enumerate() {
        let id = value
            .get("id")
            .and_then(toml::Value::as_str)
            .filter(|id| !id.is_empty())
            .map_or_else(|| format!("#{}", index + 1), str::to_owned);
        let rule_error = |problem: String| GitleaksError::Rule {
            path: path.to_owned(),
            id: id.clone(),
            problem,
        };
        let raw = RawRule::deserialize(value).map_err(|error| rule_error(error.to_string()))?;
        if rules.iter().any(|(spec, _)| spec.id == id) {
            return Err(rule_error("the id is used by an earlier rule".into()));
        }
        rules.push(convert_rule(raw, &id).map_err(rule_error)?);
    }

    if file.allowlist.is_some() && !file.allowlists.is_empty() {
        return Err(config_error(
            "[allowlist] and [[allowlists]] cannot both be used (the first is the older \
             spelling of the second)"
                .into(),
        ));
    }
    let builtin: HashSet<String> = builtin_specs()
        .map_err(|error| config_error(error.to_string()))?
        .into_iter()
        .map(|spec| spec.id)
        .collect();
    let mut global = Vec::new();
    let mut targeted = Vec::new();
    for (index, raw) in file
        .allowlist
        .into_iter()
        .chain(file.allowlists)
        .enumerate()
    {
        let place = format!("global allowlist #{}", index + 1);
        let target_rules = raw.targetrules.clone();
        let allowlist = compile_allowlist(raw)
            .map_err(|problem| config_error(format!("{place}: {problem}")))?;
        if target_rules.is_empty() {
            global.push(allowlist);
            continue;
        }
        for rule in target_rules {
            if let Some((_, filter)) = rules.iter_mut().find(|(spec, _)| spec.id == rule) {
                filter.allowlists.push(allowlist.clone());
            } else if builtin.contains(&rule) {
                targeted.push((rule, allowlist.clone()));
            } else {
                return Err(config_error(format!(
                    "{place}: targetRules names `{rule}`, which is neither a rule of this \
                     file nor a Keyward built-in rule"
                )));
            }
        }
    }

    let origin = path.display().to_string();
    Ok(GitleaksRules {
        rules: rules
            .into_iter()
            .map(|(spec, filter)| UserRule {
                spec,
                origin: origin.clone(),
                filter: Some(Arc::new(filter)),
            })
            .collect(),
        global,
        targeted,
        warnings,
    })
}

/// One `[[rules]]` table as Keyward's rule spec plus gitleaks' checks.
fn convert_rule(raw: RawRule, id: &str) -> Result<(RuleSpec, RuleFilter), String> {
    if raw.id.is_empty() {
        return Err("has no `id`".into());
    }
    if raw.required.is_some() || raw.skipreport.is_some() {
        return Err(
            "composite rules ([[rules.required]], skipReport) are not supported; write the \
             parts as separate rules"
                .into(),
        );
    }
    if raw.allowlist.is_some() && !raw.allowlists.is_empty() {
        return Err("[rules.allowlist] and [[rules.allowlists]] cannot both be used".into());
    }
    let pattern = raw.regex.filter(|regex| !regex.is_empty());
    let Some(pattern) = pattern else {
        return Err(if raw.path.is_some() {
            "has a `path` but no `regex`: path-only rules (reporting a file by its name) \
             are not supported; Keyward reports secrets, found by a regex"
                .into()
        } else {
            "has no `regex` (in gitleaks a rule with only an id adjusts the default rule of \
             that id; Keyward does not have gitleaks' default rules)"
                .into()
        });
    };
    let (regex, pattern) = compile_regex(&pattern).map_err(|error| format!("regex: {error}"))?;
    let groups = regex.captures_len() - 1;
    let secret_group = match raw.secretgroup {
        None | Some(0) => None,
        Some(group) if group < 0 => return Err(format!("secretGroup {group} is negative")),
        Some(group) if group as usize > groups => {
            return Err(format!(
                "secretGroup {group}, but the regex has {groups} capture group(s)"
            ));
        }
        Some(group) => Some(group as usize),
    };
    let entropy = match raw.entropy {
        None => None,
        Some(entropy) if !entropy.is_finite() || entropy < 0.0 => {
            return Err(format!("entropy {entropy} is not a number of bits >= 0"));
        }
        // gitleaks reads 0 as "no check".
        Some(entropy) => (entropy > 0.0).then_some(entropy),
    };
    let path = raw
        .path
        .map(|path| Regex::new(&path).map_err(|error| format!("path: {error}")))
        .transpose()?;
    let keywords = match raw.keywords.filter(|keywords| !keywords.is_empty()) {
        Some(keywords) => {
            let keywords: Vec<String> = keywords.iter().map(|k| k.to_lowercase()).collect();
            if let Some(short) = keywords.iter().find(|keyword| keyword.len() < 2) {
                return Err(format!(
                    "keyword `{short}` is shorter than two characters; Keyward runs a rule \
                     only near one of its keywords, and so short a keyword is on every line"
                ));
            }
            keywords
        }
        None => derive_keywords(&pattern).ok_or_else(|| {
            format!(
                "has no `keywords`, and none can be derived from its regex (no literal of \
                 {MIN_DERIVED_KEYWORD} or more characters that every match contains); add \
                 `keywords = [...]` with a word found on every line the rule should match"
            )
        })?,
    };
    let mut allowlists = Vec::new();
    for (index, raw) in raw.allowlist.into_iter().chain(raw.allowlists).enumerate() {
        if !raw.targetrules.is_empty() {
            return Err(format!(
                "allowlist #{}: targetRules belongs in a global [[allowlists]]",
                index + 1
            ));
        }
        allowlists.push(
            compile_allowlist(raw)
                .map_err(|problem| format!("allowlist #{}: {problem}", index + 1))?,
        );
    }
    // gitleaks searches a whole file; Keyward searches around a keyword. A regex that
    // names a line break, or lets `.` match one, is meant to span lines: it gets the
    // multi-line window (16 KiB after its keyword) instead of the keyword's line.
    let multiline = pattern.contains("\\n") || pattern.contains("(?s");
    let spec = RuleSpec {
        id: id.to_owned(),
        multiline,
        name: if raw.description.is_empty() {
            id.to_owned()
        } else {
            raw.description
        },
        keywords,
        regex: pattern,
        ..RuleSpec::default()
    };
    let filter = RuleFilter {
        secret_group,
        entropy,
        path,
        allowlists,
    };
    Ok((spec, filter))
}

/// Compiles a gitleaks (Go RE2) regex as Keyward's rules are compiled: over bytes, with
/// ASCII classes, which is what RE2's `\w`, `\d`, `\s` and `\b` are. A regex that needs
/// Unicode (`\p{L}`) is compiled in Unicode mode instead, where those classes are
/// Unicode-aware too; the pattern returned says so with a leading `(?u)`.
fn compile_regex(pattern: &str) -> Result<(BytesRegex, String), regex::Error> {
    match RegexBuilder::new(pattern).unicode(false).build() {
        Ok(regex) => Ok((regex, pattern.to_owned())),
        Err(ascii_error) => {
            let unicode = format!("(?u){pattern}");
            match RegexBuilder::new(&unicode).unicode(false).build() {
                Ok(regex) => Ok((regex, unicode)),
                Err(_) => Err(ascii_error),
            }
        }
    }
}

fn compile_allowlist(raw: RawAllowlist) -> Result<FindingAllowlist, String> {
    let all_criteria = match raw
        .condition
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("" | "OR" | "||") => false,
        Some("AND" | "&&") => true,
        Some(_) => {
            return Err(format!(
                "condition `{}` is neither \"OR\" nor \"AND\"",
                raw.condition.unwrap_or_default()
            ));
        }
    };
    let target = match raw.regextarget.as_deref() {
        None | Some("" | "secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(format!(
                "regexTarget `{other}` is not \"secret\", \"match\" or \"line\""
            ));
        }
    };
    if raw.commits.is_empty()
        && raw.paths.is_empty()
        && raw.regexes.is_empty()
        && raw.stopwords.is_empty()
    {
        return Err("sets none of commits, paths, regexes, stopwords".into());
    }
    let paths = raw
        .paths
        .iter()
        .map(|path| Regex::new(path).map_err(|error| format!("paths `{path}`: {error}")))
        .collect::<Result<_, _>>()?;
    let regexes = raw
        .regexes
        .iter()
        .map(|regex| {
            compile_regex(regex)
                .map(|(compiled, _)| compiled)
                .map_err(|error| format!("regexes `{regex}`: {error}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(FindingAllowlist {
        all_criteria,
        commits: raw
            .commits
            .iter()
            .map(|commit| commit.trim().to_ascii_lowercase())
            .collect(),
        paths,
        target,
        regexes,
        stopwords: raw
            .stopwords
            .iter()
            .map(|word| word.to_lowercase())
            .collect(),
    })
}

/// Keywords for a regex that names none: lower-case literals of at least
/// [`MIN_DERIVED_KEYWORD`] characters such that every match contains one of them (a
/// required prefix, suffix or inner literal), at most [`MAX_DERIVED_KEYWORDS`] of them.
/// `None` when there are none: the regex could match without any fixed text.
pub fn derive_keywords(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(pattern.starts_with("(?u)"))
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    required_literals(&hir).map(|(literals, _)| literals)
}

/// The best set of literals every match of `hir` contains, with its shortest length.
/// Better is longer (fewer lines select the rule), then fewer.
fn required_literals(hir: &Hir) -> Option<(Vec<String>, usize)> {
    let mut best: Option<(Vec<String>, usize)> = None;
    let mut consider = |candidate: Option<(Vec<String>, usize)>| {
        if let Some((literals, shortest)) = candidate {
            let better = best.as_ref().is_none_or(|(current, current_shortest)| {
                (shortest, std::cmp::Reverse(literals.len()))
                    > (*current_shortest, std::cmp::Reverse(current.len()))
            });
            if better {
                best = Some((literals, shortest));
            }
        }
    };
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        // Room for the case variants of a `(?i)` literal of a dozen letters, which
        // collapse again once lower-cased.
        let seq = Extractor::new()
            .kind(kind.clone())
            .limit_total(4096)
            .extract(hir);
        consider(usable(&seq, &kind));
    }
    match hir.kind() {
        HirKind::Capture(capture) => consider(required_literals(&capture.sub)),
        HirKind::Repetition(repetition) if repetition.min >= 1 => {
            consider(required_literals(&repetition.sub));
        }
        HirKind::Concat(parts) => {
            for part in parts {
                consider(required_literals(part));
            }
        }
        HirKind::Alternation(branches) => {
            // Every branch must contribute, or a match through the others has none.
            let mut union: Vec<String> = Vec::new();
            let mut shortest = usize::MAX;
            let mut complete = true;
            for branch in branches {
                match required_literals(branch) {
                    Some((literals, length)) => {
                        union.extend(literals);
                        shortest = shortest.min(length);
                    }
                    None => {
                        complete = false;
                        break;
                    }
                }
            }
            union.sort();
            union.dedup();
            if complete && union.len() <= MAX_DERIVED_KEYWORDS {
                consider(Some((union, shortest)));
            }
        }
        _ => {}
    }
    best
}

/// The literals of an extracted sequence as keywords: lower-cased (the keyword pass
/// ignores ASCII case), then cut from the side that is fixed to the longest length at
/// which they are no more distinct words than at [`MIN_DERIVED_KEYWORD`] characters, so
/// `password|passwd` gives `passw` rather than one keyword per following character.
fn usable(seq: &Seq, kind: &ExtractKind) -> Option<(Vec<String>, usize)> {
    let literals: Vec<Vec<u8>> = seq
        .literals()?
        .iter()
        .map(|literal| literal.as_bytes().to_ascii_lowercase())
        .collect();
    let shortest = literals.iter().map(Vec::len).min()?;
    if shortest < MIN_DERIVED_KEYWORD {
        return None;
    }
    let cut = |length: usize| -> Vec<&[u8]> {
        let mut words: Vec<&[u8]> = literals
            .iter()
            .map(|bytes| {
                if kind.is_prefix() {
                    &bytes[..length]
                } else {
                    &bytes[bytes.len() - length..]
                }
            })
            .collect();
        words.sort();
        words.dedup();
        words
    };
    let fewest = cut(MIN_DERIVED_KEYWORD).len();
    let length = (MIN_DERIVED_KEYWORD..=shortest.min(MAX_DERIVED_KEYWORD_LEN))
        .rev()
        .find(|length| cut(*length).len() == fewest)?;
    let keywords = cut(length)
        .into_iter()
        .map(|word| std::str::from_utf8(word).ok().map(str::to_owned))
        .collect::<Option<Vec<String>>>()?;
    (keywords.len() <= MAX_DERIVED_KEYWORDS).then_some((keywords, length))
}

/// Table keys in lower case, as gitleaks (through viper) reads them; two keys equal
/// but for case are refused rather than one silently winning.
fn lowercase_keys(value: toml::Value, place: &str) -> Result<toml::Value, String> {
    match value {
        toml::Value::Table(table) => {
            let mut lowered = toml::Table::new();
            for (key, value) in table {
                let lower = key.to_ascii_lowercase();
                let inner = if place.is_empty() {
                    key.clone()
                } else {
                    format!("{place}.{key}")
                };
                let value = lowercase_keys(value, &inner)?;
                if lowered.insert(lower, value).is_some() {
                    return Err(format!(
                        "`{inner}` is given twice (keys are read ignoring case)"
                    ));
                }
            }
            Ok(toml::Value::Table(lowered))
        }
        toml::Value::Array(items) => items
            .into_iter()
            .map(|item| lowercase_keys(item, place))
            .collect::<Result<_, _>>()
            .map(toml::Value::Array),
        other => Ok(other),
    }
}

/// The top level of a gitleaks configuration, keys in lower case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "title")]
    _title: Option<String>,
    #[serde(default, rename = "description")]
    _description: Option<String>,
    #[serde(default, rename = "minversion")]
    _min_version: Option<String>,
    extend: Option<RawExtend>,
    #[serde(default)]
    rules: Vec<toml::Value>,
    allowlist: Option<RawAllowlist>,
    #[serde(default)]
    allowlists: Vec<RawAllowlist>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtend {
    #[serde(default, rename = "usedefault")]
    _use_default: bool,
    path: Option<String>,
    url: Option<String>,
    #[serde(default)]
    disabledrules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    id: String,
    #[serde(default)]
    description: String,
    regex: Option<String>,
    secretgroup: Option<i64>,
    entropy: Option<f64>,
    keywords: Option<Vec<String>>,
    path: Option<String>,
    #[serde(default, rename = "tags")]
    _tags: Vec<String>,
    allowlist: Option<RawAllowlist>,
    #[serde(default)]
    allowlists: Vec<RawAllowlist>,
    required: Option<toml::Value>,
    skipreport: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowlist {
    #[serde(default, rename = "description")]
    _description: String,
    condition: Option<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    regextarget: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    targetrules: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(pattern: &str) -> Option<Vec<String>> {
        derive_keywords(pattern)
    }

    fn words(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|word| (*word).to_owned()).collect())
    }

    #[test]
    fn a_fixed_prefix_is_the_keyword() {
        assert_eq!(keywords(r"\b(acme_[a-z0-9]{32})\b"), words(&["acme_"]));
        assert_eq!(
            keywords(r"\b(?:ghp|gho)_[A-Za-z0-9]{36}"),
            words(&["gho_", "ghp_"])
        );
    }

    #[test]
    fn case_insensitive_literals_collapse_to_one_lower_case_keyword() {
        assert_eq!(
            keywords(r"(?i)AcmeCorp-[0-9a-f]{40}"),
            words(&["acmecorp-"])
        );
        assert_eq!(
            keywords(r#"(?i)acme[_-]?token\s*=\s*"([a-z0-9]{20})""#),
            words(&["acme"]),
            "the start the spellings share, once"
        );
        assert_eq!(
            keywords(r"(?u)(?i)\bAcme_\p{L}{10}"),
            words(&["acme_"]),
            "a Unicode-mode regex is read in Unicode mode"
        );
    }

    #[test]
    fn an_inner_or_trailing_literal_serves_when_the_start_is_a_class() {
        assert_eq!(
            keywords(r"[a-z0-9]{8}\.internal\.example\.com/[A-Z]{4}"),
            words(&[".internal.example.com/"])
        );
        assert_eq!(keywords(r"[0-9a-f]{32}@vault"), words(&["@vault"]));
        assert_eq!(
            keywords(r#"(?i)(?:password|passwd)\s*=\s*"([^"]{8,64})""#),
            words(&["passw"]),
            "a shared start of the branches is enough"
        );
    }

    #[test]
    fn every_branch_of_an_alternation_must_give_a_literal() {
        assert_eq!(
            keywords(r"(?:[0-9]{4}-token|secret-[a-z]{8})"),
            words(&["-token", "secret-"])
        );
        assert_eq!(keywords(r"(?:[0-9]{4}-token|[a-z]{8})"), None);
    }

    #[test]
    fn no_keyword_without_a_literal_of_three_characters() {
        assert_eq!(keywords(r"[a-f0-9]{32}"), None);
        assert_eq!(
            keywords(r"\b[A-Z]{2}_[0-9]{10}\b"),
            None,
            "`_` alone is too short"
        );
        assert_eq!(
            keywords(r"(?:ab)?[0-9]{40}"),
            None,
            "an optional literal is not required"
        );
        assert_eq!(keywords(r"(?:xyz)*[0-9]{40}"), None);
        assert_eq!(keywords(r"(?:xyz)+[0-9]{40}"), words(&["xyz"]));
    }

    fn parsed(text: &str) -> Result<GitleaksRules, GitleaksError> {
        parse(Path::new("team.toml"), text)
    }

    fn problem(text: &str) -> String {
        parsed(text).unwrap_err().to_string()
    }

    #[test]
    fn a_rule_maps_to_keywords_secret_group_entropy_path_and_allowlists() {
        let rules = parsed(
            r#"
            title = "team"
            [extend]
            useDefault = true
            [[rules]]
            id = "acme-token"
            description = "Acme internal token"
            regex = '''(?i)acme[_-]?token\s*=\s*"(acme_[a-z0-9]{20})"'''
            secretGroup = 1
            Entropy = 3
            path = '''\.py$'''
            tags = ["internal"]
            [[rules.allowlists]]
            condition = "and"
            regexTarget = "line"
            regexes = ['''# fake''']
            stopWords = ["example"]
            "#,
        )
        .unwrap();
        assert!(rules.warnings.is_empty(), "{:?}", rules.warnings);
        let rule = &rules.rules[0];
        assert_eq!(rule.spec.id, "acme-token");
        assert_eq!(rule.spec.name, "Acme internal token");
        assert_eq!(
            rule.spec.keywords,
            vec!["acme_".to_owned()],
            "the longest required literal"
        );
        assert_eq!(rule.origin, "team.toml");
        let filter = rule.filter.as_ref().unwrap();
        assert!(
            !rule.spec.multiline,
            "a one-line regex searches the keyword's line"
        );
        assert_eq!(filter.secret_group, Some(1));
        assert_eq!(filter.entropy, Some(3.0));
        assert!(filter.path.as_ref().unwrap().is_match("src/app.py"));
        let allowlist = &filter.allowlists[0];
        assert!(allowlist.all_criteria);
        assert_eq!(allowlist.target, RegexTarget::Line);
        assert_eq!(allowlist.stopwords, vec!["example".to_owned()]);
    }

    #[test]
    fn a_regex_that_spans_lines_gets_the_multi_line_window() {
        let rules = parsed(
            "[[rules]]\nid = \"acme-key\"\nregex = '''ACME KEY-----\\n[A-Za-z0-9+/=\\n]{64,2048}-----END'''\n\
             [[rules]]\nid = \"acme-dotall\"\nregex = '''(?s)acme_begin.{1,200}acme_end'''\n",
        )
        .unwrap();
        assert!(rules.rules.iter().all(|rule| rule.spec.multiline));
    }

    #[test]
    fn global_allowlists_are_global_or_given_to_the_rules_they_target() {
        let rules = parsed(
            r#"
            [[rules]]
            id = "acme-token"
            regex = '''acme_[a-z0-9]{20}'''
            [[allowlists]]
            paths = ['''^vendor/''']
            [[allowlists]]
            targetRules = ["acme-token", "github-pat"]
            stopwords = ["sample"]
            "#,
        )
        .unwrap();
        assert_eq!(rules.global.len(), 1);
        assert_eq!(rules.rules[0].filter.as_ref().unwrap().allowlists.len(), 1);
        assert_eq!(rules.allowlists_for("github-pat").count(), 1);
        assert_eq!(rules.allowlists_for("jwt").count(), 0);
    }

    #[test]
    fn what_keyward_cannot_honour_is_refused_naming_the_rule() {
        let no_keywords = problem("[[rules]]\nid = \"hex\"\nregex = '''[a-f0-9]{32}'''\n");
        assert!(
            no_keywords.contains("team.toml")
                && no_keywords.contains("rule `hex`")
                && no_keywords.contains("keywords = [...]"),
            "{no_keywords}"
        );
        let bad_regex = problem("[[rules]]\nid = \"broken\"\nregex = '''acme_(['''\n");
        assert!(bad_regex.contains("rule `broken`: regex:"), "{bad_regex}");
        let group = problem("[[rules]]\nid = \"g\"\nregex = '''acme_(x)'''\nsecretGroup = 2\n");
        assert!(
            group.contains("secretGroup 2, but the regex has 1"),
            "{group}"
        );
        let unknown = problem("[[rules]]\nid = \"typo\"\nregex = '''acme_x'''\nsecretGrup = 1\n");
        assert!(
            unknown.contains("rule `typo`") && unknown.contains("secretgrup"),
            "{unknown}"
        );
        let path_only = problem("[[rules]]\nid = \"pem-files\"\npath = '''\\.pem$'''\n");
        assert!(path_only.contains("path-only rules"), "{path_only}");
        let extends =
            problem("[[rules]]\nid = \"gitlab-pat\"\n[[rules.allowlists]]\nregexes = ['''x''']\n");
        assert!(extends.contains("has no `regex`"), "{extends}");
        let duplicate = problem(
            "[[rules]]\nid = \"a\"\nregex = '''acme_x'''\n[[rules]]\nid = \"a\"\nregex = '''acme_y'''\n",
        );
        assert!(
            duplicate.contains("rule `a`: the id is used"),
            "{duplicate}"
        );
        let extend = problem("[extend]\npath = \"base.toml\"\n");
        assert!(extend.contains("base.toml"), "{extend}");
        let target = problem("[[allowlists]]\ntargetRules = [\"nope\"]\npaths = ['''x''']\n");
        assert!(target.contains("`nope`"), "{target}");
        let empty = problem(
            "[[rules]]\nid = \"e\"\nregex = '''acme_x'''\n[rules.allowlist]\ndescription = \"nothing\"\n",
        );
        assert!(empty.contains("sets none of"), "{empty}");
        let condition = problem("[[allowlists]]\ncondition = \"XOR\"\npaths = ['''x''']\n");
        assert!(condition.contains("`XOR`"), "{condition}");
        let twice = problem(
            "[[rules]]\nid = \"t\"\nregex = '''acme_x'''\nsecretGroup = 0\nsecretgroup = 0\n",
        );
        assert!(twice.contains("given twice"), "{twice}");
        let toml = problem("[[rules]\n");
        assert!(toml.contains("team.toml: not valid TOML"), "{toml}");
    }

    #[test]
    fn disabled_default_rules_are_a_warning() {
        let rules =
            parsed("[extend]\nuseDefault = true\ndisabledRules = [\"generic-api-key\"]\n").unwrap();
        assert!(rules.is_empty());
        assert_eq!(rules.warnings.len(), 1);
        assert!(rules.warnings[0].contains("generic-api-key"));
    }
}
