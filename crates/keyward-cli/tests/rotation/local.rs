//! The `generate` adapter end to end: tokens, JWT signing keys, client certificates,
//! propagation into files, the grace period, history.

use std::sync::Arc;

use keyward::clock::FixedClock;
use keyward::model::CredentialKind;
use keyward::rotate::{RotationMethod, RotationSetup, RotationState};

use super::{Home, mode, states, write_file};

#[test]
fn a_token_rotates_locally_and_its_files_follow() {
    let mut home = Home::new();
    let old = "sk_live_abcdefghijklmnopqrstuvwxyz012345";
    home.add("stripe", CredentialKind::ApiKey, old);
    let env = home.path("app.env");
    write_file(&env, &format!("STRIPE_KEY={old}\nOTHER=1\n"), 0o640);
    let mut setup = RotationSetup::new(RotationMethod::Generate);
    setup.files = vec![env.clone()];
    home.keyward
        .rotation()
        .set_rotation("stripe", setup, Some(30))
        .unwrap();

    let plan = home.keyward.rotation().plan_rotation("stripe").unwrap();
    assert_eq!(plan.files[0].changes.len(), 1);
    let shown = serde_json::to_string(&plan).unwrap();
    assert!(
        !shown.contains(old),
        "the plan is shown to people and must not carry the value: {shown}"
    );

    let mut seen = Vec::new();
    let outcome = home
        .keyward
        .rotation()
        .rotate_credential("stripe", &Default::default(), None, &mut |step| {
            seen.push(step.state)
        })
        .unwrap();
    assert_eq!(outcome.state, RotationState::Done);
    assert_eq!(
        seen,
        RotationState::FORWARD.to_vec(),
        "progress must report every step in order"
    );
    let new = home.value("stripe");
    assert_ne!(new, old);
    assert_eq!(new.len(), old.len());
    assert!(
        new.starts_with("sk_live_"),
        "the vendor prefix is part of the alphabet: {new}"
    );
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        format!("STRIPE_KEY={new}\nOTHER=1\n")
    );
    assert_eq!(
        mode(&env),
        0o640,
        "propagation must keep the file's permissions"
    );
    let history = home.keyward.rotation().rotation_history("stripe").unwrap();
    assert!(
        history[0].previous_kept,
        "the old value stays in the keychain for the grace period"
    );
    assert_eq!(states(&mut home, "stripe"), RotationState::FORWARD.to_vec());
    home.assert_settled();
}

#[test]
fn the_previous_value_is_purged_only_after_the_grace_period() {
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let mut home = Home::new().with_clock(clock.clone());
    home.add(
        "hook",
        CredentialKind::Hmac,
        "0123456789abcdef0123456789abcdef",
    );
    home.rotate("hook").unwrap();
    assert!(
        home.keyward
            .rotation()
            .purge_previous_values()
            .unwrap()
            .is_empty(),
        "inside the grace period nothing is purged"
    );
    clock.set(chrono::Utc::now() + chrono::Duration::days(8));
    let purged = home.keyward.rotation().purge_previous_values().unwrap();
    assert_eq!(purged.len(), 1);
    assert!(!home.keyward.rotation().rotation_history("hook").unwrap()[0].previous_kept);
    let new = home.value("hook");
    assert!(
        new.chars().all(|c| c.is_ascii_hexdigit()) && new.len() == 32,
        "hex HMAC keys stay hex: {new}"
    );
}

#[test]
fn a_jwt_signing_key_rotates_to_the_same_type_and_publishes_both_public_keys() {
    let mut home = Home::new();
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &rng,
    )
    .unwrap();
    let pem = pem_encode("PRIVATE KEY", pkcs8.as_ref());
    home.add("issuer", CredentialKind::JwtSigningKey, &pem);
    let jwks = home.path("jwks.json");
    let mut setup = RotationSetup::new(RotationMethod::Generate);
    setup.jwks_file = Some(jwks.clone());
    home.keyward
        .rotation()
        .set_rotation("issuer", setup, None)
        .unwrap();
    let outcome = home.rotate("issuer").unwrap();
    assert!(outcome.files_updated.contains(&jwks));
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&jwks).unwrap()).unwrap();
    let keys = document["keys"].as_array().unwrap();
    assert_eq!(
        keys.len(),
        2,
        "verifiers must accept old and new tokens during the grace period"
    );
    assert!(
        keys.iter()
            .all(|key| key["kty"] == "EC" && key["crv"] == "P-256" && key.get("d").is_none())
    );
    assert_ne!(home.value("issuer"), pem);
    home.assert_settled();
}

