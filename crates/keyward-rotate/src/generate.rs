//! The `generate` adapter: new values made on this machine. Plain values (API keys,
//! tokens, HMAC keys, secrets) get a fresh random value of the same length and alphabet;
//! JWT signing keys a new Ed25519 or ECDSA P-256 key pair of the same type, with the
//! public JWKS written for the user; client certificates a new P-256 key, a CSR and a
//! certificate, self-signed or signed by a local CA credential.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    self, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair,
};

use super::RotateError;
use super::adapter::{Adapter, AdapterContext, Lifecycle, NewKey};
use keyward_model::random::random_bytes;
use keyward_model::{Credential, CredentialKind, SecretValue};

pub(crate) struct Generate {
    kind: CredentialKind,
}

impl Generate {
    pub fn for_credential(credential: &Credential) -> Result<Self, RotateError> {
        match credential.kind {
            kind if kind.is_plain_value() => Ok(Self { kind }),
            CredentialKind::JwtSigningKey | CredentialKind::ClientCert => Ok(Self {
                kind: credential.kind,
            }),
            other => Err(RotateError::Unsupported {
                credential: credential.name.clone(),
                method: "generate".into(),
                reason: format!(
                    "a {other} value is issued by its provider; set up a provider or http rotation"
                ),
            }),
        }
    }
}

impl Adapter for Generate {
    fn lifecycle(&self) -> Lifecycle {
        Lifecycle::Replace
    }

    fn describe(&self, context: &AdapterContext<'_>) -> [String; 3] {
        let create = match self.kind {
            CredentialKind::JwtSigningKey => {
                "generate a new signing key pair of the same type (ring) and write the public JWKS"
                    .to_owned()
            }
            CredentialKind::ClientCert => match &context.setup.signing_ca {
                Some(ca) => format!(
                    "generate a new P-256 key and CSR; issue the certificate with the local CA `{ca}`"
                ),
                None => {
                    "generate a new P-256 key and CSR; issue a self-signed certificate".to_owned()
                }
            },
            _ => format!(
                "generate a random value with the current value's length ({}) and alphabet",
                context.credential.value_length
            ),
        };
        [
            create,
            "check the new value's structure".into(),
            "nothing to revoke: the value was made locally".into(),
        ]
    }

    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError> {
        let value = match self.kind {
            CredentialKind::JwtSigningKey => new_signing_key(current)?,
            CredentialKind::ClientCert => renew_certificate(context, current)?,
            _ => generate_like(current),
        };
        Ok(NewKey { id: None, value })
    }

    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError> {
        let failed = |detail: String| RotateError::VerificationFailed {
            credential: context.credential.name.clone(),
            detail,
        };
        match self.kind {
            CredentialKind::JwtSigningKey => {
                let (_, public) =
                    signing_key_public(&new.value).map_err(|error| failed(error.to_string()))?;
                let probe = b"keyward rotation self-check";
                let signature =
                    sign(&new.value, probe).map_err(|error| failed(error.to_string()))?;
                public
                    .verify(probe, &signature)
                    .map_err(|_| failed("the new key's signature does not verify".into()))
            }
            CredentialKind::ClientCert => keyward_import::certificate::read_pem(
                std::path::Path::new("renewed certificate"),
                new.value.expose(),
                None,
            )
            .map(|_| ())
            .map_err(|error| failed(error.to_string())),
            _ if new.value.len() == context.credential.value_length as usize => Ok(()),
            _ => Err(failed("the generated value has the wrong length".into())),
        }
    }

