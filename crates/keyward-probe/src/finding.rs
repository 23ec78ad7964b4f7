//! Findings: the facts a probe reports, each under a stable identifier (the contract in
//! DESIGN.md), with a severity, the grade it caps, and what to do about it. The
//! catalogue is the one place these are decided, so the CLI, the grade and the desktop
//! app's explanations always agree.

use serde::{Deserialize, Serialize};

use super::grade::Grade;

pub use keyward_model::Severity;

/// One fact about an endpoint. `evidence` never holds a secret: values are redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostureFinding {
    pub id: String,
    pub severity: Severity,
    pub message: String,
    pub evidence: String,
}

impl PostureFinding {
    /// A finding of a catalogued kind; its severity comes from the catalogue.
    pub fn new(id: &str, message: impl Into<String>, evidence: impl Into<String>) -> Self {
        let kind = kind(id).unwrap_or_else(|| panic!("finding id `{id}` is not in the catalogue"));
        Self {
            id: kind.id.to_owned(),
            severity: kind.severity,
            message: message.into(),
            evidence: evidence.into(),
        }
    }
}

/// What a finding id means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostureCheck {
    pub id: &'static str,
    pub severity: Severity,
    /// The best grade an endpoint with this finding can get, if it caps the grade.
    pub caps: Option<Grade>,
    pub fix: &'static str,
}

/// Looks a finding id up in the catalogue.
pub fn kind(id: &str) -> Option<&'static PostureCheck> {
    CATALOGUE.iter().find(|kind| kind.id == id)
}

/// Every finding id, in DESIGN.md's order.
pub fn catalogue() -> &'static [PostureCheck] {
    CATALOGUE
}

/// The identifiers as constants, so a typo is a compile error.
pub mod ids {
    pub const PROTOCOL_SSLV3: &str = "tls.protocol.sslv3";
    pub const PROTOCOL_TLS10: &str = "tls.protocol.tls10";
    pub const PROTOCOL_TLS11: &str = "tls.protocol.tls11";
    pub const NO_TLS13: &str = "tls.no_tls13";
    pub const CIPHER_WEAK: &str = "tls.cipher.weak";
    pub const CIPHER_NO_FORWARD_SECRECY: &str = "tls.cipher.no_forward_secrecy";
    pub const CIPHER_NO_AEAD: &str = "tls.cipher.no_aead";
    pub const KEX_WEAK_DH: &str = "tls.kex.weak_dh";
    pub const OCSP_NO_STAPLING: &str = "tls.ocsp.no_stapling";
    pub const CLIENT_CERT_REQUIRED: &str = "tls.client_cert_required";
    pub const CERT_EXPIRED: &str = "tls.cert.expired";
    pub const CERT_NOT_YET_VALID: &str = "tls.cert.not_yet_valid";
    pub const CERT_EXPIRING: &str = "tls.cert.expiring";
    pub const CERT_SELF_SIGNED: &str = "tls.cert.self_signed";
    pub const CERT_UNTRUSTED: &str = "tls.cert.untrusted";
    pub const CERT_HOSTNAME_MISMATCH: &str = "tls.cert.hostname_mismatch";
    pub const CERT_INCOMPLETE_CHAIN: &str = "tls.cert.incomplete_chain";
    pub const CERT_WEAK_KEY: &str = "tls.cert.weak_key";
    pub const CERT_WEAK_SIGNATURE: &str = "tls.cert.weak_signature";
    pub const HSTS_MISSING: &str = "http.hsts.missing";
    pub const HSTS_SHORT: &str = "http.hsts.short";
    pub const PLAINTEXT_AVAILABLE: &str = "http.plaintext_available";
    pub const NO_HTTPS_REDIRECT: &str = "http.no_https_redirect";
    pub const CORS_CREDENTIALED_WILDCARD: &str = "http.cors.credentialed_wildcard";
    pub const CORS_NULL_ORIGIN: &str = "http.cors.null_origin";
    pub const SERVER_VERSION: &str = "http.info_leak.server_version";
    pub const STACK_TRACE: &str = "http.info_leak.stack_trace";
    pub const NOSNIFF_MISSING: &str = "http.headers.nosniff_missing";
    pub const SENSITIVE_CACHEABLE: &str = "http.cache.sensitive_cacheable";
    pub const UNAUTHENTICATED_ACCESS: &str = "auth.unauthenticated_access";
    pub const ACCEPTS_INVALID_CREDENTIAL: &str = "auth.accepts_invalid_credential";
    pub const CREDENTIAL_REJECTED: &str = "auth.credential_rejected";
    pub const BASIC_OVER_HTTP: &str = "auth.basic_over_http";
    pub const CREDENTIAL_IN_QUERY: &str = "auth.credential_in_query";
    pub const MTLS_NOT_ENFORCED: &str = "auth.mtls_not_enforced";
    pub const NO_RATE_LIMIT: &str = "auth.no_rate_limit";
    pub const JWT_ALG_NONE_ACCEPTED: &str = "jwt.alg_none_accepted";
    pub const JWT_WEAK_HMAC_SECRET: &str = "jwt.weak_hmac_secret";
    pub const JWT_NO_EXPIRY: &str = "jwt.no_expiry";
    pub const JWT_LONG_LIFETIME: &str = "jwt.long_lifetime";
    pub const JWT_EXPIRY_NOT_ENFORCED: &str = "jwt.expiry_not_enforced";
    pub const OIDC_NO_PKCE_S256: &str = "oidc.no_pkce_s256";
    pub const OIDC_IMPLICIT_GRANT: &str = "oidc.implicit_grant";
    pub const OIDC_PASSWORD_GRANT: &str = "oidc.password_grant";
    pub const OIDC_INSECURE_ENDPOINT: &str = "oidc.insecure_endpoint";
    pub const OIDC_ALG_NONE: &str = "oidc.alg_none";
}

