//! Credentials as the inventory knows them: metadata only, never the value.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

/// What sort of secret a credential holds; decides how its value is parsed, sent and
/// rotated. The kebab-case names are the CLI's `--kind` values and are stored in SQLite.
///
/// Parsing fails with a `String` that lists the known kinds, so that the CLI, the CSV
/// import and the store can show it as it is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[strum(
    serialize_all = "kebab-case",
    parse_err_ty = String,
    parse_err_fn = unknown_kind
)]
pub enum CredentialKind {
    ApiKey,
    Token,
    /// `user:password`.
    Basic,
    /// `client_id:client_secret`, used against a token URL.
    Oauth2Client,
    Hmac,
    /// A private key with its certificate chain, stored as PEM.
    ClientCert,
    JwtSigningKey,
    Secret,
}

fn unknown_kind(text: &str) -> String {
    let known: Vec<&str> = CredentialKind::iter().map(CredentialKind::as_str).collect();
    format!(
        "unknown credential kind `{text}`; expected one of {}",
        known.join(", ")
    )
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Kinds whose value is one opaque string, which `generate` rotation can replace with
    /// a fresh one of the same length and alphabet.
    pub fn is_plain_value(self) -> bool {
        matches!(self, Self::ApiKey | Self::Token | Self::Hmac | Self::Secret)
    }

    /// Checks that a value has the shape this kind requires, so that a `basic` credential
    /// without a `:` is refused at the door instead of failing at first use.
    pub fn validate_value(self, value: &[u8]) -> Result<(), String> {
        if value.is_empty() {
            return Err("the value is empty".into());
        }
        let needs_pair = match self {
            Self::Basic => Some("user:password"),
            Self::Oauth2Client => Some("client_id:client_secret"),
            _ => None,
        };
        if let Some(shape) = needs_pair {
            let text = std::str::from_utf8(value).map_err(|_| "the value is not UTF-8 text")?;
            match text.split_once(':') {
                Some((left, right)) if !left.is_empty() && !right.is_empty() => {}
                _ => return Err(format!("a {} value must have the form {shape}", self)),
            }
        }
        Ok(())
    }
}

/// Where the value of a credential is kept. Small values go straight into the keychain;
/// large ones (certificate chains with keys) would not fit a keychain entry everywhere,
/// so they are encrypted with a per-item key that itself lives in the keychain. The
/// kebab-case names are stored in SQLite.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, EnumString, IntoStaticStr, EnumIter,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StorageKind {
    Keychain,
    Envelope,
}

impl StorageKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What Keyward read from a certificate when it was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    pub subject_alt_names: Vec<String>,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub key_type: String,
    pub key_bits: u32,
    pub sha256_fingerprint: String,
    /// Certificates in the stored chain, leaf included.
    pub chain_length: u32,
}

/// A credential's metadata as stored in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Credential {
    pub id: i64,
    pub name: String,
    pub kind: CredentialKind,
    pub provider: Option<String>,
    pub integration: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the current value was set: creation, or the last rotation.
    pub rotated_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rotate_every_days: Option<u32>,
    pub rotation_method: Option<String>,
    /// Hosts the value may be sent to (rule 4 of the design).
    pub allowed_hosts: Vec<String>,
    /// Lets this credential be sent over plain HTTP to its allowed hosts; off unless the
    /// user asked for it.
    pub allow_insecure: bool,
    /// Where an `oauth2-client` credential gets its tokens.
    pub token_url: Option<String>,
    /// HMAC-SHA256 of the value under the vault's fingerprint key: lets Keyward match and
    /// de-duplicate values without storing them.
    pub fingerprint: String,
    pub value_length: u32,
    pub storage: StorageKind,
    pub certificate: Option<CertificateInfo>,
    pub notes: Option<String>,
}

impl Credential {
    /// When the next rotation is due, if a rotation period is set.
    pub fn next_rotation(&self) -> Option<DateTime<Utc>> {
        self.rotate_every_days
            .map(|days| self.rotated_at + Duration::days(i64::from(days)))
    }

    /// Whether `host` is one this credential may be sent to. An entry `*.example.com`
    /// allows any subdomain of example.com but not example.com itself, as in TLS
    /// certificate matching.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.to_ascii_lowercase();
            match allowed.strip_prefix("*.") {
                Some(suffix) => host
                    .strip_suffix(suffix)
                    .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1),
                None => host == allowed,
            }
        })
    }
}

/// What a caller supplies to create a credential; the value travels separately.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewCredential {
    pub name: String,
    pub kind: Option<CredentialKind>,
    pub provider: Option<String>,
    pub integration: Option<String>,
    pub rotate_every_days: Option<u32>,
    pub expires_at: Option<DateTime<Utc>>,
    pub allowed_hosts: Vec<String>,
    pub allow_insecure: bool,
    pub token_url: Option<String>,
    pub notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential_for(hosts: &[&str]) -> Credential {
        Credential {
            id: 1,
            name: "n".into(),
            kind: CredentialKind::Token,
            provider: None,
            integration: None,
            created_at: Utc::now(),
            rotated_at: Utc::now(),
            expires_at: None,
            rotate_every_days: None,
            rotation_method: None,
            allowed_hosts: hosts.iter().map(|host| host.to_string()).collect(),
            allow_insecure: false,
            token_url: None,
            fingerprint: String::new(),
            value_length: 1,
            storage: StorageKind::Keychain,
            certificate: None,
            notes: None,
        }
    }

    #[test]
    fn kinds_round_trip_through_their_serde_names() {
        for kind in CredentialKind::iter() {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(kind.to_string(), kind.as_str());
            assert_eq!(kind.as_str().parse::<CredentialKind>(), Ok(kind));
        }
        assert_eq!(CredentialKind::JwtSigningKey.as_str(), "jwt-signing-key");
        let error = "password".parse::<CredentialKind>().unwrap_err();
        assert!(
            error.contains("`password`")
                && error.contains(
                    "api-key, token, basic, oauth2-client, hmac, client-cert, jwt-signing-key, secret"
                ),
            "the error names the input and every kind: {error}"
        );
    }

    #[test]
    fn storage_kinds_round_trip_through_their_serde_names() {
        for storage in StorageKind::iter() {
            assert_eq!(serde_json::to_value(storage).unwrap(), storage.as_str());
            assert_eq!(storage.as_str().parse::<StorageKind>(), Ok(storage));
        }
        assert_eq!(StorageKind::Envelope.as_str(), "envelope");
    }

    #[test]
    fn pair_kinds_require_a_colon() {
        assert!(CredentialKind::Basic.validate_value(b"alice:pw").is_ok());
        assert!(CredentialKind::Basic.validate_value(b"alice").is_err());
        assert!(
            CredentialKind::Oauth2Client
                .validate_value(b":secret")
                .is_err()
        );
        assert!(CredentialKind::Token.validate_value(b"").is_err());
    }

    #[test]
    fn wildcard_hosts_match_subdomains_only() {
        let credential = credential_for(&["api.example.com", "*.internal.example"]);
        assert!(credential.allows_host("API.example.com"));
        assert!(credential.allows_host("a.internal.example"));
        assert!(!credential.allows_host("internal.example"));
        assert!(!credential.allows_host("evilinternal.example"));
        assert!(!credential.allows_host("api.example.com.evil.test"));
    }
}