    fn publish(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
        previous: Option<&SecretValue>,
    ) -> Result<Vec<PathBuf>, RotateError> {
        if self.kind != CredentialKind::JwtSigningKey {
            return Ok(Vec::new());
        }
        let path = context
            .setup
            .jwks_file
            .clone()
            .unwrap_or_else(|| home_file(context, "jwks", "json"));
        let mut keys = vec![jwk(current)?];
        if let Some(previous) = previous {
            keys.push(jwk(previous)?);
        }
        let document = serde_json::to_string_pretty(&serde_json::json!({ "keys": keys }))
            .expect("JWKS serializes");
        let failed = |error: std::io::Error| RotateError::File {
            path: path.clone(),
            detail: format!("cannot write the JWKS: {error}"),
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        keyward_model::fs::write_atomically(&path, document.as_bytes(), None).map_err(failed)?;
        Ok(vec![path])
    }
}

/// Where a file Keyward keeps for a credential lives in the home: `<home>/<dir>/<id>.<ext>`,
/// named by the credential's id and never by its name. Names are user input (and homes
/// from before the naming rule may hold `../../x` or `/abs/x`), so a name in a path could
/// write anywhere; the id is an integer Keyward assigned and keeps across renames.
pub(crate) fn home_file(context: &AdapterContext<'_>, dir: &str, ext: &str) -> PathBuf {
    context
        .home
        .join(dir)
        .join(format!("{}.{ext}", context.credential.id))
}

/// A random value with the same length as `current` drawn from the same alphabet: hex
/// stays lowercase (or uppercase) hex, a token with `-` and `_` keeps them, a leading
/// prefix such as `sk_live_` or `ghp_` is kept. Binary values get random bytes.
pub fn generate_like(current: &SecretValue) -> SecretValue {
    let Some(text) = current.expose_str().filter(|text| text.is_ascii()) else {
        let mut bytes = vec![0u8; current.len()];
        ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut bytes)
            .expect("the system RNG failed");
        return SecretValue::new(bytes);
    };
    let prefix = prefix_of(text);
    let body = &text[prefix.len()..];
    let alphabet = alphabet_of(body);
    let mut out = String::with_capacity(text.len());
    out.push_str(prefix);
    while out.len() < text.len() {
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % alphabet.len());
        for byte in random_bytes::<64>() {
            if (byte as usize) < limit && out.len() < text.len() {
                out.push(alphabet[byte as usize % alphabet.len()] as char);
            }
        }
    }
    SecretValue::from_string(out)
}

/// A vendor prefix: letters (and digits) ending in `_` or `-` within the first 12
/// characters, followed by at least 16 more characters.
fn prefix_of(text: &str) -> &str {
    let head = &text[..text.len().min(12)];
    match head.rfind(['_', '-']) {
        Some(end)
            if text.len() - end > 16
                && head[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && head[..end].chars().any(|c| c.is_ascii_alphabetic()) =>
        {
            &text[..=end]
        }
        _ => "",
    }
}

fn alphabet_of(body: &str) -> Vec<u8> {
    let is_hex = |c: char| c.is_ascii_hexdigit();
    if body.len() >= 8 && body.chars().all(is_hex) {
        let upper = body.chars().any(|c| c.is_ascii_uppercase());
        return if upper {
            b"0123456789ABCDEF".to_vec()
        } else {
            b"0123456789abcdef".to_vec()
        };
    }
    let mut alphabet = Vec::new();
    if body.chars().any(|c| c.is_ascii_lowercase()) {
        alphabet.extend(b'a'..=b'z');
    }
    if body.chars().any(|c| c.is_ascii_uppercase()) {
        alphabet.extend(b'A'..=b'Z');
    }
    if body.chars().any(|c| c.is_ascii_digit()) {
        alphabet.extend(b'0'..=b'9');
    }
    // Symbols are kept only when they appear in the value: a `=` of base64 padding is
    // not a symbol the consumer accepts anywhere, so padding is left out.
    for symbol in body
        .bytes()
        .filter(|b| b.is_ascii_punctuation() && *b != b'=')
    {
        if !alphabet.contains(&symbol) {
            alphabet.push(symbol);
        }
    }
    if alphabet.is_empty() {
        alphabet.extend(b'a'..=b'z');
    }
    alphabet
}

enum SigningAlgorithm {
    Ed25519,
    P256,
}

fn pem_blocks(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].to_owned();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = after.find(&end_marker) else {
            break;
        };
        let body: String = after[label_end + 5..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Ok(der) = STANDARD.decode(body) {
            blocks.push((label, der));
        }
        rest = &after[end + end_marker.len()..];
    }
    blocks
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn pkcs8_of(value: &SecretValue) -> Result<zeroize::Zeroizing<Vec<u8>>, RotateError> {
    let text = value
        .expose_str()
        .ok_or_else(|| RotateError::Generate("the signing key is not PEM text".into()))?;
    pem_blocks(text)
        .into_iter()
        .find(|(label, _)| label == "PRIVATE KEY")
        .map(|(_, der)| zeroize::Zeroizing::new(der))
        .ok_or_else(|| {
            RotateError::Generate("the signing key has no PKCS#8 `PRIVATE KEY` block".into())
        })
}

fn algorithm_of(pkcs8: &[u8]) -> Result<SigningAlgorithm, RotateError> {
    if Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).is_ok() {
        return Ok(SigningAlgorithm::Ed25519);
    }
    if EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8,
        &SystemRandom::new(),
    )
    .is_ok()
    {
        return Ok(SigningAlgorithm::P256);
    }
    Err(RotateError::Generate(
        "the signing key is neither Ed25519 nor ECDSA P-256".into(),
    ))
}

