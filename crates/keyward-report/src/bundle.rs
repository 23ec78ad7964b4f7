//! Signed inventory bundles: a workstation's snapshot, signed with its Ed25519 key, so a
//! reviewer can trust that it came unaltered from the workstation it names.
//!
//! File format (JSON): `{format, version, public_key, payload, signature}`, where
//! `payload` is the base64 of the canonical payload JSON and `signature` the Ed25519
//! signature over [`SIGNING_CONTEXT`] followed by those payload bytes. Signing the exact
//! bytes (rather than re-serialized JSON) means verification never depends on how a
//! JSON library orders or spaces fields.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Snapshot;
use keyward_model::SecretValue;

pub const BUNDLE_FORMAT: &str = "keyward-bundle";
pub const BUNDLE_VERSION: u32 = 1;
/// Domain separation: a signature over a bundle can never be replayed as a signature
/// over anything else the same key signs (attestations use their own context).
pub const SIGNING_CONTEXT: &[u8] = b"keyward-bundle-v1\0";

#[derive(Debug, Error)]
pub enum BundleError {
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}: not a Keyward bundle: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },

    #[error("{}: the signature does not match the contents: the bundle was altered after it was signed", path.display())]
    BadSignature { path: PathBuf },

    #[error("{}: signed by key {presented}, but workstation {workstation} is pinned to key {pinned}; if the workstation really changed its key, remove it from the review and import again with --trust-new", path.display())]
    WrongKey {
        path: PathBuf,
        workstation: String,
        pinned: String,
        presented: String,
    },

    #[error("{}: workstation {workstation} ({hostname}) is not trusted yet; its key fingerprint is {key}. Check it with the workstation's owner, then import with --trust-new", path.display())]
    UnknownWorkstation {
        path: PathBuf,
        workstation: String,
        hostname: String,
        key: String,
    },

    #[error("{}: bundle number {sequence} from workstation {workstation} is not newer than the one already imported (number {latest}): a replayed or outdated bundle", path.display())]
    Replayed {
        path: PathBuf,
        workstation: String,
        sequence: u64,
        latest: u64,
    },

    #[error("the workstation signing key in the keychain is unusable: {0}")]
    Key(String),
}

/// What is signed: the snapshot and the workstation's bundle counter, which only grows,
/// so an old bundle cannot be passed off as the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundlePayload {
    pub sequence: u64,
    pub snapshot: Snapshot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBundle {
    pub format: String,
    pub version: u32,
    pub public_key: String,
    pub payload: String,
    pub signature: String,
}

/// A new Ed25519 key pair in PKCS#8, for the keychain.
pub fn generate_signing_key() -> SecretValue {
    let rng = ring::rand::SystemRandom::new();
    let document =
        Ed25519KeyPair::generate_pkcs8(&rng).expect("Ed25519 key generation from the system RNG");
    SecretValue::new(document.as_ref().to_vec())
}

/// The public key of a PKCS#8 signing key.
pub fn public_key(signing_key: &SecretValue) -> Result<Vec<u8>, BundleError> {
    let pair = Ed25519KeyPair::from_pkcs8(signing_key.expose())
        .map_err(|error| BundleError::Key(error.to_string()))?;
    Ok(pair.public_key().as_ref().to_vec())
}

/// A short, human-comparable fingerprint of a public key (SHA-256, first 16 bytes, hex
/// in groups), to read out over the phone on first use.
pub fn key_fingerprint(public_key: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, public_key);
    digest.as_ref()[..16]
        .chunks(2)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(":")
}

pub fn sign(
    signing_key: &SecretValue,
    payload: &BundlePayload,
) -> Result<SignedBundle, BundleError> {
    sign_document(signing_key, BUNDLE_FORMAT, SIGNING_CONTEXT, payload)
}

/// Signs any serializable payload as a document of `format`, under `context` (each
/// document kind has its own, so one kind's signature never verifies as another's).
pub fn sign_document<T: Serialize>(
    signing_key: &SecretValue,
    format: &str,
    context: &[u8],
    payload: &T,
) -> Result<SignedBundle, BundleError> {
    let pair = Ed25519KeyPair::from_pkcs8(signing_key.expose())
        .map_err(|error| BundleError::Key(error.to_string()))?;
    let bytes = serde_json::to_vec(payload).expect("signed payloads serialize");
    let mut message = context.to_vec();
    message.extend_from_slice(&bytes);
    let signature = pair.sign(&message);
    Ok(SignedBundle {
        format: format.to_owned(),
        version: BUNDLE_VERSION,
        public_key: BASE64.encode(pair.public_key().as_ref()),
        payload: BASE64.encode(&bytes),
        signature: BASE64.encode(signature.as_ref()),
    })
}

