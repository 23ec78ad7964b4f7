//! Propagation reaches the files where the leak scanner found the current value, and the
//! batch surfaces (plan and rotate every overdue credential) the desktop app uses.

use std::sync::Arc;

use keyward::clock::FixedClock;
use keyward::model::{CredentialKind, NewCredential, SecretValue};
use keyward::rotate::{FileOrigin, RotationMethod, RotationSetup, RotationState};
use keyward::{RotationApproval, ScanMode, ScanRequest};

use super::{Home, mode, write_file};

fn scan(home: &mut Home, root: &std::path::Path) {
    home.keyward
        .leaks()
        .scan(
            &ScanRequest {
                roots: vec![root.to_owned()],
                mode: ScanMode::Files,
                options: Default::default(),
            },
            None,
            &|_| {},
        )
        .expect("scan");
}

#[test]
fn files_where_the_scanner_found_the_current_value_are_planned_and_rewritten() {
    let mut home = Home::new();
    let old = "sk_live_scanFound0123456789abcdefghijkl";
    home.add("billing", CredentialKind::ApiKey, old);
    let project = home.path("project");
    std::fs::create_dir(&project).unwrap();
    let registered = project.join("registered.env");
    let leaked = project.join("leaked.env");
    let skipped = project.join("skipped.env");
    write_file(&registered, &format!("KEY={old}\n"), 0o600);
    write_file(&leaked, &format!("# billing\nBILLING_KEY={old}\n"), 0o640);
    write_file(&skipped, &format!("BILLING_KEY={old}\n"), 0o644);
    let mut setup = RotationSetup::new(RotationMethod::Generate);
    setup.files = vec![registered.clone()];
    home.keyward
        .rotation()
        .set_rotation("billing", setup, None)
        .unwrap();
    scan(&mut home, &project);

    let plan = home.keyward.rotation().plan_rotation("billing").unwrap();
    let planned: Vec<_> = plan
        .files
        .iter()
        .map(|file| {
            (
                file.path.file_name().unwrap().to_str().unwrap().to_owned(),
                file.origin,
                file.changes.len(),
            )
        })
        .collect();
    assert_eq!(
        planned,
        vec![
            ("registered.env".into(), FileOrigin::Registered, 1),
            ("leaked.env".into(), FileOrigin::LeakScan, 1),
            ("skipped.env".into(), FileOrigin::LeakScan, 1),
        ],
        "the plan lists every file it would rewrite, a registered file once even when the scanner found it too"
    );
    let leaked_preview = &plan.files[1];
    assert_eq!(leaked_preview.changes[0].line, 2);
    assert!(
        !serde_json::to_string(&plan).unwrap().contains(old),
        "the plan is shown to people and must not carry the value"
    );
    assert!(
        plan.steps[4].description.contains("3 file(s)"),
        "the propagation step counts the found files: {}",
        plan.steps[4].description
    );

    let canonical_skip = std::fs::canonicalize(&skipped).unwrap();
    let approval = RotationApproval {
        skip_files: vec![canonical_skip],
    };
    let outcome = home
        .keyward
        .rotation()
        .rotate_credential("billing", &approval, None, &mut |_| {})
        .unwrap();
    assert_eq!(outcome.state, RotationState::Done);
    let new = home.value("billing");
    assert_ne!(new, old);
    assert_eq!(
        std::fs::read_to_string(&leaked).unwrap(),
        format!("# billing\nBILLING_KEY={new}\n"),
        "a file where the scanner found the value gets the new one"
    );
    assert_eq!(mode(&leaked), 0o640, "its permissions survive the rewrite");
    assert_eq!(
        std::fs::read_to_string(&registered).unwrap(),
        format!("KEY={new}\n")
    );
    assert_eq!(
        std::fs::read_to_string(&skipped).unwrap(),
        format!("BILLING_KEY={old}\n"),
        "a file the user skipped in the plan is left alone"
    );
    assert_eq!(outcome.files_updated.len(), 2);

    // The stored findings are of the old value now: they no longer name these files as
    // holders of the current value, until a scan finds the new value there.
    let replanned = home.keyward.rotation().plan_rotation("billing").unwrap();
    assert_eq!(
        replanned.files.len(),
        1,
        "findings of a replaced value are not propagation targets: {:?}",
        replanned.files
    );
    scan(&mut home, &project);
    let rescanned = home.keyward.rotation().plan_rotation("billing").unwrap();
    assert_eq!(
        rescanned
            .files
            .iter()
            .filter(|file| file.origin == FileOrigin::LeakScan)
            .count(),
        1,
        "a new scan finds the new value in the rewritten file and only there"
    );
    home.assert_settled();
}

