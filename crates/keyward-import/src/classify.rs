//! Guesses about an imported variable: is it a secret, what kind, which provider. The
//! guesses only set defaults that the preview shows and the user can override.

use keyward_model::CredentialKind;
use keyward_scan::catalogue::catalogue;

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

/// The provider a variable belongs to, by the catalogue every part of Keyward shares:
/// first the value's documented token format (the scan rules' own shapes and
/// checksums), then a provider's prefix in the variable's name.
pub fn guess_provider(name: &str, value: &str) -> Option<String> {
    let catalogue = catalogue();
    catalogue
        .for_value(value)
        .or_else(|| catalogue.for_variable(name))
        .map(|provider| provider.id.clone())
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
    let prefixed = catalogue().for_value(value).is_some();
    let url_with_password = url::Url::parse(value).is_ok_and(|url| url.password().is_some());
    (named && !trivial) || prefixed || url_with_password
}

fn looks_like_jwt(value: &str) -> bool {
    value.starts_with("eyJ") && value.split('.').count() == 3
}

#[cfg(test)]
mod tests {
    use keyward_scan::samples::{Fill, expand};

    use super::*;

    #[test]
    fn secret_names_and_prefixes_are_recognised() {
        assert!(looks_secret("STRIPE_SECRET_KEY", "sk_live_x"));
        let token = expand("ghp_{an:30}{crc}", Fill::Real(1));
        assert!(looks_secret("GH", &token), "a value in a provider's format");
        // Token-shaped but failing its checksum: a fake, not a secret by its value.
        let fake = expand("ghp_{an:30}{crc}", Fill::WrongChecksum(1));
        assert!(!looks_secret("GH", &fake));
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
        let gitlab = expand("glpat-{url:20}", Fill::Real(2));
        assert_eq!(guess_provider("X", &gitlab).as_deref(), Some("gitlab"));
        assert_eq!(guess_provider("GH_PAT", "short").as_deref(), Some("github"));
        assert_eq!(
            guess_provider("AWS_SECRET_ACCESS_KEY", "abc").as_deref(),
            Some("aws")
        );
        assert_eq!(guess_provider("OTHER", "value"), None);
    }
}