macro_rules! catalogue {
    ($($id:ident $severity:ident $caps:expr, $fix:literal;)*) => {
        const CATALOGUE: &[PostureCheck] = &[$(PostureCheck { id: ids::$id, severity: Severity::$severity, caps: $caps, fix: $fix },)*];
    };
}

const A: Option<Grade> = Some(Grade::A);
const B: Option<Grade> = Some(Grade::B);
const C: Option<Grade> = Some(Grade::C);
const F: Option<Grade> = Some(Grade::F);

catalogue! {
    PROTOCOL_SSLV3 High C, "Disable SSLv3 (POODLE); accept TLS 1.2 and 1.3 only.";
    PROTOCOL_TLS10 Medium B, "Disable TLS 1.0; accept TLS 1.2 and 1.3 only.";
    PROTOCOL_TLS11 Medium B, "Disable TLS 1.1; accept TLS 1.2 and 1.3 only.";
    NO_TLS13 Low A, "Enable TLS 1.3.";
    CIPHER_WEAK High C, "Remove NULL, EXPORT, anonymous, RC4, DES, 3DES, SEED and IDEA suites.";
    CIPHER_NO_FORWARD_SECRECY Medium B, "Remove static-RSA key exchange; prefer ECDHE suites.";
    CIPHER_NO_AEAD Medium B, "Offer at least one AEAD suite (AES-GCM or ChaCha20-Poly1305).";
    KEX_WEAK_DH Medium B, "Use DH groups of 2048 bits or more (RFC 7919 ffdhe2048+), or ECDHE only.";
    OCSP_NO_STAPLING Info None, "Enable OCSP stapling so clients need not ask the CA.";
    CLIENT_CERT_REQUIRED Info None, "Informational: the server asks for a client certificate.";
    CERT_EXPIRED Critical F, "Renew the certificate.";
    CERT_NOT_YET_VALID Critical F, "Check the server clock or the certificate's start date.";
    CERT_EXPIRING Medium A, "Renew the certificate before it expires; automate renewal.";
    CERT_SELF_SIGNED High C, "Use a certificate issued by a trusted (public or internal) CA.";
    CERT_UNTRUSTED Critical F, "Serve a certificate that chains to a trusted root (or pass --ca for an internal CA).";
    CERT_HOSTNAME_MISMATCH Critical F, "Serve a certificate whose subject alternative names cover this host.";
    CERT_INCOMPLETE_CHAIN Medium B, "Configure the server to send the intermediate certificates.";
    CERT_WEAK_KEY High C, "Use RSA keys of 2048 bits or more, or EC keys of 256 bits or more.";
    CERT_WEAK_SIGNATURE High C, "Reissue the certificate signed with SHA-256 or better.";
    HSTS_MISSING Low A, "Send Strict-Transport-Security with max-age of at least 180 days.";
    HSTS_SHORT Low A, "Raise Strict-Transport-Security max-age to at least 180 days.";
    PLAINTEXT_AVAILABLE Medium B, "Stop serving content over plain HTTP; redirect to HTTPS.";
    NO_HTTPS_REDIRECT Low A, "Redirect plain HTTP requests to HTTPS.";
    CORS_CREDENTIALED_WILDCARD High C, "Allow credentialed CORS only for an explicit list of origins.";
    CORS_NULL_ORIGIN High C, "Never allow `Origin: null` with credentials.";
    SERVER_VERSION Low None, "Drop version numbers from Server and X-Powered-By headers.";
    STACK_TRACE Medium B, "Return generic error pages; log stack traces server-side only.";
    NOSNIFF_MISSING Low None, "Send X-Content-Type-Options: nosniff.";
    SENSITIVE_CACHEABLE Medium B, "Send Cache-Control: no-store (or private) on authenticated responses.";
    UNAUTHENTICATED_ACCESS Critical F, "Require authentication on this endpoint.";
    ACCEPTS_INVALID_CREDENTIAL Critical F, "Validate credentials; a wrong key must be refused.";
    CREDENTIAL_REJECTED High None, "The stored credential no longer works: rotate or re-issue it.";
    BASIC_OVER_HTTP High C, "Send Basic credentials over HTTPS only.";
    CREDENTIAL_IN_QUERY Medium B, "Accept the credential in a header instead of the URL, which ends up in logs.";
    MTLS_NOT_ENFORCED Critical F, "Require a client certificate on this endpoint.";
    NO_RATE_LIMIT Low None, "Rate-limit the endpoint and announce it with RateLimit headers or 429.";
    JWT_ALG_NONE_ACCEPTED Critical F, "Reject unsigned (`alg: none`) tokens; pin the expected algorithm.";
    JWT_WEAK_HMAC_SECRET Critical F, "Sign tokens with a long random secret (256 bits) or an asymmetric key.";
    JWT_NO_EXPIRY Medium B, "Issue tokens with an `exp` claim.";
    JWT_LONG_LIFETIME Low None, "Issue shorter-lived tokens (hours, not days) and refresh them.";
    JWT_EXPIRY_NOT_ENFORCED High C, "Reject tokens whose `exp` has passed.";
    OIDC_NO_PKCE_S256 Medium B, "Support PKCE with S256 (code_challenge_methods_supported).";
    OIDC_IMPLICIT_GRANT Medium B, "Disable the implicit grant; use the authorization code flow with PKCE.";
    OIDC_PASSWORD_GRANT Medium B, "Disable the resource owner password grant.";
    OIDC_INSECURE_ENDPOINT High C, "Serve every OIDC endpoint over HTTPS.";
    OIDC_ALG_NONE High C, "Remove `none` from id_token_signing_alg_values_supported.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_holds_every_design_id_once() {
        let design = "tls.protocol.sslv3 tls.protocol.tls10 tls.protocol.tls11 tls.no_tls13 tls.cipher.weak \
            tls.cipher.no_forward_secrecy tls.cipher.no_aead tls.kex.weak_dh tls.ocsp.no_stapling \
            tls.client_cert_required tls.cert.expired tls.cert.not_yet_valid tls.cert.expiring tls.cert.self_signed \
            tls.cert.untrusted tls.cert.hostname_mismatch tls.cert.incomplete_chain tls.cert.weak_key \
            tls.cert.weak_signature http.hsts.missing http.hsts.short http.plaintext_available http.no_https_redirect \
            http.cors.credentialed_wildcard http.cors.null_origin http.info_leak.server_version \
            http.info_leak.stack_trace http.headers.nosniff_missing http.cache.sensitive_cacheable \
            auth.unauthenticated_access auth.accepts_invalid_credential auth.credential_rejected auth.basic_over_http \
            auth.credential_in_query auth.mtls_not_enforced auth.no_rate_limit jwt.alg_none_accepted \
            jwt.weak_hmac_secret jwt.no_expiry jwt.long_lifetime jwt.expiry_not_enforced oidc.no_pkce_s256 \
            oidc.implicit_grant oidc.password_grant oidc.insecure_endpoint oidc.alg_none";
        let ids: Vec<&str> = catalogue().iter().map(|kind| kind.id).collect();
        assert_eq!(
            ids,
            design.split_whitespace().collect::<Vec<_>>(),
            "finding ids are a contract: never rename"
        );
    }
}
