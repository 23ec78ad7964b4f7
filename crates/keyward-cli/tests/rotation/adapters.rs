//! Provider adapters and http recipes against fake providers on 127.0.0.1: the happy
//! path, and every provider failure rolling back with a clear message.

use std::sync::Arc;

use keyward::clock::FixedClock;
use keyward::model::CredentialKind;
use keyward::rotate::{RotateError, RotationMethod, RotationState};
use keyward::{Error, ErrorCode};

use super::fake;
use super::providers::{FakeAws, FakeTokens, FakeTwilio, Fault, key_api_recipe};
use super::{Home, mode, provider_setup, states, write_file};

fn recipe_home() -> (Home, Arc<FakeTokens>, fake::Server, String) {
    let mut home = Home::new();
    let (api, value) = FakeTokens::new("key_");
    let server = fake::start(home.dir.path(), api.key_api());
    home.add("payments", CredentialKind::ApiKey, &value);
    let mut setup = provider_setup(RotationMethod::Http, &server);
    setup.recipe = Some(key_api_recipe(&server.base_url()));
    setup.key_id = Some("1".into());
    home.keyward
        .rotation()
        .set_rotation("payments", setup, None)
        .unwrap();
    (home, api, server, value)
}

#[test]
fn an_http_recipe_creates_verifies_and_revokes() {
    let (mut home, api, _server, old) = recipe_home();
    home.rotate("payments").unwrap();
    let new = home.value("payments");
    assert_ne!(new, old);
    assert!(
        api.accepts(&new),
        "the keychain's value must work at the provider"
    );
    assert!(!api.accepts(&old), "the old key must be revoked");
    assert_eq!(api.active_count(), 1);
    // The second rotation needs the new key's id, learned from the first.
    home.rotate("payments").unwrap();
    assert!(api.accepts(&home.value("payments")));
    assert_eq!(
        api.active_count(),
        1,
        "each rotation leaves exactly one working key"
    );
    home.assert_settled();
}

#[test]
fn provider_failures_roll_back_and_leave_files_untouched() {
    for (action, fault, expected) in [
        ("POST /v1/keys", Fault::ServerError, "HTTP 500"),
        ("POST /v1/keys", Fault::Hang, "timed out"),
        ("POST /v1/keys", Fault::MalformedJson, "not JSON"),
        ("GET /v1/me", Fault::ServerError, "was not accepted"),
    ] {
        let (mut home, api, _server, old) = recipe_home();
        let env = home.path("service.env");
        write_file(&env, &format!("KEY={old}\n"), 0o600);
        let mut setup = home.keyward.rotation_setup("payments").unwrap();
        setup.files = vec![env.clone()];
        home.keyward
            .rotation()
            .set_rotation("payments", setup, None)
            .unwrap();
        api.faults.set(action, fault);

        let error = home.rotate("payments").unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(error, Error::Rotate(RotateError::RolledBack { .. })),
            "{action} {fault:?}: {message}"
        );
        assert!(
            message.contains(expected) && message.contains("rolled back"),
            "{action} {fault:?}: the message must say what failed: {message}"
        );
        assert_eq!(error.code(), ErrorCode::Environment);
        assert_eq!(
            home.value("payments"),
            old,
            "a rollback keeps the old value current"
        );
        assert!(api.accepts(&old));
        if fault != Fault::Hang {
            assert_eq!(
                api.active_count(),
                1,
                "{action} {fault:?}: a key created before the failure must be revoked"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&env).unwrap(),
            format!("KEY={old}\n"),
            "files stay untouched on rollback"
        );
        assert_eq!(mode(&env), 0o600);
        assert_eq!(
            home.keyward
                .rotation()
                .rotation_history("payments")
                .unwrap()[0]
                .state,
            RotationState::RolledBack
        );
        home.assert_settled();
    }
}

#[test]
fn the_key_limit_is_reported_as_such() {
    let (mut home, api, _server, old) = recipe_home();
    api.faults.clear();
    // Someone made a second key by hand: the API allows two.
    api.tokens.lock().unwrap().push(super::providers::Token {
        id: "99".into(),
        value: "key_manual".into(),
        active: true,
    });
    let error = home.rotate("payments").unwrap_err().to_string();
    assert!(error.contains("key limit reached"), "{error}");
    assert_eq!(home.value("payments"), old);
}

