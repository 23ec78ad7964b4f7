//! JSON Web Token checks on a credential that is a JWT: what the token itself says
//! (expiry, lifetime), whether its HMAC secret is one of the well-known weak ones, and
//! the forged variants ([`alg_none_variant`], [`expired_variant`]) that the HTTP probe
//! sends to the user's own endpoint to see whether it checks signatures and expiry.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::Value;

use super::finding::{PostureFinding, ids};
use keyward_model::redact;

/// Tokens living longer than this are reported as long-lived.
pub const LONG_LIFETIME_HOURS: i64 = 24;

/// Secrets found in tutorials, framework defaults and leaked configs. A token signed
/// with one of these can be forged by anyone.
pub const WEAK_SECRETS: &[&str] = &[
    "secret",
    "password",
    "123456",
    "12345678",
    "changeme",
    "change-me",
    "changeit",
    "your-256-bit-secret",
    "your_jwt_secret",
    "jwt_secret",
    "jwt-secret",
    "jwtsecret",
    "secretkey",
    "secret-key",
    "secret_key",
    "mysecret",
    "my-secret",
    "my_secret",
    "supersecret",
    "super-secret",
    "key",
    "test",
    "testing",
    "admin",
    "default",
    "qwerty",
    "letmein",
    "s3cr3t",
    "shhhhh",
    "keyboard cat",
    "token",
    "auth",
    "development",
    "dev",
    "private",
    "pass",
];

/// What a token says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacts {
    pub algorithm: Algorithm,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Reads a token without verifying it; `None` when the value is not a JWT.
pub fn inspect(token: &str) -> Option<TokenFacts> {
    if token.split('.').count() != 3 {
        return None;
    }
    let data = jsonwebtoken::dangerous::insecure_decode::<Value>(token).ok()?;
    let time = |claim: &str| {
        data.claims
            .get(claim)
            .and_then(Value::as_i64)
            .and_then(|seconds| Utc.timestamp_opt(seconds, 0).single())
    };
    Some(TokenFacts {
        algorithm: data.header.alg,
        issued_at: time("iat"),
        expires_at: time("exp"),
    })
}

/// Findings from the token alone (no network).
pub fn offline_findings(token: &str, facts: &TokenFacts) -> Vec<PostureFinding> {
    let mut findings = Vec::new();
    let shown = redact(Some(token), token.len());
    match (facts.issued_at, facts.expires_at) {
        (_, None) => findings.push(PostureFinding::new(
            ids::JWT_NO_EXPIRY,
            "the token has no `exp` claim and never expires",
            shown.clone(),
        )),
        (Some(issued), Some(expires))
            if expires - issued > Duration::hours(LONG_LIFETIME_HOURS) =>
        {
            let hours = (expires - issued).num_hours();
            findings.push(PostureFinding::new(
                ids::JWT_LONG_LIFETIME,
                format!("the token lives {hours} hours (more than {LONG_LIFETIME_HOURS})"),
                format!(
                    "{shown}: iat {} exp {}",
                    issued.to_rfc3339(),
                    expires.to_rfc3339()
                ),
            ));
        }
        _ => {}
    }
    if let Some(secret) = weak_secret(token, facts) {
        findings.push(PostureFinding::new(
            ids::JWT_WEAK_HMAC_SECRET,
            "the token's HMAC secret is a well-known weak value",
            format!(
                "{shown} verifies with a {}-character dictionary secret",
                secret.len()
            ),
        ));
    }
    findings
}

/// The weak secret that verifies this token's signature, if it is HMAC-signed with one.
pub fn weak_secret(token: &str, facts: &TokenFacts) -> Option<&'static str> {
    if !matches!(
        facts.algorithm,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        return None;
    }
    let mut validation = Validation::new(facts.algorithm);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    WEAK_SECRETS.iter().copied().find(|secret| {
        jsonwebtoken::decode::<Value>(
            token,
            &DecodingKey::from_secret(secret.as_bytes()),
            &validation,
        )
        .is_ok()
    })
}

/// The same claims with `alg: none` and no signature.
pub fn alg_none_variant(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    Some(format!("{header}.{payload}."))
}

/// The same claims re-signed with a (weak, already known) secret and an `exp` an hour
/// in the past, to learn whether the server enforces expiry.
pub fn expired_variant(
    token: &str,
    facts: &TokenFacts,
    secret: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    let mut claims = jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .ok()?
        .claims;
    let object = claims.as_object_mut()?;
    object.insert(
        "exp".into(),
        Value::from((now - Duration::hours(1)).timestamp()),
    );
    object.insert(
        "iat".into(),
        Value::from((now - Duration::hours(2)).timestamp()),
    );
    jsonwebtoken::encode(
        &Header::new(facts.algorithm),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .ok()
}

/// The token with its signature replaced by random bytes of the same length: the
/// "wrong credential of the same shape" for a JWT.
pub fn forged_signature_variant(token: &str) -> Option<String> {
    let (message, signature) = token.rsplit_once('.')?;
    let length = URL_SAFE_NO_PAD
        .decode(signature)
        .map_or(32, |bytes| bytes.len().max(1));
    let random: Vec<u8> = (0..length)
        .map(|index| keyward_model::random::random_bytes::<1>()[0] ^ index as u8)
        .collect();
    Some(format!("{message}.{}", URL_SAFE_NO_PAD.encode(random)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(secret: &str, claims: Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn a_token_without_exp_and_with_a_dictionary_secret_is_reported() {
        let weak = token("secret", serde_json::json!({"sub": "ci"}));
        let facts = inspect(&weak).expect("a JWT");
        let found: Vec<String> = offline_findings(&weak, &facts)
            .into_iter()
            .map(|finding| finding.id)
            .collect();
        assert_eq!(found, vec![ids::JWT_NO_EXPIRY, ids::JWT_WEAK_HMAC_SECRET]);
        for finding in offline_findings(&weak, &facts) {
            assert!(
                !finding.evidence.contains(&weak),
                "evidence must never carry the token whole"
            );
        }
    }

    #[test]
    fn a_short_lived_token_with_a_strong_secret_is_clean() {
        let now = Utc::now().timestamp();
        let strong = token(
            "f3a9c1e07b5d4c2a9e8f7061d2c3b4a5",
            serde_json::json!({"iat": now, "exp": now + 3600}),
        );
        let facts = inspect(&strong).unwrap();
        assert!(offline_findings(&strong, &facts).is_empty());
        let long = token(
            "f3a9c1e07b5d4c2a9e8f7061d2c3b4a5",
            serde_json::json!({"iat": now, "exp": now + 30 * 86_400}),
        );
        let ids: Vec<String> = offline_findings(&long, &inspect(&long).unwrap())
            .into_iter()
            .map(|finding| finding.id)
            .collect();
        assert_eq!(ids, vec![super::ids::JWT_LONG_LIFETIME]);
        assert!(inspect("not-a-jwt").is_none());
    }

    #[test]
    fn variants_keep_the_claims() {
        let original = token(
            "secret",
            serde_json::json!({"sub": "ci", "exp": 4_000_000_000i64}),
        );
        let none = alg_none_variant(&original).unwrap();
        assert_eq!(none.split('.').nth(1), original.split('.').nth(1));
        assert!(none.ends_with('.'));
        let facts = inspect(&original).unwrap();
        let expired = expired_variant(&original, &facts, "secret", Utc::now()).unwrap();
        assert!(inspect(&expired).unwrap().expires_at.unwrap() < Utc::now());
        assert_ne!(forged_signature_variant(&original).unwrap(), original);
    }
}
