//! The probe's JWT reader and the variants it forges from a token. Whatever the text:
//! no panic; only three-part tokens are read; findings never show the token; the
//! `alg: none` and forged-signature variants keep the token's claims; a token re-signed
//! with a weak secret as an expired variant is expired and is found to use that secret.

#![no_main]

use chrono::{TimeZone, Utc};
use keyward_probe::jwt::{
    WEAK_SECRETS, alg_none_variant, expired_variant, forged_signature_variant, inspect,
    offline_findings, weak_secret,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let parts: Vec<&str> = token.split('.').collect();
    if let Some(none) = alg_none_variant(token) {
        assert_eq!(none.split('.').nth(1), parts.get(1).copied());
        assert!(none.ends_with('.'));
    }
    if let Some(forged) = forged_signature_variant(token) {
        let (message, _) = token.rsplit_once('.').expect("forged from a dotted token");
        assert!(forged.starts_with(message) && forged.len() > message.len());
    }
    let Some(facts) = inspect(token) else {
        return;
    };
    assert_eq!(parts.len(), 3);
    for finding in offline_findings(token, &facts) {
        if token.len() >= 16 {
            assert!(!finding.evidence.contains(token) && !finding.message.contains(token));
        }
    }
    let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    // One dictionary secret, chosen by the token's length, keeps each run cheap.
    let secret = WEAK_SECRETS[token.len() % WEAK_SECRETS.len()];
    if let Some(expired) = expired_variant(token, &facts, secret, now) {
        let again = inspect(&expired).expect("the expired variant is a JWT");
        assert_eq!(again.algorithm, facts.algorithm);
        assert!(again.expires_at.is_some_and(|at| at < now));
        assert!(again.issued_at.is_some_and(|at| at < now));
        assert_eq!(weak_secret(&expired, &again), Some(secret));
    }
});
