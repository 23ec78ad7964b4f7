//! Signed review bundles (`keyward review import`): a JSON envelope around a base64
//! payload with an Ed25519 signature, and the snapshot inside it.
//!
//! The first input byte picks what the rest is (its two low bits):
//! - 0 or 2: a whole bundle file, as a workstation (or an attacker) might hand over;
//!   it must verify or be refused, never panic, and if it verifies, its payload must be
//!   exactly what the envelope carries.
//! - 1: payload bytes, which the target signs with its own key so that the snapshot
//!   parser behind the signature check is reached; the bundle verifies exactly when the
//!   payload is a valid snapshot, to that snapshot, which survives being written out
//!   and read again.
//! - 3: as 1, and also: re-signing what was read gives a bundle that verifies to the
//!   same payload, and the same signature over altered bytes is refused.
//!
//! Ed25519 signing and verifying cost most of each run, so only mode 3 pays for more
//! than one of each.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use keyward_model::SecretValue;
use keyward_report::bundle::{
    BUNDLE_FORMAT, BUNDLE_VERSION, BundlePayload, SIGNING_CONTEXT, generate_signing_key,
    public_key, sign, verify,
};
use keyward_report::{BundleError, SignedBundle};
use libfuzzer_sys::fuzz_target;
use ring::signature::Ed25519KeyPair;

/// One key per process: signatures depend on it, which payloads verify do not.
static KEY: LazyLock<SecretValue> = LazyLock::new(generate_signing_key);
static PAIR: LazyLock<Ed25519KeyPair> =
    LazyLock::new(|| Ed25519KeyPair::from_pkcs8(KEY.expose()).expect("a generated key"));
static PUBLIC_KEY: LazyLock<String> =
    LazyLock::new(|| BASE64.encode(public_key(&KEY).expect("a generated key")));

fn signed_bytes(payload: &[u8]) -> Vec<u8> {
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend_from_slice(payload);
    message
}

fn envelope(payload: &[u8], signature: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&SignedBundle {
        format: BUNDLE_FORMAT.into(),
        version: BUNDLE_VERSION,
        public_key: PUBLIC_KEY.clone(),
        payload: BASE64.encode(payload),
        signature: BASE64.encode(signature),
    })
    .unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Some((choice, rest)) = data.split_first() else {
        return;
    };
    let path = Path::new("fuzz/workstation.keyward-bundle");
    if choice & 1 == 0 {
        if let Ok(verified) = verify(path, rest) {
            let envelope: SignedBundle = serde_json::from_slice(rest).expect("a verified envelope");
            assert_eq!(
                BASE64.decode(&envelope.public_key).unwrap(),
                verified.public_key
            );
            let carried: BundlePayload =
                serde_json::from_slice(&BASE64.decode(&envelope.payload).unwrap()).unwrap();
            assert_eq!(carried, verified.payload);
        }
        return;
    }

    let parsed = serde_json::from_slice::<BundlePayload>(rest);
    if let Ok(payload) = &parsed {
        let again: BundlePayload =
            serde_json::from_slice(&serde_json::to_vec(payload).unwrap()).expect("re-read");
        assert_eq!(&again, payload, "the snapshot does not round-trip");
    }
    let parses = parsed.is_ok();
    let signature = PAIR.sign(&signed_bytes(rest));
    match verify(path, &envelope(rest, signature.as_ref())) {
        Ok(verified) if choice & 3 == 3 => {
            assert!(parses);
            let resigned = sign(&KEY, &verified.payload).expect("signing with a generated key");
            let bytes = serde_json::to_vec(&resigned).unwrap();
            let again = verify(path, &bytes).expect("a re-signed bundle verifies");
            assert_eq!(
                again.payload, verified.payload,
                "the snapshot does not round-trip"
            );
        }
        Ok(verified) => assert_eq!(Some(&verified.payload), parsed.as_ref().ok()),
        Err(BundleError::Malformed { .. }) => assert!(!parses),
        Err(other) => panic!("a correctly signed payload was refused: {other}"),
    }
    if choice & 3 != 3 {
        return;
    }
    // A signature over other bytes never verifies.
    let mut altered = rest.to_vec();
    match altered.last_mut() {
        Some(last) => *last ^= 1,
        None => altered.push(b' '),
    }
    assert!(matches!(
        verify(path, &envelope(&altered, signature.as_ref())),
        Err(BundleError::BadSignature { .. })
    ));
});