fn new_signing_key(current: &SecretValue) -> Result<SecretValue, RotateError> {
    let rng = SystemRandom::new();
    let pkcs8 = match algorithm_of(&pkcs8_of(current)?)? {
        SigningAlgorithm::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng),
        SigningAlgorithm::P256 => {
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        }
    }
    .map_err(|_| RotateError::Generate("the key generator failed".into()))?;
    Ok(SecretValue::from_string(pem_encode(
        "PRIVATE KEY",
        pkcs8.as_ref(),
    )))
}

fn sign(value: &SecretValue, message: &[u8]) -> Result<Vec<u8>, RotateError> {
    let pkcs8 = pkcs8_of(value)?;
    let rng = SystemRandom::new();
    let unusable = |_| RotateError::Generate("the signing key is unusable".into());
    Ok(match algorithm_of(&pkcs8)? {
        SigningAlgorithm::Ed25519 => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8)
            .map_err(unusable)?
            .sign(message)
            .as_ref()
            .to_vec(),
        SigningAlgorithm::P256 => {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &rng)
                .map_err(unusable)?
                .sign(&rng, message)
                .map_err(|_| RotateError::Generate("signing failed".into()))?
                .as_ref()
                .to_vec()
        }
    })
}

fn signing_key_public(
    value: &SecretValue,
) -> Result<(SigningAlgorithm, signature::UnparsedPublicKey<Vec<u8>>), RotateError> {
    let pkcs8 = pkcs8_of(value)?;
    let unusable = |_| RotateError::Generate("the signing key is unusable".into());
    Ok(match algorithm_of(&pkcs8)? {
        SigningAlgorithm::Ed25519 => {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).map_err(unusable)?;
            (
                SigningAlgorithm::Ed25519,
                signature::UnparsedPublicKey::new(
                    &signature::ED25519,
                    pair.public_key().as_ref().to_vec(),
                ),
            )
        }
        SigningAlgorithm::P256 => {
            let pair = EcdsaKeyPair::from_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &pkcs8,
                &SystemRandom::new(),
            )
            .map_err(unusable)?;
            (
                SigningAlgorithm::P256,
                signature::UnparsedPublicKey::new(
                    &ECDSA_P256_SHA256_FIXED,
                    pair.public_key().as_ref().to_vec(),
                ),
            )
        }
    })
}

/// The public JWK of a signing key, with its RFC 7638 thumbprint as `kid`.
fn jwk(value: &SecretValue) -> Result<serde_json::Value, RotateError> {
    let (algorithm, public) = signing_key_public(value)?;
    let bytes = public.as_ref();
    let (mut key, thumbprint_input) = match algorithm {
        SigningAlgorithm::Ed25519 => {
            let x = URL_SAFE_NO_PAD.encode(bytes);
            let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
            (
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA", "use": "sig"}),
                canonical,
            )
        }
        SigningAlgorithm::P256 => {
            // Uncompressed point: 0x04 || X || Y.
            let x = URL_SAFE_NO_PAD.encode(&bytes[1..33]);
            let y = URL_SAFE_NO_PAD.encode(&bytes[33..65]);
            let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
            (
                serde_json::json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "alg": "ES256", "use": "sig"}),
                canonical,
            )
        }
    };
    let kid = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        thumbprint_input.as_bytes(),
    ));
    key["kid"] = serde_json::Value::String(kid);
    Ok(key)
}

