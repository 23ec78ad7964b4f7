//! The one provider catalogue. Scan rules, import classification and rotation
//! adapters all ask it the same questions — which provider is this value, this
//! variable, this rule's; which hosts does that provider document for its API — so an
//! import and a scan can never disagree about a provider, and a provider added once is
//! known everywhere.
//!
//! The data is `providers.toml` (who the providers are) beside `rules.toml` (what their
//! secrets look like); a value is classified by the very rules that detect it in files.

use std::sync::OnceLock;

use serde::Deserialize;

use super::detect::Detector;
use super::rules::{RuleSet, builtin_specs};

/// The providers Keyward ships with.
const BUILTIN_PROVIDERS: &str = include_str!("providers.toml");

/// A provider or a credential format that belongs to no one provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Stable, lower-case: what a credential stores as its provider.
    pub id: String,
    /// For people, and what a scan finding names as its provider.
    pub name: String,
    /// The provider's documented API hosts: where its secrets may be sent by default.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Environment-variable prefixes that name the provider, beyond the one derived
    /// from its name (`GitHub` → `GITHUB_`).
    #[serde(default)]
    pub env: Vec<String>,
    /// A format (PEM key, JWT, generic assignment) rather than a service.
    #[serde(default)]
    pub format: bool,
}

impl Provider {
    /// The provider's main API host, when it documents one.
    pub fn api_host(&self) -> Option<&str> {
        self.hosts.first().map(String::as_str)
    }

    /// The length of the longest of this provider's prefixes that `upper` (a variable
    /// name in upper case) starts with. A prefix derived from the provider's name counts
    /// only before a word that names a credential: many names are common words (`Box`,
    /// `Make`, `Render`, `Polar`), and `BOX_SHADOW` or `MAKE_FLAGS` are nobody's keys,
    /// while `BOX_CLIENT_SECRET` is. The catalogue's own `env` prefixes are chosen by
    /// hand and count as they are.
    fn prefix_match(&self, upper: &str) -> Option<usize> {
        let derived = derived_env_prefix(&self.name);
        let derived_match = upper.strip_prefix(derived.as_str()).and_then(|rest| {
            rest.split(['_', '-', '.'])
                .any(|word| CREDENTIAL_WORDS.contains(&word))
                .then_some(derived.len())
        });
        self.env
            .iter()
            .filter(|prefix| upper.starts_with(prefix.as_str()))
            .map(String::len)
            .chain(derived_match)
            .max()
    }
}

/// Words of a variable name that say it holds a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "KEY",
    "APIKEY",
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASS",
    "PASSWD",
    "PWD",
    "PAT",
    "AUTH",
    "CREDENTIAL",
    "CREDENTIALS",
    "DSN",
    "WEBHOOK",
    "SIGNING",
    "PRIVATE",
    "ACCESS",
    "CLIENT",
    "SID",
    "CERT",
    "JWT",
    "BEARER",
    "LICENSE",
];

/// `Hugging Face` → `HUGGING_FACE_`, `X (Twitter)` → `X_`: the name's words, without
/// what is in parentheses.
fn derived_env_prefix(name: &str) -> String {
    let plain = name.split('(').next().unwrap_or(name);
    let words: Vec<String> = plain
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    format!("{}_", words.join("_"))
}

#[derive(Deserialize)]
struct ProviderFile {
    provider: Vec<Provider>,
}

/// Every provider, and the rules that recognise their values.
pub struct Catalogue {
    providers: Vec<Provider>,
    /// The built-in rules that identify a provider from a value alone (no generic or
    /// context-only rules), with the index of the provider each names.
    detector: Detector,
    rule_provider: Vec<Option<usize>>,
}

/// The built-in catalogue, read once per process.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::builtin().expect("the built-in provider catalogue and rules are valid")
    })
}

