//! Envelope encryption for values too large for a keychain entry.
//!
//! The sealed form is `nonce (12 bytes) || ciphertext || tag`, AES-256-GCM, with the
//! credential's id as associated data so a sealed blob copied onto another credential's
//! row does not open.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::Zeroizing;

use keyward_model::SecretValue;
use keyward_model::random::random_bytes;

/// Values longer than this many bytes are sealed in SQLite instead of stored whole in the
/// keychain. Some platform stores cap entries near this size (Windows at 2,560 bytes).
pub const ENVELOPE_THRESHOLD: usize = 2048;

/// A 256-bit AES key, zeroized on drop.
pub struct EnvelopeKey(Zeroizing<[u8; 32]>);

impl EnvelopeKey {
    pub fn generate() -> Self {
        Self(Zeroizing::new(random_bytes::<32>()))
    }

    /// Rebuilds a key read back from the keychain; `None` if it has the wrong length.
    pub fn from_secret(secret: &SecretValue) -> Option<Self> {
        let bytes: [u8; 32] = secret.expose().try_into().ok()?;
        Some(Self(Zeroizing::new(bytes)))
    }

    pub fn to_secret(&self) -> SecretValue {
        SecretValue::new(self.0.to_vec())
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, self.0.as_ref()).expect("32-byte AES-256 key"),
        )
    }
}

pub fn seal_envelope(key: &EnvelopeKey, plaintext: &SecretValue, associated: &str) -> Vec<u8> {
    let nonce_bytes = random_bytes::<NONCE_LEN>();
    let mut buffer = plaintext.expose().to_vec();
    key.aead()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(associated.as_bytes()),
            &mut buffer,
        )
        .expect("AES-GCM sealing of an in-memory buffer cannot fail");
    let mut sealed = nonce_bytes.to_vec();
    sealed.extend_from_slice(&buffer);
    buffer.iter_mut().for_each(|byte| *byte = 0);
    sealed
}

/// Opens a sealed value; `None` if the key, the associated data or the bytes are wrong.
pub fn open_envelope(key: &EnvelopeKey, sealed: &[u8], associated: &str) -> Option<SecretValue> {
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plaintext = key
        .aead()
        .open_in_place(nonce, Aad::from(associated.as_bytes()), &mut buffer)
        .ok()?;
    Some(SecretValue::new(plaintext.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_id() {
        let key = EnvelopeKey::generate();
        let value = SecretValue::new(vec![7u8; 5000]);
        let sealed = seal_envelope(&key, &value, "id-1");
        assert_eq!(open_envelope(&key, &sealed, "id-1"), Some(value.clone()));
        assert!(
            open_envelope(&key, &sealed, "id-2").is_none(),
            "a blob moved to another id must not open"
        );
        assert!(open_envelope(&EnvelopeKey::generate(), &sealed, "id-1").is_none());
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert!(
            open_envelope(&key, &flipped, "id-1").is_none(),
            "a changed ciphertext must not open"
        );
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let key = EnvelopeKey::generate();
        let value = SecretValue::new(b"same".to_vec());
        assert_ne!(
            seal_envelope(&key, &value, "a"),
            seal_envelope(&key, &value, "a")
        );
    }
}