/// The public JWKS (`{"keys": [...]}`) for signing keys; used by the app to show it.
pub fn jwks_for(values: &[&SecretValue]) -> Result<serde_json::Value, RotateError> {
    let keys = values
        .iter()
        .map(|value| jwk(value))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(serde_json::json!({ "keys": keys }))
}

/// Renews a client certificate: new P-256 key, the same subject and names, the same
/// validity length starting now; a CSR for the user's own CA is written next to the home.
fn renew_certificate(
    context: &AdapterContext<'_>,
    current: &SecretValue,
) -> Result<SecretValue, RotateError> {
    use x509_parser::prelude::*;
    let generate = |detail: String| RotateError::Generate(detail);
    let text = current
        .expose_str()
        .ok_or_else(|| generate("the certificate bundle is not PEM text".into()))?;
    let leaf_der = pem_blocks(text)
        .into_iter()
        .find(|(label, _)| label == "CERTIFICATE")
        .map(|(_, der)| der)
        .ok_or_else(|| generate("the bundle holds no certificate".into()))?;
    let (_, leaf) = X509Certificate::from_der(&leaf_der)
        .map_err(|error| generate(format!("the current certificate does not parse: {error}")))?;

    let mut params = rcgen::CertificateParams::default();
    let mut subject = rcgen::DistinguishedName::new();
    for attribute in leaf.subject().iter_attributes() {
        let Ok(value) = attribute.as_str() else {
            continue;
        };
        let oid = attribute.attr_type();
        let kind = if *oid == x509_parser::oid_registry::OID_X509_COMMON_NAME {
            rcgen::DnType::CommonName
        } else if *oid == x509_parser::oid_registry::OID_X509_ORGANIZATION_NAME {
            rcgen::DnType::OrganizationName
        } else if *oid == x509_parser::oid_registry::OID_X509_ORGANIZATIONAL_UNIT {
            rcgen::DnType::OrganizationalUnitName
        } else if *oid == x509_parser::oid_registry::OID_X509_COUNTRY_NAME {
            rcgen::DnType::CountryName
        } else {
            continue;
        };
        subject.push(kind, value);
    }
    params.distinguished_name = subject;
    if let Ok(Some(names)) = leaf.subject_alternative_name() {
        for name in &names.value.general_names {
            match name {
                GeneralName::DNSName(dns) => {
                    if let Ok(dns) = rcgen::string::Ia5String::try_from(dns.to_string()) {
                        params.subject_alt_names.push(rcgen::SanType::DnsName(dns));
                    }
                }
                GeneralName::RFC822Name(mail) => {
                    if let Ok(mail) = rcgen::string::Ia5String::try_from(mail.to_string()) {
                        params
                            .subject_alt_names
                            .push(rcgen::SanType::Rfc822Name(mail));
                    }
                }
                GeneralName::IPAddress(bytes) => {
                    let address = match bytes.len() {
                        4 => Some(std::net::IpAddr::from(
                            <[u8; 4]>::try_from(*bytes).expect("length checked"),
                        )),
                        16 => Some(std::net::IpAddr::from(
                            <[u8; 16]>::try_from(*bytes).expect("length checked"),
                        )),
                        _ => None,
                    };
                    if let Some(address) = address {
                        params
                            .subject_alt_names
                            .push(rcgen::SanType::IpAddress(address));
                    }
                }
                _ => {}
            }
        }
    }
    let lifetime = (leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp())
        .clamp(86_400, 825 * 86_400);
    let now = context.now.timestamp();
    // A day of slack on `not_before` covers peers whose clocks run behind.
    let (year, month, day) = ymd(now - 86_400)?;
    params.not_before = rcgen::date_time_ymd(year, month, day);
    let (year, month, day) = ymd(now + lifetime)?;
    params.not_after = rcgen::date_time_ymd(year, month, day);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];

    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|error| generate(error.to_string()))?;
    let csr = params
        .serialize_request(&key)
        .and_then(|csr| csr.pem())
        .map_err(|error| generate(format!("CSR: {error}")))?;
    let csr_path = home_file(context, "csr", "csr.pem");
    if let Some(parent) = csr_path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| RotateError::File {
            path: parent.to_owned(),
            detail: error.to_string(),
        })?;
    }
    keyward_model::fs::write_atomically(&csr_path, csr.as_bytes(), None).map_err(|error| {
        RotateError::File {
            path: csr_path.clone(),
            detail: error.to_string(),
        }
    })?;

    let mut bundle = key.serialize_pem();
    match context.signing_ca {
        Some(ca) => {
            let ca_text = ca
                .expose_str()
                .ok_or_else(|| generate("the CA bundle is not PEM text".into()))?;
            let blocks = pem_blocks(ca_text);
            let ca_cert = blocks
                .iter()
                .find(|(label, _)| label == "CERTIFICATE")
                .map(|(_, der)| pem_encode("CERTIFICATE", der))
                .ok_or_else(|| generate("the CA credential holds no certificate".into()))?;
            let ca_key_pem = blocks
                .iter()
                .find(|(label, _)| label.ends_with("PRIVATE KEY"))
                .map(|(label, der)| zeroize::Zeroizing::new(pem_encode(label, der)))
                .ok_or_else(|| generate("the CA credential holds no private key".into()))?;
            let ca_key = rcgen::KeyPair::from_pem(&ca_key_pem)
                .map_err(|error| generate(format!("CA key: {error}")))?;
            let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_cert, ca_key)
                .map_err(|error| generate(format!("CA certificate: {error}")))?;
            let certificate = params
                .signed_by(&key, &issuer)
                .map_err(|error| generate(error.to_string()))?;
            bundle.push_str(&certificate.pem());
            bundle.push_str(&ca_cert);
        }
        None => {
            let certificate = params
                .self_signed(&key)
                .map_err(|error| generate(error.to_string()))?;
            bundle.push_str(&certificate.pem());
        }
    }
    Ok(SecretValue::from_string(bundle))
}

