//! What a rule read from a gitleaks configuration decides beyond Keyward's own rule
//! schema: which capture group is the secret, gitleaks' entropy floor, the files it
//! applies to, and its allowlists. Kept apart from [`super::rules`] and
//! [`super::gitleaks`] so the detector and the walker can apply them without knowing
//! where they were read from.

use regex::Regex;
use regex::bytes::Regex as BytesRegex;

/// The gitleaks semantics of one imported rule.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// gitleaks' `secretGroup`: the capture group that is the secret. `None` takes the
    /// first non-empty group, or the whole match when the regex has none.
    pub(crate) secret_group: Option<usize>,
    /// gitleaks' `entropy`: a secret is reported only when its Shannon entropy (of the
    /// whole secret, prefix included) is strictly greater. `None` checks nothing.
    pub(crate) entropy: Option<f64>,
    /// gitleaks' `path`: the rule applies only to files whose path relative to the
    /// scanned root (`dist/app.jar!inner/file` inside archives) this matches.
    pub(crate) path: Option<Regex>,
    /// The rule's own allowlists, and the global ones that name it in `targetRules`.
    pub(crate) allowlists: Vec<FindingAllowlist>,
}

impl RuleFilter {
    /// Whether the rule reports a finding: its path filter admits the file and none of
    /// its allowlists accepts the finding.
    pub(crate) fn reports(&self, finding: &FindingContext<'_>) -> bool {
        self.path
            .as_ref()
            .is_none_or(|path| path.is_match(finding.path))
            && !self
                .allowlists
                .iter()
                .any(|allowlist| allowlist.allows(finding))
    }
}

/// What an allowlist's `regexes` are matched against (`regexTarget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RegexTarget {
    /// The secret (gitleaks' default, also spelt `"secret"`).
    #[default]
    Secret,
    /// The whole regex match the secret was taken from.
    Match,
    /// The line (or lines) holding the match.
    Line,
}

/// A gitleaks allowlist, global or a rule's. With `condition = "OR"` (the default) a
/// finding is accepted when any criterion holds; with `"AND"` when every criterion the
/// allowlist sets holds.
#[derive(Debug, Clone, Default)]
pub struct FindingAllowlist {
    pub(crate) all_criteria: bool,
    /// Full commit ids, lower case; gitleaks matches no abbreviated ids either.
    pub(crate) commits: Vec<String>,
    pub(crate) paths: Vec<Regex>,
    pub(crate) target: RegexTarget,
    pub(crate) regexes: Vec<BytesRegex>,
    /// Lower case; a secret containing one (ignoring ASCII case) is accepted.
    pub(crate) stopwords: Vec<String>,
}

/// One finding as allowlists see it.
pub(crate) struct FindingContext<'a> {
    /// Relative to the scanned root, `/`-separated.
    pub path: &'a str,
    pub commit: Option<&'a str>,
    pub secret: &'a [u8],
    pub matched: &'a [u8],
    pub line: &'a [u8],
}

impl FindingAllowlist {
    pub(crate) fn allows(&self, finding: &FindingContext<'_>) -> bool {
        let mut checks = Vec::with_capacity(4);
        if !self.commits.is_empty() {
            checks.push(finding.commit.is_some_and(|commit| {
                self.commits
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(commit))
            }));
        }
        if !self.paths.is_empty() {
            checks.push(
                !finding.path.is_empty()
                    && self.paths.iter().any(|path| path.is_match(finding.path)),
            );
        }
        if !self.regexes.is_empty() {
            let target = match self.target {
                RegexTarget::Secret => finding.secret,
                RegexTarget::Match => finding.matched,
                RegexTarget::Line => finding.line,
            };
            checks.push(
                !target.is_empty() && self.regexes.iter().any(|regex| regex.is_match(target)),
            );
        }
        if !self.stopwords.is_empty() {
            let secret = finding.secret.to_ascii_lowercase();
            checks.push(
                self.stopwords
                    .iter()
                    .any(|word| memchr::memmem::find(&secret, word.as_bytes()).is_some()),
            );
        }
        if self.all_criteria {
            !checks.is_empty() && checks.iter().all(|check| *check)
        } else {
            checks.iter().any(|check| *check)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding<'a>(path: &'a str, commit: Option<&'a str>, secret: &'a [u8]) -> FindingContext<'a> {
        FindingContext {
            path,
            commit,
            secret,
            matched: b"token = \"acme_live_abc\"",
            line: b"    token = \"acme_live_abc\" # staging",
        }
    }

    #[test]
    fn or_accepts_on_any_criterion_and_and_only_on_all_it_sets() {
        let either = FindingAllowlist {
            paths: vec![Regex::new(r"^tests/").unwrap()],
            stopwords: vec!["example".into()],
            ..FindingAllowlist::default()
        };
        assert!(either.allows(&finding("tests/a.py", None, b"acme_live_abc")));
        assert!(either.allows(&finding("src/a.py", None, b"acme_EXAMPLE_abc")));
        assert!(!either.allows(&finding("src/a.py", None, b"acme_live_abc")));

        let both = FindingAllowlist {
            all_criteria: true,
            ..either
        };
        assert!(!both.allows(&finding("tests/a.py", None, b"acme_live_abc")));
        assert!(both.allows(&finding("tests/a.py", None, b"acme_example_abc")));
    }

    #[test]
    fn regexes_look_at_the_target_they_name_and_commits_at_full_ids() {
        let on_line = FindingAllowlist {
            target: RegexTarget::Line,
            regexes: vec![BytesRegex::new("# staging$").unwrap()],
            ..FindingAllowlist::default()
        };
        assert!(on_line.allows(&finding("a", None, b"acme_live_abc")));
        let on_secret = FindingAllowlist {
            regexes: on_line.regexes.clone(),
            ..FindingAllowlist::default()
        };
        assert!(!on_secret.allows(&finding("a", None, b"acme_live_abc")));
        let on_match = FindingAllowlist {
            target: RegexTarget::Match,
            regexes: vec![BytesRegex::new("^token = ").unwrap()],
            ..FindingAllowlist::default()
        };
        assert!(on_match.allows(&finding("a", None, b"acme_live_abc")));

        let commit = "0123456789abcdef0123456789abcdef01234567";
        let by_commit = FindingAllowlist {
            commits: vec![commit.into()],
            ..FindingAllowlist::default()
        };
        assert!(by_commit.allows(&finding("a", Some(&commit.to_uppercase()), b"x")));
        assert!(!by_commit.allows(&finding("a", Some(&commit[..7]), b"x")));
        assert!(
            !by_commit.allows(&finding("a", None, b"x")),
            "a working-copy file has no commit"
        );
    }

    #[test]
    fn a_path_filter_limits_the_rule_and_an_allowlist_silences_it() {
        let filter = RuleFilter {
            path: Some(Regex::new(r"\.env$").unwrap()),
            allowlists: vec![FindingAllowlist {
                stopwords: vec!["dummy".into()],
                ..FindingAllowlist::default()
            }],
            ..RuleFilter::default()
        };
        assert!(filter.reports(&finding("deploy/.env", None, b"acme_live_abc")));
        assert!(!filter.reports(&finding("deploy/app.py", None, b"acme_live_abc")));
        assert!(!filter.reports(&finding("deploy/.env", None, b"acme_dummy_abc")));
    }
}