#[test]
fn a_client_certificate_is_renewed_self_signed_or_by_a_local_ca() {
    let mut home = Home::new();
    let (ca_bundle, ca_issuer) = make_ca();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["client.example".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "billing client");
    let leaf = params.signed_by(&leaf_key, &ca_issuer).unwrap();
    let bundle = format!("{}{}", leaf_key.serialize_pem(), leaf.pem());
    home.add("billing-mtls", CredentialKind::ClientCert, &bundle);
    home.add("local-ca", CredentialKind::ClientCert, &ca_bundle);

    home.rotate("billing-mtls").unwrap();
    let self_signed = home
        .keyward
        .credential("billing-mtls")
        .unwrap()
        .certificate
        .unwrap();
    assert_eq!(
        self_signed.subject, self_signed.issuer,
        "without a CA the renewal is self-signed"
    );
    assert!(
        self_signed.subject.contains("billing client"),
        "the subject is kept: {}",
        self_signed.subject
    );
    assert!(
        self_signed
            .subject_alt_names
            .iter()
            .any(|name| name.contains("client.example"))
    );
    let id = home.keyward.credential("billing-mtls").unwrap().id;
    assert!(
        home.path(&format!("home/csr/{id}.csr.pem")).is_file(),
        "a CSR is written for the user's own CA, named by the credential's id"
    );

    let mut setup = RotationSetup::new(RotationMethod::Generate);
    setup.signing_ca = Some("local-ca".into());
    home.keyward
        .rotation()
        .set_rotation("billing-mtls", setup, None)
        .unwrap();
    home.rotate("billing-mtls").unwrap();
    let signed = home
        .keyward
        .credential("billing-mtls")
        .unwrap()
        .certificate
        .unwrap();
    assert!(
        signed.issuer.contains("Local Test CA"),
        "the local CA must be the issuer: {}",
        signed.issuer
    );
    assert_eq!(
        signed.chain_length, 2,
        "the CA certificate travels with the leaf"
    );
    home.assert_settled();
}

#[test]
fn a_basic_credential_cannot_be_generated() {
    let mut home = Home::new();
    home.add("db", CredentialKind::Basic, "alice:pw");
    let error = home.keyward.rotation().plan_rotation("db").unwrap_err();
    assert_eq!(error.code(), keyward::ErrorCode::InvalidInput, "{error}");
    assert!(
        error.to_string().contains("set-rotation"),
        "the message must say what to do: {error}"
    );
}

fn make_ca() -> (String, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Local Test CA");
    let certificate = params.self_signed(&key).unwrap();
    let bundle = format!("{}{}", key.serialize_pem(), certificate.pem());
    (bundle, rcgen::Issuer::new(params, key))
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The probe's auth check plugs in through `CredentialCheck`; its refusal rolls back.
struct Refuses;

impl keyward::rotate::CredentialCheck for Refuses {
    fn check(
        &self,
        credential: &keyward::model::Credential,
        _: &keyward::model::SecretValue,
    ) -> Result<(), String> {
        Err(format!("{} answered 401 at its endpoint", credential.name))
    }
}

#[test]
fn a_failing_endpoint_check_rolls_back_before_commit() {
    let mut home = Home::new();
    let old = "0123456789abcdef0123456789abcdef";
    home.add("webhook", CredentialKind::Secret, old);
    let error = home
        .keyward
        .rotation()
        .rotate_credential("webhook", &Default::default(), Some(&Refuses), &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("answered 401 at its endpoint") && error.contains("rolled back"),
        "{error}"
    );
    assert_eq!(
        home.value("webhook"),
        old,
        "a new value the endpoint refuses never becomes current"
    );
    home.assert_settled();
}