#[test]
fn aws_keys_rotate_with_sigv4_and_the_old_key_is_deleted_after_the_grace_period() {
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let mut home = Home::new().with_clock(clock.clone());
    let (aws, old) = FakeAws::new();
    let server = fake::start(home.dir.path(), aws.handler());
    home.add("deploy-aws", CredentialKind::ApiKey, &old);
    home.keyward
        .rotation()
        .set_rotation(
            "deploy-aws",
            provider_setup(RotationMethod::Aws, &server),
            Some(90),
        )
        .unwrap();

    home.rotate("deploy-aws").unwrap();
    let new = home.value("deploy-aws");
    assert!(
        aws.accepts(&new),
        "the fake checked the SigV4 signatures of the new key"
    );
    assert!(
        !aws.accepts(&old),
        "the old key is deactivated after commit"
    );
    assert_eq!(aws.active_count(), 1, "exactly one key stays active");
    assert_eq!(
        aws.keys.lock().unwrap().len(),
        2,
        "the old key is only Inactive during the grace period"
    );
    assert!(states(&mut home, "deploy-aws").contains(&RotationState::Revoked));

    clock.set(chrono::Utc::now() + chrono::Duration::days(8));
    home.keyward
        .rotation()
        .resume_rotations(None, &mut |_| {})
        .unwrap();
    assert_eq!(
        aws.keys.lock().unwrap().len(),
        1,
        "after the grace period DeleteAccessKey removes the old key"
    );
    home.assert_settled();
}

#[test]
fn aws_two_key_limit_rolls_back_with_the_providers_message() {
    let mut home = Home::new();
    let (aws, old) = FakeAws::new();
    aws.add_key();
    let server = fake::start(home.dir.path(), aws.handler());
    home.add("deploy-aws", CredentialKind::ApiKey, &old);
    home.keyward
        .rotation()
        .set_rotation(
            "deploy-aws",
            provider_setup(RotationMethod::Aws, &server),
            None,
        )
        .unwrap();
    let error = home.rotate("deploy-aws").unwrap_err().to_string();
    assert!(
        error.contains("key limit is reached") && error.contains("AccessKeysPerUser: 2"),
        "{error}"
    );
    assert_eq!(home.value("deploy-aws"), old);
    assert!(aws.accepts(&old));
}

#[test]
fn aws_rejects_a_forged_signature() {
    let mut home = Home::new();
    let (aws, old) = FakeAws::new();
    let server = fake::start(home.dir.path(), aws.handler());
    let (id, _) = old.split_once(':').unwrap();
    home.add(
        "forged",
        CredentialKind::ApiKey,
        &format!("{id}:not-the-secret"),
    );
    home.keyward
        .rotation()
        .set_rotation("forged", provider_setup(RotationMethod::Aws, &server), None)
        .unwrap();
    let error = home.rotate("forged").unwrap_err().to_string();
    assert!(error.contains("SignatureDoesNotMatch"), "{error}");
    assert_eq!(aws.keys.lock().unwrap().len(), 1);
}

#[test]
fn gitlab_tokens_rotate_in_place() {
    let mut home = Home::new();
    let (gitlab, old) = FakeTokens::new("glpat-");
    let server = fake::start(home.dir.path(), gitlab.gitlab());
    home.add("gitlab-ci", CredentialKind::Token, &old);
    home.keyward
        .rotation()
        .set_rotation(
            "gitlab-ci",
            provider_setup(RotationMethod::Gitlab, &server),
            Some(30),
        )
        .unwrap();
    let plan = home.keyward.rotation().plan_rotation("gitlab-ci").unwrap();
    assert_eq!(plan.lifecycle, "roll");
    home.rotate("gitlab-ci").unwrap();
    let new = home.value("gitlab-ci");
    assert!(new.starts_with("glpat-") && gitlab.accepts(&new));
    assert!(!gitlab.accepts(&old));
    home.assert_settled();
}

