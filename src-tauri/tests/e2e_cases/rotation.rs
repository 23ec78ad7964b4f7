//! One-click rotation in the real window: the plan names the files that will be
//! rewritten (registered, and found by the leak scanner), the rotation runs with the
//! `generate` adapter, the new value lands in the keychain and in the files, and the
//! credential's history shows it. Every overdue credential can be rotated in one
//! confirmed batch from the dashboard. And a rotation a crash interrupted is settled
//! when the app starts.

use keyward::model::{CredentialKind, NewCredential, SecretValue};
use keyward::rotate::{RotationMethod, RotationSetup};

use super::driver::{Session, by_text};
use super::keychain_value;

const OLD: &str = "tok_e2eRotation0123456789abcdefghijklmn";

/// WebKit paints after the DOM changed: two animation frames pass before the picture,
/// so it shows what the test just read.
async fn screenshot_painted(session: &Session, name: &str) {
    session
        .client()
        .execute_async(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
            Vec::new(),
        )
        .await
        .expect("frames pass");
    session.screenshot(name).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_user_rotates_a_credential_and_sees_it_in_the_keychain_its_file_and_the_history() {
    let session = Session::start("rotation").await;
    let home = session.home();
    session.wait_text("h1", "Dashboard").await;

    // The credential and a file that uses it, set up through the library next to the
    // running app (its own connection to the same home).
    let env_file = home.parent().unwrap().join("deploy.env");
    std::fs::write(&env_file, format!("DEPLOY_TOKEN={OLD}\n")).unwrap();
    // A copy nobody registered, which the leak scanner finds.
    let project = home.parent().unwrap().join("project");
    std::fs::create_dir(&project).unwrap();
    let leaked_file = project.join("ci.env");
    std::fs::write(&leaked_file, format!("TOKEN={OLD}\n")).unwrap();
    {
        let mut keyward = keyward::Keyward::open(&home).expect("the app created the home");
        keyward
            .credentials()
            .add_credential(
                NewCredential {
                    name: "deploy-token".into(),
                    kind: Some(CredentialKind::Token),
                    ..Default::default()
                },
                SecretValue::from_string(OLD.into()),
            )
            .unwrap();
        let mut setup = RotationSetup::new(RotationMethod::Generate);
        setup.files = vec![env_file.clone()];
        keyward
            .rotation()
            .set_rotation("deploy-token", setup, None)
            .unwrap();
        keyward
            .leaks()
            .scan(
                &keyward::ScanRequest {
                    roots: vec![project.clone()],
                    mode: keyward::ScanMode::Files,
                    options: Default::default(),
                },
                None,
                &|_| {},
            )
            .expect("scan");
    }

    session.open_from_palette("deploy-token").await;
    session
        .wait_text(
            "section[aria-labelledby=rotation-history-title]",
            "Never rotated",
        )
        .await;

    session.click(by_text("button", "Rotate")).await;
    session
        .wait_text("[data-testid=rotation-plan]", "deploy.env")
        .await;
    let plan = session
        .text_where("[data-testid=rotation-plan]", "found by leak scan")
        .await;
    assert!(
        !plan.contains(OLD),
        "the plan shows file changes redacted, never the value: {plan}"
    );
    screenshot_painted(&session, "rotation-plan").await;
    session
        .click(by_text("button", "Rotate deploy-token"))
        .await;
    session
        .wait_text("[data-testid=rotation-result]", "deploy-token rotated")
        .await;
    session
        .wait_text("table[aria-label='Audit entries of deploy-token']", "done")
        .await;
    screenshot_painted(&session, "rotation").await;

    let new = keychain_value(&home, "deploy-token").expect("the credential is still there");
    assert_ne!(new, OLD, "the keychain holds a new value after rotation");
    assert_eq!(
        new.len(),
        OLD.len(),
        "generate keeps the value's length and alphabet"
    );
    assert!(new.starts_with("tok_"), "the prefix is kept: {new}");
    assert_eq!(
        std::fs::read_to_string(&env_file).unwrap(),
        format!("DEPLOY_TOKEN={new}\n"),
        "the file the plan named has the new value"
    );
    assert_eq!(
        std::fs::read_to_string(&leaked_file).unwrap(),
        format!("TOKEN={new}\n"),
        "the file where the scanner found the value has the new one too"
    );

    // The result links to the audit log, filtered on the credential's rotation entries;
    // the chain they extend still verifies.
    session
        .click(by_text("button", "Open in the audit log"))
        .await;
    let log = session
        .text_where("table[aria-label='Audit entries']", "credential.rotate")
        .await;
    assert!(
        !log.contains("credential.create"),
        "the log opens filtered on rotation entries: {log}"
    );
    session.click(by_text("button", "Verify chain")).await;
    session
        .wait_text("[data-testid=audit-verification]", "Chain intact")
        .await;

    session.open_from_palette("deploy-token").await;
    session
        .wait_text("table[aria-label='Rotation history']", "rotated")
        .await;
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_rotation_interrupted_before_commit_is_rolled_back_when_the_app_starts() {
    // A home where a rotation was journaled as planned and then the process died: the
    // state a crash right after the user confirmed leaves behind.
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    {
        let mut keyward = keyward::Keyward::init(&home).expect("a home (run under e2e.sh)");
        keyward
            .credentials()
            .add_credential(
                NewCredential {
                    name: "crashed-token".into(),
                    kind: Some(CredentialKind::Token),
                    ..Default::default()
                },
                SecretValue::from_string(OLD.into()),
            )
            .unwrap();
        keyward::store::rotations::start(
            keyward.store().connection(),
            "crashed-token",
            keyward::rotate::RotationMethod::Generate,
            r#"{"files":[]}"#,
            None,
            chrono::Utc::now(),
        )
        .unwrap();
        assert_eq!(keyward.rotation().unfinished_rotations().unwrap().len(), 1);
    }

    let session = Session::start_in("rotation-resume", &home).await;
    session.wait_text("h1", "Dashboard").await;
    session.open_from_palette("crashed-token").await;
    session
        .wait_text("table[aria-label='Rotation history']", "rolled back")
        .await;

    let mut keyward = keyward::Keyward::open(&home).unwrap();
    assert!(
        keyward
            .rotation()
            .unfinished_rotations()
            .unwrap()
            .is_empty(),
        "the app settles interrupted rotations at start"
    );
    assert_eq!(
        keychain_value(&home, "crashed-token").as_deref(),
        Some(OLD),
        "a rotation rolled back before commit leaves the old value current"
    );
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_user_rotates_every_overdue_credential_from_the_dashboard_in_one_batch() {
    // Two tokens past their rotation period (plain values: `generate` by default), and a
    // `user:password` pair past it too, which has no rotation set up: the batch rotates
    // the tokens and says why not the pair.
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    let values = [
        (
            "overdue-one",
            CredentialKind::Token,
            "tok_e2eBatchOne0123456789abcdefghijklmn",
        ),
        (
            "overdue-two",
            CredentialKind::Token,
            "tok_e2eBatchTwo0123456789abcdefghijklmn",
        ),
        (
            "overdue-login",
            CredentialKind::Basic,
            "deploy:e2eBatchLogin0123456789",
        ),
    ];
    {
        let mut keyward = keyward::Keyward::init(&home).expect("a home (run under e2e.sh)");
        for (name, kind, value) in values {
            keyward
                .credentials()
                .add_credential(
                    NewCredential {
                        name: name.into(),
                        kind: Some(kind),
                        rotate_every_days: Some(30),
                        ..Default::default()
                    },
                    SecretValue::from_string(value.into()),
                )
                .unwrap();
        }
        // Last rotated 100 days ago, as a neglected inventory is.
        let long_ago = (chrono::Utc::now() - chrono::Duration::days(100))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        keyward
            .store()
            .connection()
            .execute("UPDATE credentials SET rotated_at = ?1", [&long_ago])
            .unwrap();
    }

    let session = Session::start_in("rotation-batch", &home).await;
    session.wait_text("h1", "Dashboard").await;
    session
        .wait_text("[aria-label^='Overdue rotations']", "3")
        .await;
    session.click(by_text("button", "Rotate all overdue")).await;
    session
        .wait_text("[data-testid=rotation-plan]", "overdue-two")
        .await;
    session
        .wait_text("ul[aria-label='Not rotatable']", "overdue-login")
        .await;
    session
        .click(by_text("button", "Rotate 2 credentials"))
        .await;
    session
        .wait_text("[data-testid=rotation-result]", "overdue-one rotated")
        .await;
    session
        .wait_text("[data-testid=rotation-result]", "overdue-two rotated")
        .await;

    for (name, kind, old) in values {
        let now = keychain_value(&home, name).expect("the credential is still there");
        if kind == CredentialKind::Basic {
            assert_eq!(
                now, old,
                "a credential with no rotation set up is left alone"
            );
        } else {
            assert_ne!(now, old, "{name} has a new value");
            assert!(now.starts_with("tok_"), "the prefix is kept: {now}");
        }
    }
    let mut keyward = keyward::Keyward::open(&home).unwrap();
    assert!(
        keyward
            .rotation()
            .unfinished_rotations()
            .unwrap()
            .is_empty()
    );
    assert!(
        keyward.review().verify_audit().unwrap().intact,
        "the batch's audit entries extend an intact chain"
    );
    session.finish().await;
}
