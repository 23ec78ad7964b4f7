//! Finding fingerprints: the identity of a (rule, secret) pair that baselines, SARIF,
//! JSON and the stored findings use (DESIGN.md, "Scan output").
//!
//! A fingerprint is `v2:` and the full hex HMAC-SHA256 of the rule and the secret under
//! a [`FingerprintKey`] that the caller hands in: the service derives it from the team's
//! shared key when one is set, else from the home's own random key, both kept in the
//! keychain. The scanner never sees where the key came from. Without the key a
//! fingerprint cannot be recomputed, so whoever holds a SARIF file, a baseline or the
//! database cannot confirm a guessed secret offline, and two homes that share no key
//! never produce equal fingerprints. The HMAC is 32 bytes whatever the secret's length.
//!
//! Keyward before v2 wrote `SHA-256("keyward-finding\0" ‖ rule ‖ "\0" ‖ secret)`,
//! truncated to 32 hex digits, with no key: [`legacy_fingerprint`] recomputes it only so
//! the service can recognise findings it stored that way; it is never written anywhere.

use std::fmt;

use ring::digest::{SHA256, digest};
use ring::hmac;
use zeroize::Zeroizing;

use keyward_model::SecretValue;

/// What every current fingerprint starts with.
pub const FINGERPRINT_PREFIX: &str = "v2:";

/// What a stored unkeyed (pre-v2) fingerprint becomes once the service has wrapped it
/// under the home's key ([`FingerprintKey::wrap_legacy`]).
pub const WRAPPED_LEGACY_PREFIX: &str = "v1k:";

/// The HMAC input the scan key is derived with, from the master secret it is given.
const DERIVATION_CONTEXT: &[u8] = b"keyward scan finding fingerprint key v2";

/// The key behind finding fingerprints. `Debug` shows nothing of it; it has no
/// `Serialize`, so it cannot slip into an output.
#[derive(Clone)]
pub struct FingerprintKey {
    derived: Zeroizing<[u8; 32]>,
    key: hmac::Key,
}

impl FingerprintKey {
    /// The fingerprint key for a master secret: the home's own scan key or the team's
    /// shared key (the key is HMAC-SHA256 of a fixed context under the secret, so the
    /// team key's other use, credential team fingerprints, never meets this one).
    pub fn derive(master: &[u8]) -> Self {
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, master),
            DERIVATION_CONTEXT,
        );
        let mut derived = Zeroizing::new([0u8; 32]);
        derived.copy_from_slice(tag.as_ref());
        Self::from_derived(derived)
    }

    /// A derived key kept earlier with [`FingerprintKey::to_secret`]; `None` unless it
    /// is 32 bytes.
    pub fn restore(saved: &[u8]) -> Option<Self> {
        let bytes: [u8; 32] = saved.try_into().ok()?;
        Some(Self::from_derived(Zeroizing::new(bytes)))
    }

    /// The derived key, for keeping in the keychain (the service keeps the keys of
    /// replaced team keys, so stored findings can be recognised at the next scan).
    pub fn to_secret(&self) -> SecretValue {
        SecretValue::new(self.derived.to_vec())
    }

    fn from_derived(derived: Zeroizing<[u8; 32]>) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &derived[..]);
        Self { derived, key }
    }

    /// Whether two keys are the same key.
    pub fn same_as(&self, other: &Self) -> bool {
        self.derived[..] == other.derived[..]
    }

    /// The fingerprint of `secret` found by `rule`: `v2:` and 64 hex digits.
    pub fn fingerprint(&self, rule: &str, secret: &[u8]) -> String {
        let mut context = hmac::Context::with_key(&self.key);
        // Length-prefixed, so no (rule, secret) pair reads as another.
        context.update(&(rule.len() as u64).to_be_bytes());
        context.update(rule.as_bytes());
        context.update(secret);
        format!("{FINGERPRINT_PREFIX}{}", hex::encode(context.sign()))
    }

    /// A stored unkeyed fingerprint, made unusable for guessing: `v1k:` and the HMAC of
    /// it under this key. The service replaces every unkeyed fingerprint in the store
    /// with this and recognises the finding when a scan sees its secret again.
    pub fn wrap_legacy(&self, legacy: &str) -> String {
        let mut context = hmac::Context::with_key(&self.key);
        // Starts with a byte no fingerprint input starts with (their length prefix of a
        // short rule id begins with zeros).
        context.update(b"wrapped legacy fingerprint\0");
        context.update(legacy.as_bytes());
        format!("{WRAPPED_LEGACY_PREFIX}{}", hex::encode(context.sign()))
    }
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("FingerprintKey([redacted])")
    }
}

/// The unkeyed fingerprint Keyward wrote before v2. Only for recognising findings stored
/// by an older version; never written to an output, a baseline or the store.
pub fn legacy_fingerprint(rule: &str, secret: &[u8]) -> String {
    let mut input = b"keyward-finding\0".to_vec();
    input.extend_from_slice(rule.as_bytes());
    input.push(0);
    input.extend_from_slice(secret);
    hex::encode(&digest(&SHA256, &input).as_ref()[..16])
}

