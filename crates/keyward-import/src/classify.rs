//! Guesses about an imported variable: is it a secret, what kind, which provider. The
//! guesses only set defaults that the preview shows and the user can override.

use keyward_model::CredentialKind;

/// Value prefixes that providers document for their keys and tokens.
const VALUE_PREFIXES: &[(&str, &str)] = &[
    ("github_pat_", "github"),
    ("ghp_", "github"),
    ("gho_", "github"),
    ("ghu_", "github"),
    ("ghs_", "github"),
    ("ghr_", "github"),
    ("glpat-", "gitlab"),
    ("sk_live_", "stripe"),
    ("sk_test_", "stripe"),
    ("rk_live_", "stripe"),
    ("rk_test_", "stripe"),
    ("xoxb-", "slack"),
    ("xoxp-", "slack"),
    ("xapp-", "slack"),
    ("AKIA", "aws"),
    ("ASIA", "aws"),
    ("AIza", "google"),
    ("SG.", "sendgrid"),
    ("sk-ant-", "anthropic"),
    ("sk-proj-", "openai"),
    ("npm_", "npm"),
    ("pypi-", "pypi"),
    ("dop_v1_", "digitalocean"),
    ("shpat_", "shopify"),
    ("shpss_", "shopify"),
    ("SK", "twilio"),
];

/// Variable-name prefixes that name the provider.
const NAME_PREFIXES: &[(&str, &str)] = &[
    ("AWS_", "aws"),
    ("GITHUB_", "github"),
    ("GH_", "github"),
    ("GITLAB_", "gitlab"),
    ("STRIPE_", "stripe"),
    ("SLACK_", "slack"),
    ("TWILIO_", "twilio"),
    ("SENDGRID_", "sendgrid"),
    ("OPENAI_", "openai"),
    ("ANTHROPIC_", "anthropic"),
    ("CLOUDFLARE_", "cloudflare"),
    ("CF_", "cloudflare"),
    ("DATADOG_", "datadog"),
    ("DD_", "datadog"),
    ("HEROKU_", "heroku"),
    ("MAILGUN_", "mailgun"),
    ("SHOPIFY_", "shopify"),
    ("GOOGLE_", "google"),
    ("GCP_", "google"),
    ("AZURE_", "azure"),
    ("NPM_", "npm"),
    ("DIGITALOCEAN_", "digitalocean"),
];

const SECRET_WORDS: &[&str] = &[
    "KEY",
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "DSN",
    "SIGNING",
    "WEBHOOK",
    "PAT",
];

pub fn guess_provider(name: &str, value: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    VALUE_PREFIXES
        .iter()
        .filter(|(_, provider)| *provider != "twilio" || value.len() == 34)
        .find(|(prefix, _)| value.starts_with(prefix))
        .or_else(|| {
            NAME_PREFIXES
                .iter()
                .find(|(prefix, _)| upper.starts_with(prefix))
        })
        .map(|(_, provider)| (*provider).to_owned())
}

pub fn guess_kind(name: &str, value: &str) -> CredentialKind {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let has = |word: &str| words.contains(&word);
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        CredentialKind::Secret
    } else if has("TOKEN") || has("PAT") || looks_like_jwt(value) {
        CredentialKind::Token
    } else if has("HMAC") || has("SIGNING") || has("WEBHOOK") && has("SECRET") {
        CredentialKind::Hmac
    } else if has("KEY") || has("APIKEY") {
        CredentialKind::ApiKey
    } else {
        CredentialKind::Secret
    }
}

/// Whether a variable is worth importing by default: its name says so, or its value has
/// a known provider prefix. Ports, flags and plain URLs stay out unless asked for.
pub fn looks_secret(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let named = upper.split(['_', '-', '.']).any(|word| {
        SECRET_WORDS
            .iter()
            .any(|secret| word == *secret || word.ends_with(secret))
    });
    let trivial = value.parse::<f64>().is_ok()
        || matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off"
        );
    let prefixed = VALUE_PREFIXES
        .iter()
        .any(|(prefix, _)| prefix.len() >= 4 && value.starts_with(prefix));
    let url_with_password = url::Url::parse(value).is_ok_and(|url| url.password().is_some());
    (named && !trivial) || prefixed || url_with_password
}

fn looks_like_jwt(value: &str) -> bool {
    value.starts_with("eyJ") && value.split('.').count() == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_and_prefixes_are_recognised() {
        assert!(looks_secret("STRIPE_SECRET_KEY", "sk_live_x"));
        assert!(looks_secret("GH", "ghp_0123456789"));
        assert!(looks_secret("DATABASE_URL", "postgres://app:pw@db/app"));
        assert!(!looks_secret("PORT", "8080"));
        assert!(!looks_secret("API_TIMEOUT_MS", "3000"));
        assert!(!looks_secret("DEBUG", "true"));
        assert!(!looks_secret("KEYBOARD_LAYOUT", "us"));
    }

    #[test]
    fn kinds_and_providers_follow_the_name_and_value() {
        assert_eq!(guess_kind("GITHUB_TOKEN", "ghp_x"), CredentialKind::Token);
        assert_eq!(
            guess_kind("STRIPE_API_KEY", "sk_live"),
            CredentialKind::ApiKey
        );
        assert_eq!(guess_kind("DB_PASSWORD", "pw"), CredentialKind::Secret);
        assert_eq!(guess_provider("X", "glpat-abc").as_deref(), Some("gitlab"));
        assert_eq!(
            guess_provider("AWS_SECRET_ACCESS_KEY", "abc").as_deref(),
            Some("aws")
        );
        assert_eq!(guess_provider("OTHER", "value"), None);
    }
}