/// A calendar date for rcgen, which takes certificate times at day precision.
fn ymd(unix: i64) -> Result<(i32, u8, u8), RotateError> {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(unix, 0)
        .ok_or_else(|| RotateError::Generate("certificate date out of range".into()))?;
    Ok((date.year(), date.month() as u8, date.day() as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(text: &str) -> String {
        generate_like(&SecretValue::from_string(text.into()))
            .expose_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn tokens_keep_length_prefix_and_alphabet() {
        let current = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let new = generated(current);
        assert_eq!(new.len(), current.len());
        assert!(
            new.starts_with("ghp_"),
            "the vendor prefix tells consumers what the token is: {new}"
        );
        assert_ne!(new, current);
        assert!(
            new[4..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "{new}"
        );
    }

    #[test]
    fn hex_stays_hex() {
        let new = generated("0123456789abcdef0123456789abcdef");
        assert_eq!(new.len(), 32);
        assert!(
            new.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{new}"
        );
    }

    #[test]
    fn symbols_are_kept_only_if_present() {
        let new = generated("ABCDEFGHJKLMNPQRSTUVWXYZ-ABCDEFGH");
        assert!(
            new.chars().all(|c| c.is_ascii_uppercase() || c == '-'),
            "{new}"
        );
    }

    #[test]
    fn binary_values_get_random_bytes_of_the_same_length() {
        let current = SecretValue::new(vec![0xff, 0x00, 0x80, 0x7f]);
        let new = generate_like(&current);
        assert_eq!(new.len(), 4);
    }

    #[test]
    fn signing_keys_keep_their_type_and_publish_a_jwks() {
        let rng = SystemRandom::new();
        for pkcs8 in [
            Ed25519KeyPair::generate_pkcs8(&rng).unwrap(),
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap(),
        ] {
            let current = SecretValue::from_string(pem_encode("PRIVATE KEY", pkcs8.as_ref()));
            let new = new_signing_key(&current).unwrap();
            assert_ne!(new, current);
            let jwks = jwks_for(&[&new, &current]).unwrap();
            let keys = jwks["keys"].as_array().unwrap();
            assert_eq!(
                keys[0]["kty"], keys[1]["kty"],
                "the new key must have the old key's type"
            );
            assert_ne!(keys[0]["kid"], keys[1]["kid"]);
            assert!(
                !jwks.to_string().contains("\"d\""),
                "a JWKS must never carry the private part"
            );
        }
    }
}