/// A bundle whose signature checked out against the key it carries. Whether that key is
/// the right one for the workstation is the review's decision (pinning).
pub struct VerifiedBundle {
    pub public_key: Vec<u8>,
    pub payload: BundlePayload,
}

pub fn read_and_verify(path: &Path) -> Result<VerifiedBundle, BundleError> {
    let bytes = std::fs::read(path).map_err(|source| BundleError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    verify(path, &bytes)
}

pub fn verify(path: &Path, bytes: &[u8]) -> Result<VerifiedBundle, BundleError> {
    let (public_key, payload_bytes) = verify_document(path, bytes, BUNDLE_FORMAT, SIGNING_CONTEXT)?;
    let payload: BundlePayload =
        serde_json::from_slice(&payload_bytes).map_err(|error| BundleError::Malformed {
            path: path.to_owned(),
            reason: format!("payload: {error}"),
        })?;
    Ok(VerifiedBundle {
        public_key,
        payload,
    })
}

/// Checks a signed document of `format` and returns its public key and payload bytes.
pub fn verify_document(
    path: &Path,
    bytes: &[u8],
    format: &str,
    context: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), BundleError> {
    let malformed = |reason: String| BundleError::Malformed {
        path: path.to_owned(),
        reason,
    };
    let bundle: SignedBundle =
        serde_json::from_slice(bytes).map_err(|error| malformed(error.to_string()))?;
    if bundle.format != format {
        return Err(malformed(format!(
            "format is `{}`, expected `{format}`",
            bundle.format
        )));
    }
    if bundle.version != BUNDLE_VERSION {
        return Err(malformed(format!(
            "version {} is not supported (this Keyward reads {BUNDLE_VERSION})",
            bundle.version
        )));
    }
    let decode = |field: &str, text: &str| {
        BASE64
            .decode(text)
            .map_err(|error| malformed(format!("{field}: {error}")))
    };
    let public_key = decode("public_key", &bundle.public_key)?;
    let payload_bytes = decode("payload", &bundle.payload)?;
    let signature = decode("signature", &bundle.signature)?;
    let mut message = context.to_vec();
    message.extend_from_slice(&payload_bytes);
    UnparsedPublicKey::new(&ED25519, &public_key)
        .verify(&message, &signature)
        .map_err(|_| BundleError::BadSignature {
            path: path.to_owned(),
        })?;
    Ok((public_key, payload_bytes))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::Workstation;

    fn payload(sequence: u64) -> BundlePayload {
        BundlePayload {
            sequence,
            snapshot: Snapshot::build(
                Workstation {
                    id: "w1".into(),
                    hostname: "laptop".into(),
                    user: "ada".into(),
                },
                Utc::now(),
                &[],
                &[],
                Vec::new(),
                3,
                true,
            ),
        }
    }

    #[test]
    fn a_signed_bundle_verifies_and_round_trips() {
        let key = generate_signing_key();
        let bundle = sign(&key, &payload(7)).unwrap();
        let bytes = serde_json::to_vec(&bundle).unwrap();
        let verified = verify(Path::new("b.json"), &bytes).unwrap();
        assert_eq!(
            verified.payload,
            payload(7).clone_with_time(&verified.payload)
        );
        assert_eq!(verified.public_key, public_key(&key).unwrap());
    }

    #[test]
    fn any_change_to_the_payload_breaks_the_signature() {
        let key = generate_signing_key();
        let mut bundle = sign(&key, &payload(1)).unwrap();
        let mut bytes = BASE64.decode(&bundle.payload).unwrap();
        let position = bytes
            .windows(6)
            .position(|window| window == b"laptop")
            .unwrap();
        bytes[position] = b'L';
        bundle.payload = BASE64.encode(&bytes);
        let error = verify(Path::new("b.json"), &serde_json::to_vec(&bundle).unwrap())
            .err()
            .unwrap();
        assert!(matches!(error, BundleError::BadSignature { .. }), "{error}");
    }

    #[test]
    fn a_signature_from_another_key_fails() {
        let mut bundle = sign(&generate_signing_key(), &payload(1)).unwrap();
        bundle.public_key = BASE64.encode(public_key(&generate_signing_key()).unwrap());
        let error = verify(Path::new("b.json"), &serde_json::to_vec(&bundle).unwrap())
            .err()
            .unwrap();
        assert!(matches!(error, BundleError::BadSignature { .. }), "{error}");
    }

    impl BundlePayload {
        fn clone_with_time(mut self, other: &BundlePayload) -> BundlePayload {
            self.snapshot.generated_at = other.snapshot.generated_at;
            self
        }
    }
}