impl Catalogue {
    fn builtin() -> Result<Self, String> {
        let file: ProviderFile = toml::from_str(BUILTIN_PROVIDERS)
            .map_err(|error| format!("providers.toml: {error}"))?;
        let providers = file.provider;
        let specs = builtin_specs().map_err(|error| error.to_string())?;
        let rules = RuleSet::from_specs(specs).map_err(|error| error.to_string())?;
        let mut rule_provider = Vec::with_capacity(rules.rules.len());
        for rule in &rules.rules {
            let index = providers
                .iter()
                .position(|provider| provider.name == rule.spec.provider)
                .ok_or_else(|| {
                    format!(
                        "rule `{}` names provider `{}`, which providers.toml lacks",
                        rule.spec.id, rule.spec.provider
                    )
                })?;
            let identifies = !rule.spec.generic && !providers[index].format;
            rule_provider.push(identifies.then_some(index));
        }
        Ok(Self {
            providers,
            detector: Detector::new(rules, None),
            rule_provider,
        })
    }

    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    pub fn by_id(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|provider| provider.id == id)
    }

    /// The provider a rule names (`GitHub`), as scan findings carry it.
    pub fn by_name(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|provider| provider.name == name)
    }

    /// The provider whose documented token format `value` has, judged by the same
    /// rules (shape, checksum, entropy) that find it in files. Only a match of the whole
    /// value counts: a URL that merely contains a token is not that provider's key.
    pub fn for_value(&self, value: &str) -> Option<&Provider> {
        let trimmed = value.trim();
        self.detector
            .detect(trimmed.as_bytes())
            .into_iter()
            .filter(|candidate| candidate.start == 0 && candidate.end == trimmed.len())
            .find_map(|candidate| {
                let rule = candidate.rule?;
                self.rule_provider[rule].map(|index| &self.providers[index])
            })
    }

    /// The provider an environment-variable name names (`GITHUB_TOKEN`, `GH_PAT`,
    /// `DD_API_KEY`); the longest matching prefix wins.
    pub fn for_variable(&self, name: &str) -> Option<&Provider> {
        let upper = name.to_ascii_uppercase();
        self.providers
            .iter()
            .filter(|provider| !provider.format)
            .filter_map(|provider| {
                provider
                    .prefix_match(&upper)
                    .map(|length| (length, provider))
            })
            .max_by_key(|(length, _)| *length)
            .map(|(_, provider)| provider)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::samples::{Fill, expand, unknown_slots};

    #[test]
    fn every_rule_names_a_catalogued_provider_and_ids_are_unique() {
        let catalogue = catalogue();
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for provider in catalogue.providers() {
            assert!(ids.insert(&provider.id), "duplicate id {}", provider.id);
            assert!(
                names.insert(&provider.name),
                "duplicate name {}",
                provider.name
            );
            assert!(
                provider
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "id `{}` is lower-case words joined by hyphens",
                provider.id
            );
        }
        // Building the catalogue checks every rule's provider; a provider without a
        // rule would be a name nothing can find.
        let used: HashSet<&str> = catalogue
            .detector
            .rules
            .rules
            .iter()
            .map(|rule| rule.spec.provider.as_str())
            .collect();
        for provider in catalogue.providers() {
            assert!(
                used.contains(provider.name.as_str()),
                "provider {} has no rule",
                provider.name
            );
        }
    }

    #[test]
    fn a_sampled_value_is_classified_as_its_rules_provider() {
        let catalogue = catalogue();
        let mut checked = 0;
        for rule in &catalogue.detector.rules.rules {
            let Some(provider) = catalogue.by_name(&rule.spec.provider) else {
                panic!("rule {} has no provider", rule.spec.id);
            };
            for template in rule.spec.positive_samples() {
                let sample = expand(template, Fill::Real(7));
                // Rules whose sample is the bare value (a prefixed token) identify their
                // provider from the value alone; context rules (`aws_secret = …`) do not.
                if let Some(found) = catalogue.for_value(&sample) {
                    assert_eq!(
                        found.id, provider.id,
                        "sample {template:?} of {} is classified as {}",
                        rule.spec.id, found.id
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 60,
            "only {checked} samples identify their provider"
        );
    }

    #[test]
    fn every_rule_carries_two_positive_and_two_negative_samples() {
        let catalogue = catalogue();
        let mut problems = Vec::new();
        for rule in &catalogue.detector.rules.rules {
            let positives = rule.spec.positive_samples().count();
            let negatives = rule.spec.negatives.len();
            if positives < 2 || negatives < 2 {
                problems.push(format!(
                    "{} ({}): {positives} positive and {negatives} negative samples",
                    rule.spec.id, rule.spec.provider
                ));
            }
            for template in rule
                .spec
                .positive_samples()
                .chain(rule.spec.negatives.iter().map(String::as_str))
            {
                for slot in unknown_slots(template) {
                    problems.push(format!(
                        "{}: unknown slot {slot} in {template:?}",
                        rule.spec.id
                    ));
                }
            }
        }
        // Every provider's rules are sampled: a provider with an unsampled rule is a
        // name the table test cannot vouch for.
        for provider in catalogue.providers() {
            for rule in catalogue
                .detector
                .rules
                .rules
                .iter()
                .filter(|rule| rule.spec.provider == provider.name)
            {
                if rule.spec.positive_samples().next().is_none() {
                    problems.push(format!(
                        "provider {} has rule {} without samples",
                        provider.name, rule.spec.id
                    ));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    #[test]
    fn every_positive_sample_is_found_by_some_rule_of_its_provider() {
        let catalogue = catalogue();
        let rules = &catalogue.detector.rules.rules;
        let mut unmatched = Vec::new();
        for rule in rules {
            for template in rule.spec.positive_samples() {
                let text = format!("{}\n", expand(template, Fill::Real(5)));
                let found = catalogue.detector.detect(text.as_bytes());
                if !found.iter().any(|candidate| {
                    candidate
                        .rule
                        .is_some_and(|index| rules[index].spec.provider == rule.spec.provider)
                }) {
                    unmatched.push(format!("{}: {template:?}", rule.spec.id));
                }
            }
        }
        assert!(
            unmatched.is_empty(),
            "samples no rule of their provider matches:\n{}",
            unmatched.join("\n")
        );
    }

    #[test]
    fn known_values_and_variables() {
        let catalogue = catalogue();
        let token = expand("ghp_{an:30}{crc}", Fill::Real(3));
        assert_eq!(catalogue.for_value(&token).unwrap().id, "github");
        // A bad checksum is a fake, not GitHub's.
        let fake = expand("ghp_{an:30}{crc}", Fill::WrongChecksum(3));
        assert!(catalogue.for_value(&fake).is_none_or(|p| p.id != "github"));
        assert!(catalogue.for_value("hello world").is_none());
        assert!(
            catalogue
                .for_value(&format!("https://x/?t={token}"))
                .is_none()
        );
        assert_eq!(catalogue.for_variable("GH_TOKEN").unwrap().id, "github");
        assert_eq!(catalogue.for_variable("DD_API_KEY").unwrap().id, "datadog");
        assert_eq!(
            catalogue.for_variable("HUGGING_FACE_TOKEN").unwrap().id,
            "hugging-face"
        );
        assert!(catalogue.for_variable("PORT").is_none());
        // Common build and shell variables are no provider's, however short a
        // provider's own prefix.
        for variable in [
            "LD_LIBRARY_PATH",
            "SRC_DIR",
            "CC_FLAGS",
            "CO_AUTHOR",
            "EC_LEVEL",
            // Providers named by common words, without a credential word after them.
            "BOX_SHADOW_COLOR",
            "MAKE_FLAGS",
            "RENDER_MODE",
        ] {
            assert!(
                catalogue.for_variable(variable).is_none(),
                "{variable} is classified as {:?}",
                catalogue
                    .for_variable(variable)
                    .map(|provider| &provider.id)
            );
        }
        assert_eq!(
            catalogue.for_variable("SRC_ACCESS_TOKEN").unwrap().id,
            "sourcegraph"
        );
        // A provider named by a common word is named only before a credential word.
        assert_eq!(
            catalogue.for_variable("BOX_CLIENT_SECRET").unwrap().id,
            "box"
        );
        assert_eq!(
            catalogue.for_variable("RENDER_API_KEY").unwrap().id,
            "render"
        );
        assert_eq!(
            catalogue.by_id("gitlab").unwrap().api_host(),
            Some("gitlab.com")
        );
    }
}