#[test]
fn every_overdue_credential_is_planned_and_rotated_in_one_batch() {
    let start = chrono::Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let mut home = Home::new().with_clock(clock.clone());
    for (name, kind, value) in [
        (
            "ci-token",
            CredentialKind::Token,
            "tok_batch0123456789abcdefghijklmn",
        ),
        (
            "db-login",
            CredentialKind::Basic,
            "app:hunter2-long-password",
        ),
    ] {
        home.keyward
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
    home.add(
        "not-due",
        CredentialKind::Token,
        "tok_notdue0123456789abcdefghijklm",
    );
    assert!(
        home.keyward
            .rotation()
            .plan_overdue_rotations()
            .unwrap()
            .plans
            .is_empty(),
        "nothing is overdue before its period runs out"
    );

    clock.set(start + chrono::Duration::days(31));
    let overdue = home.keyward.rotation().plan_overdue_rotations().unwrap();
    let planned: Vec<&str> = overdue
        .plans
        .iter()
        .map(|plan| plan.credential.as_str())
        .collect();
    assert_eq!(planned, vec!["ci-token"]);
    assert_eq!(
        overdue.not_rotatable.len(),
        1,
        "a credential that cannot rotate is listed apart, not a failure of the batch"
    );
    assert_eq!(overdue.not_rotatable[0].credential, "db-login");

    let mut steps = Vec::new();
    let results = home
        .keyward
        .rotation()
        .rotate_batch(
            &["ci-token".to_owned(), "db-login".to_owned()],
            &RotationApproval::default(),
            &mut |step| steps.push((step.credential.clone(), step.state)),
        )
        .unwrap();
    assert_eq!(results.len(), 2);
    let rotated = results[0].outcome.as_ref().expect("ci-token rotated");
    assert_eq!(rotated.state, RotationState::Done);
    assert_eq!(results[0].rotation_id, Some(rotated.rotation_id));
    assert_eq!(
        results[1].rotation_id, None,
        "a credential that cannot rotate never starts a rotation"
    );
    assert!(
        results[1]
            .error
            .as_deref()
            .is_some_and(|error| error.contains("db-login")),
        "a failure names its credential and the batch goes on: {:?}",
        results[1]
    );
    assert!(
        steps.contains(&("ci-token".into(), RotationState::Done)),
        "progress names the credential of each step"
    );
    assert!(
        home.keyward.rotation().overdue_credentials().unwrap()[0].name == "db-login",
        "the rotated credential is no longer overdue"
    );

    let entries = home
        .keyward
        .rotation()
        .rotation_audit_entries(rotated.rotation_id)
        .unwrap();
    let states: Vec<String> = entries
        .iter()
        .map(|entry| {
            let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
            detail["state"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(
        states,
        RotationState::FORWARD
            .iter()
            .map(|state| state.as_str().to_owned())
            .collect::<Vec<_>>(),
        "the rotation's audit entries are its journaled steps, in order"
    );
    assert!(
        entries
            .iter()
            .all(|entry| entry.action == "credential.rotate" && entry.subject == "ci-token")
    );
    home.assert_settled();
}