/// Whether `fingerprint` has the shape of an unkeyed pre-v2 fingerprint (32 lower-case
/// hex digits, no version prefix).
pub fn is_legacy_fingerprint(fingerprint: &str) -> bool {
    fingerprint.len() == 32
        && fingerprint
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// Whether `fingerprint` is of the current (keyed) format.
pub fn is_current_fingerprint(fingerprint: &str) -> bool {
    fingerprint
        .strip_prefix(FINGERPRINT_PREFIX)
        .is_some_and(|hex| {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
        })
}

/// How one scan fingerprints what it finds: the key, if the caller gave one (a scan
/// without a home or team key has none, and its findings carry no fingerprint), and the
/// keys earlier fingerprints of the same home were made with, so the caller can carry
/// stored state over ([`crate::ScanReport::former_fingerprints`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fingerprinter {
    pub current: Option<FingerprintKey>,
    pub former: Vec<FingerprintKey>,
    /// The key stored unkeyed fingerprints were wrapped under.
    pub legacy_wrap: Option<FingerprintKey>,
}

impl Fingerprinter {
    /// The fingerprint of a finding; empty without a key.
    pub fn fingerprint(&self, rule: &str, secret: &[u8]) -> String {
        self.current
            .as_ref()
            .map(|key| key.fingerprint(rule, secret))
            .unwrap_or_default()
    }

    /// What the same finding's fingerprint was under the former keys.
    pub fn former(&self, rule: &str, secret: &[u8]) -> Vec<String> {
        let mut out: Vec<String> = self
            .former
            .iter()
            .map(|key| key.fingerprint(rule, secret))
            .collect();
        if let Some(key) = &self.legacy_wrap {
            out.push(key.wrap_legacy(&legacy_fingerprint(rule, secret)));
        }
        out
    }

    pub fn tracks_former(&self) -> bool {
        self.current.is_some() && (!self.former.is_empty() || self.legacy_wrap.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_keyed_versioned_and_of_one_length() {
        let one = FingerprintKey::derive(b"home one's random key material");
        let two = FingerprintKey::derive(b"home two's random key material");
        let short = one.fingerprint("generic-secret-assignment", b"hunter22");
        let long = one.fingerprint("generic-secret-assignment", &[b'x'; 400]);
        assert!(is_current_fingerprint(&short), "{short}");
        assert_eq!(short.len(), long.len(), "the length of the secret shows");
        assert_eq!(short.len(), FINGERPRINT_PREFIX.len() + 64);
        assert_eq!(
            short,
            one.fingerprint("generic-secret-assignment", b"hunter22")
        );
        assert_ne!(
            short,
            two.fingerprint("generic-secret-assignment", b"hunter22")
        );
        assert_ne!(short, one.fingerprint("github-pat", b"hunter22"));
        // The length prefix keeps the rule and the secret apart.
        assert_ne!(one.fingerprint("ab", b"c"), one.fingerprint("a", b"bc"));
        let legacy = legacy_fingerprint("generic-secret-assignment", b"hunter22");
        assert!(is_legacy_fingerprint(&legacy) && !is_current_fingerprint(&legacy));
        assert!(!short.contains(&legacy));
    }

    #[test]
    fn a_derived_key_restores_and_never_prints() {
        let key = FingerprintKey::derive(b"a team key of some length");
        let restored = FingerprintKey::restore(key.to_secret().expose()).unwrap();
        assert!(restored.same_as(&key));
        assert_eq!(restored.fingerprint("r", b"s"), key.fingerprint("r", b"s"));
        assert!(FingerprintKey::restore(b"short").is_none());
        let hex_key = hex::encode(key.to_secret().expose());
        let debug = format!("{key:?} {:?}", Fingerprinter::default());
        assert!(!debug.contains(&hex_key[..16]), "{debug}");
        assert_eq!(format!("{key:?}"), "FingerprintKey([redacted])");
        // The derived key is not the master secret, nor used as the HMAC of a raw value.
        assert_ne!(key.to_secret().expose(), b"a team key of some length");
    }

    #[test]
    fn wrapped_legacy_fingerprints_are_keyed_and_recognisable() {
        let key = FingerprintKey::derive(b"home key");
        let other = FingerprintKey::derive(b"other key");
        let legacy = legacy_fingerprint("github-pat", b"ghp_example");
        let wrapped = key.wrap_legacy(&legacy);
        assert!(wrapped.starts_with(WRAPPED_LEGACY_PREFIX));
        assert!(!wrapped.contains(&legacy));
        assert_ne!(wrapped, other.wrap_legacy(&legacy));
        let fingerprinter = Fingerprinter {
            current: Some(other.clone()),
            former: vec![key.clone()],
            legacy_wrap: Some(key.clone()),
        };
        assert_eq!(
            fingerprinter.former("github-pat", b"ghp_example"),
            [key.fingerprint("github-pat", b"ghp_example"), wrapped]
        );
        assert!(fingerprinter.tracks_former());
        assert_eq!(Fingerprinter::default().fingerprint("r", b"s"), "");
    }
}
