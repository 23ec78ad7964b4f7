//! The desktop app's scheduled scans through the library: settings, when a scan is due,
//! one scan over every folder, accepted findings, the Leaks listing, and which warnings a
//! notification already announced, across a restart. Real files, a real home and a real
//! Secret Service (run under scripts/with-keyring.sh); a fixed clock for the schedule.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use keyward::clock::FixedClock;
use keyward::policy::FixAction;
use keyward::{Keyward, ScanSettings};

use crate::common::{stripe_key, write};

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn scheduled_scans_cover_every_folder_come_due_by_the_clock_and_skip_accepted_findings() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let clock = Arc::new(FixedClock::new(start()));
    let mut keyward = Keyward::init(&home).unwrap().with_clock(clock.clone());
    let shop = dir.path().join("shop");
    let blog = dir.path().join("blog");
    let secret = stripe_key(11);
    write(
        &shop,
        "config/payments.env",
        format!("STRIPE_KEY={secret}\n"),
    );
    write(&blog, "README.md", "nothing secret here\n");

    assert!(
        !keyward.leaks().scan_due().unwrap(),
        "with no folders there is nothing to schedule"
    );
    let error = keyward
        .leaks()
        .set_scan_settings(&ScanSettings {
            roots: vec![dir.path().join("gone").display().to_string()],
            every_hours: Some(6),
        })
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("gone"),
        "a refused folder is named in the error: {error}"
    );
    assert_eq!(
        keyward.leaks().scan_settings().unwrap(),
        ScanSettings::default(),
        "a refused change stores nothing"
    );
    let settings = ScanSettings {
        roots: vec![shop.display().to_string(), blog.display().to_string()],
        every_hours: Some(6),
    };
    assert_eq!(
        keyward.leaks().set_scan_settings(&settings).unwrap(),
        settings
    );
    assert!(
        keyward.leaks().scan_due().unwrap(),
        "folders never scanned are due at once"
    );

    let seen = std::sync::Mutex::new(Vec::new());
    let outcome = keyward
        .leaks()
        .scan_roots(&|progress| seen.lock().unwrap().push(progress))
        .unwrap();
    assert_eq!((outcome.roots, outcome.findings), (2, 1), "{outcome:?}");
    assert!(outcome.failed.is_empty(), "{outcome:?}");
    let seen = seen.into_inner().unwrap();
    assert!(
        seen.iter()
            .any(|progress| progress.root_index == 2 && progress.roots == 2),
        "progress names the folder being scanned: {seen:?}"
    );
    assert_eq!(keyward.leaks().last_roots_scan().unwrap(), Some(start()));
    assert!(
        !keyward.leaks().scan_due().unwrap(),
        "just scanned: not due"
    );
    clock.set(start() + Duration::hours(6));
    assert!(
        keyward.leaks().scan_due().unwrap(),
        "due again once the period has passed"
    );

    // The Leaks listing: redacted, with the fix and a free name for importing.
    let found = keyward.leaks().found_secrets().unwrap();
    assert_eq!(found.len(), 1);
    let finding = &found[0];
    assert_eq!(finding.path, "config/payments.env");
    assert_eq!(
        finding.action,
        FixAction::Import {
            finding_id: finding.id
        }
    );
    assert!(
        !serde_json::to_string(&found).unwrap().contains(&secret),
        "what the Leaks screen receives never holds the secret"
    );
    let file = keyward.leaks().finding_file(finding.id).unwrap();
    assert_eq!(
        file,
        std::fs::canonicalize(shop.join("config/payments.env")).unwrap()
    );

    // Accepted: resolved now and left out of later scans.
    keyward.leaks().accept_finding(finding.id).unwrap();
    assert!(keyward.leaks().found_secrets().unwrap().is_empty());
    let again = keyward.leaks().scan_roots(&|_| {}).unwrap();
    assert_eq!(
        (again.findings, again.accepted),
        (0, 1),
        "an accepted finding is not reported again: {again:?}"
    );
    assert!(keyward.leaks().found_secrets().unwrap().is_empty());

    // A folder that disappeared fails alone.
    std::fs::remove_dir_all(&blog).unwrap();
    let partial = keyward.leaks().scan_roots(&|_| {}).unwrap();
    assert_eq!(partial.failed.len(), 1, "{partial:?}");
    assert!(partial.failed[0].root.ends_with("blog"));
}

#[test]
fn a_warning_is_announced_once_even_across_restarts_and_again_after_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let shop = dir.path().join("shop");
    write(
        &shop,
        "deploy.env",
        format!("STRIPE_KEY={}\n", stripe_key(12)),
    );
    let mut keyward = Keyward::init(&home).unwrap();
    keyward
        .leaks()
        .set_scan_settings(&ScanSettings {
            roots: vec![shop.display().to_string()],
            every_hours: None,
        })
        .unwrap();
    keyward.leaks().scan_roots(&|_| {}).unwrap();
    let warnings = keyward.review().warnings().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        keyward.leaks().unannounced_warnings(&warnings).unwrap(),
        warnings,
        "a new warning is announced"
    );
    assert!(
        keyward
            .leaks()
            .unannounced_warnings(&warnings)
            .unwrap()
            .is_empty(),
        "the same warning is not announced twice"
    );
    drop(keyward);

    let mut restarted = Keyward::open(&home).unwrap();
    let warnings = restarted.review().warnings().unwrap();
    assert!(
        restarted
            .leaks()
            .unannounced_warnings(&warnings)
            .unwrap()
            .is_empty(),
        "a restart does not announce known warnings again"
    );
    assert!(
        restarted
            .leaks()
            .unannounced_warnings(&[])
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        restarted
            .leaks()
            .unannounced_warnings(&warnings)
            .unwrap()
            .len(),
        1,
        "a warning that went away and came back is news again"
    );
}