#[test]
fn gitlab_refusal_keeps_the_token() {
    let mut home = Home::new();
    let (gitlab, old) = FakeTokens::new("glpat-");
    let server = fake::start(home.dir.path(), gitlab.gitlab());
    home.add("gitlab-ci", CredentialKind::Token, &old);
    home.keyward
        .rotation()
        .set_rotation(
            "gitlab-ci",
            provider_setup(RotationMethod::Gitlab, &server),
            None,
        )
        .unwrap();
    gitlab.faults.set(
        "POST /api/v4/personal_access_tokens/self/rotate",
        Fault::ServerError,
    );
    let error = home.rotate("gitlab-ci").unwrap_err().to_string();
    assert!(
        error.contains("GitLab token rotate failed with HTTP 500"),
        "{error}"
    );
    assert_eq!(home.value("gitlab-ci"), old);
    assert!(gitlab.accepts(&old));
}

#[test]
fn cloudflare_tokens_roll() {
    let mut home = Home::new();
    let (cloudflare, old) = FakeTokens::new("cf");
    let server = fake::start(home.dir.path(), cloudflare.cloudflare());
    home.add("dns-edit", CredentialKind::Token, &old);
    let mut setup = provider_setup(RotationMethod::Cloudflare, &server);
    setup.base_url = Some(format!("{}/client/v4", server.base_url()));
    home.keyward
        .rotation()
        .set_rotation("dns-edit", setup, None)
        .unwrap();
    home.rotate("dns-edit").unwrap();
    let new = home.value("dns-edit");
    assert!(cloudflare.accepts(&new) && !cloudflare.accepts(&old));
    assert_eq!(
        home.keyward
            .rotation_setup("dns-edit")
            .unwrap()
            .key_id
            .as_deref(),
        Some("1"),
        "the token id is remembered"
    );
    home.assert_settled();
}

#[test]
fn twilio_keys_are_created_and_the_old_one_deleted() {
    let mut home = Home::new();
    let (twilio, old) = FakeTwilio::new();
    let server = fake::start(home.dir.path(), twilio.handler());
    home.add("sms", CredentialKind::ApiKey, &old);
    let mut setup = provider_setup(RotationMethod::Twilio, &server);
    setup.account = Some(twilio.account.clone());
    home.keyward
        .rotation()
        .set_rotation("sms", setup, None)
        .unwrap();
    home.rotate("sms").unwrap();
    let new = home.value("sms");
    assert!(twilio.accepts(&new) && !twilio.accepts(&old));
    assert_eq!(twilio.key_count(), 1);

    twilio.faults.set("GET Account", Fault::ServerError);
    let error = home.rotate("sms").unwrap_err().to_string();
    assert!(error.contains("rolled back"), "{error}");
    assert_eq!(home.value("sms"), new);
    assert_eq!(
        twilio.key_count(),
        1,
        "the key created before the failed check is deleted again"
    );
    home.assert_settled();
}

#[test]
fn credentials_go_only_to_their_allowed_hosts() {
    let mut home = Home::new();
    let (gitlab, old) = FakeTokens::new("glpat-");
    let server = fake::start(home.dir.path(), gitlab.gitlab());
    home.add("gitlab-ci", CredentialKind::Token, &old);
    let mut setup = provider_setup(RotationMethod::Gitlab, &server);
    setup.base_url = Some(format!("https://localhost:{}", server.address.port()));
    home.keyward
        .rotation()
        .set_rotation("gitlab-ci", setup, None)
        .unwrap();
    let error = home.rotate("gitlab-ci").unwrap_err().to_string();
    assert!(
        error.contains("not among the credential's allowed hosts"),
        "{error}"
    );
    assert!(gitlab.accepts(&old), "nothing was sent");
}

#[test]
fn errors_never_show_a_secret_templated_into_a_url() {
    let (mut home, _api, server, old) = recipe_home();
    let mut setup = home.keyward.rotation_setup("payments").unwrap();
    let recipe = key_api_recipe(&server.base_url()).replace(
        &format!("url = \"{}/v1/keys\"", server.base_url()),
        "url = \"https://unlisted.example/v1/keys?key={{current}}\"",
    );
    setup.recipe = Some(recipe);
    home.keyward
        .rotation()
        .set_rotation("payments", setup, None)
        .unwrap();
    let error = home.rotate("payments").unwrap_err().to_string();
    assert!(
        error.contains("https://unlisted.example") && error.contains("allowed hosts"),
        "{error}"
    );
    assert!(
        !error.contains(&old),
        "an error message carried the secret: {error}"
    );
}
