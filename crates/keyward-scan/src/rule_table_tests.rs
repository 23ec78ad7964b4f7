//! The rule table test: every rule must find each of its positive samples (two seeds,
//! two contexts) and name its catalogued provider, must stay silent on each of its
//! negative samples, and on the placeholder and half-length forms (and, with a checksum,
//! the wrong-checksum form) of its first sample. Plus hard negatives that other scanners
//! are known to report.

use super::catalogue::catalogue;
use super::detect::Detector;
use super::samples::{Fill, expand};
use super::{RuleSet, VaultMatcher, VaultValue};
use keyward_model::SecretValue;

fn rule_fires(detector: &Detector, text: &str, rule_id: &str) -> bool {
    detector.detect(text.as_bytes()).iter().any(|candidate| {
        candidate
            .rule
            .is_some_and(|index| detector.rules.rules[index].id() == rule_id)
    })
}

fn detector() -> Detector {
    Detector::new(RuleSet::builtin().expect("built-in rules"), None)
}

#[test]
fn every_rule_finds_its_true_positives_and_ignores_its_false_positives() {
    let detector = detector();
    let catalogue = catalogue();
    let mut failures = Vec::new();
    for rule in &detector.rules.rules {
        let id = rule.id();
        if catalogue.by_name(&rule.spec.provider).is_none() {
            failures.push(format!(
                "{id}: provider {} is not catalogued",
                rule.spec.provider
            ));
        }
        // Each positive template, in two contexts and with two seeds, is reported by
        // this rule, which names the provider the finding is attributed to.
        for (number, template) in rule.spec.positive_samples().enumerate() {
            let seed = 1 + 2 * number as u64;
            let true_positives = [
                format!("# settings\n{}\n", expand(template, Fill::Real(seed))),
                format!(
                    "first line\n    {}  \nlast line\n",
                    expand(template, Fill::Real(seed + 1))
                ),
            ];
            for (case, text) in true_positives.iter().enumerate() {
                if !rule_fires(&detector, text, id) {
                    failures.push(format!("{id}: positive {number}.{case} missed: {text:?}"));
                }
            }
        }
        // Each negative template, with two seeds, is not reported by this rule.
        for (number, template) in rule.spec.negatives.iter().enumerate() {
            for seed in [101, 102] {
                let text = format!("{}\n", expand(template, Fill::Real(seed + number as u64)));
                if rule_fires(&detector, &text, id) {
                    failures.push(format!("{id}: negative {number} reported: {text:?}"));
                }
            }
        }
        // Near misses made from the first sample: every slot a placeholder, the last
        // random slot cut in half, and (for checksummed tokens) a wrong checksum.
        let Some(sample) = rule.spec.sample.as_deref() else {
            failures.push(format!("{id}: no sample"));
            continue;
        };
        let mut false_positives = vec![
            (
                "placeholder",
                format!("{}\n", expand(sample, Fill::Placeholder)),
            ),
            (
                "truncated",
                format!("{}\n", expand(sample, Fill::Truncated(3))),
            ),
        ];
        if rule.checksum.is_some() && sample.contains("{crc}") {
            false_positives.push((
                "wrong checksum",
                format!("{}\n", expand(sample, Fill::WrongChecksum(4))),
            ));
        }
        for (case, text) in &false_positives {
            if rule_fires(&detector, text, id) {
                failures.push(format!("{id}: {case} reported: {text:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn hard_negatives_that_other_scanners_report_stay_silent() {
    let detector = detector();
    let uuid = "3f2b8c1e-9d4a-4e6b-8f21-7c5d9e0a1b2c";
    let negatives = [
        format!("request_id = \"{uuid}\"\ncorrelation_id: {uuid}\n"),
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n".to_string(),
        format!(
            "{{\n  \"lockfileVersion\": 3,\n  \"packages\": {{ \"node_modules/a\": {{ \"integrity\": \"sha512-{}==\", \"token\": \"{}\" }} }}\n}}\n",
            "Qm9ndXNIYXNoVmFsdWVGb3JUZXN0aW5nT25seQ".repeat(2),
            "a1B2c3D4e5F6g7H8i9J0"
        ),
        format!("<img src=\"data:image/png;base64,iVBORw0KGgo{}\">\n", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123api_key=Zk9x".repeat(40)),
        "password = os.environ[\"DB_PASSWORD\"]\ntoken = get_token(user)\napi_key = config.api_key\n".to_string(),
        "max_tokens = 4096\ntoken_type = \"bearer_access_token\"\nsecret_name = \"prod/db/password-rotation\"\n".to_string(),
        "api_key = \"<your-api-key>\"\nclient_secret = \"${CLIENT_SECRET}\"\npassword: changeme_changeme\n".to_string(),
        "commit = \"9fceb02d0ae598e95dc970b74767f19372d61af8\"\n".to_string(),
    ];
    for text in negatives {
        let found = detector.detect(text.as_bytes());
        let names: Vec<&str> = found
            .iter()
            .filter_map(|candidate| candidate.rule.map(|index| detector.rules.rules[index].id()))
            .collect();
        assert!(found.is_empty(), "reported {names:?} in:\n{text}");
    }
}

#[test]
fn generic_assignments_and_connection_urls_are_found() {
    let detector = detector();
    let password = expand("{an:10}7{an:9}", Fill::Real(9));
    for (text, rule) in [
        (
            format!("DATABASE_URL=postgres://app:{password}@db.internal:5432/app\n"),
            "connection-url-password",
        ),
        (
            format!("export STRIPE_SECRET=\"{password}\"\n"),
            "generic-secret-assignment",
        ),
        (
            format!("const apiKey = '{password}';\n"),
            "generic-secret-assignment",
        ),
    ] {
        assert!(
            rule_fires(&detector, &text, rule),
            "{rule} missed in {text}"
        );
    }
}

#[test]
fn the_inline_marker_accepts_a_line() {
    let detector = detector();
    let token = expand("ghp_{an:30}{crc}", Fill::Real(11));
    assert!(
        !detector
            .detect(format!("token = \"{token}\"\n").as_bytes())
            .is_empty()
    );
    let allowed = format!("token = \"{token}\" # keyward:allow (revoked, kept for the docs)\n");
    assert!(
        detector.detect(allowed.as_bytes()).is_empty(),
        "keyward:allow must silence its line"
    );
}

#[test]
fn a_minified_line_is_scanned_without_losing_secrets() {
    let detector = detector();
    let token = expand("sk_live_{an:40}", Fill::Real(5));
    let mut bundle = "var a=function(b){return b*2};".repeat(20_000);
    bundle.insert_str(300_000, &format!(";var k=\"{token}\";"));
    let found = detector.detect(bundle.as_bytes());
    assert_eq!(
        found.len(),
        1,
        "the secret in the middle of a 600 KB line is found once"
    );
    assert_eq!(
        &bundle.as_bytes()[found[0].start..found[0].end],
        token.as_bytes()
    );
}

#[test]
fn vault_values_are_named_even_where_a_rule_also_matches() {
    let token = expand("ghp_{an:30}{crc}", Fill::Real(21));
    let vault = VaultMatcher::new(vec![VaultValue {
        credential: "ci-token".into(),
        value: SecretValue::from_string(token.clone()),
    }]);
    let detector = Detector::new(RuleSet::builtin().unwrap(), Some(vault));
    let found = detector.detect(format!("GH={token}\n").as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].vault_credential.as_deref(), Some("ci-token"));
    assert!(
        found[0].rule.is_some(),
        "the provider rule still names the token type"
    );
}
