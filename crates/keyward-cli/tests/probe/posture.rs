//! The posture view the desktop app shows: findings explained, a grade per integration,
//! the background schedule's answers, and each regression announced once.

use super::*;
use keyward::policy::{FixAction, WarningKind};

#[test]
fn posture_explains_findings_grades_integrations_schedules_and_announces_each_regression_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use keyward::clock::FixedClock;
    use keyward::model::{Environment, NewEndpoint, NewIntegration};

    let ca = TestCa::new("Keyward Test Root");
    let hsts = Arc::new(AtomicBool::new(true));
    let server_hsts = hsts.clone();
    let api = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(move |_| {
            let reply = Reply::new(200)
                .header("x-content-type-options", "nosniff")
                .header("cache-control", "no-store");
            if server_hsts.load(Ordering::SeqCst) {
                reply.header("strict-transport-security", "max-age=31536000")
            } else {
                reply
            }
        }),
    );

    let home = tempfile::tempdir().unwrap();
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let mut keyward = keyward::Keyward::init(home.path())
        .unwrap()
        .with_clock(clock.clone());
    keyward
        .credentials()
        .add_integration(NewIntegration {
            name: "status-page".into(),
            provider: "acme".into(),
            owner: "platform".into(),
            environment: Environment::Prod,
            tags: Vec::new(),
            notes: None,
            issuer: None,
            endpoints: vec![NewEndpoint {
                // No path: the posture must still find results stored under the URL's
                // normalized form (`…/`).
                url: api.url("localhost", ""),
                auth: AuthMethod::None,
                credential: None,
            }],
        })
        .unwrap();

    let unprobed = keyward.posture().current("status-page").unwrap();
    assert_eq!(unprobed.grade, None, "never probed has no grade");
    assert!(unprobed.endpoints[0].report.is_none());
    assert_eq!(
        keyward.credentials().inventory().unwrap().integrations[0].grade,
        None,
        "no grade in the inventory before a probe"
    );

    let options = || options(Some(&ca.cert_pem));
    let mut seen = Vec::new();
    keyward
        .posture()
        .probe_integration_reporting("status-page", options(), |progress| {
            seen.push(progress.clone())
        })
        .unwrap();
    assert_eq!(seen.len(), 1, "one progress report per endpoint");
    assert_eq!(
        seen[0].integration.as_deref(),
        Some("status-page"),
        "progress names the integration so the app can show it"
    );
    assert!(
        keyward
            .posture()
            .take_unannounced_regressions()
            .unwrap()
            .is_empty(),
        "a first result regresses from nothing"
    );
    let first = keyward.posture().current("status-page").unwrap();
    let first_grade = first.grade.expect("a completed probe is graded");
    assert!(first.endpoints[0].report.is_some(), "{first:?}");

    // The app's schedule: nothing is due right after a probe, and a tick with nothing
    // due leaves no trace in the audit log.
    assert!(
        keyward.posture().scheduled_probes_due().unwrap().is_empty(),
        "just probed: nothing is due within the daily interval"
    );
    let audited = keyward.review().audit_entries().unwrap().len();
    assert!(
        keyward
            .posture()
            .probe_scheduled(options(), |_| {})
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        keyward.review().audit_entries().unwrap().len(),
        audited,
        "an idle tick of the schedule must not write to the audit log"
    );

    hsts.store(false, Ordering::SeqCst);
    clock.set(start + chrono::Duration::hours(25));
    assert_eq!(
        keyward.posture().scheduled_probes_due().unwrap(),
        vec!["status-page".to_string()],
        "a day later the integration is due again"
    );
    let mut preferences = keyward.preferences().unwrap();
    preferences.probe_every_hours = 0;
    keyward.set_preferences(&preferences).unwrap();
    assert!(
        keyward.posture().scheduled_probes_due().unwrap().is_empty(),
        "0 turns the schedule off"
    );
    preferences.probe_every_hours = 24;
    keyward.set_preferences(&preferences).unwrap();
    let scheduled = keyward
        .posture()
        .probe_scheduled(options(), |_| {})
        .unwrap();
    assert_eq!(scheduled.len(), 1, "the schedule probes what is due");

    let posture = keyward.posture().current("status-page").unwrap();
    let endpoint = &posture.endpoints[0];
    let report = endpoint.report.as_ref().expect("probed");
    assert!(
        report
            .tls
            .as_ref()
            .and_then(|tls| tls.certificate.as_ref())
            .is_some_and(|certificate| certificate.trusted),
        "the certificate facts travel with the posture"
    );
    let missing = endpoint
        .findings
        .iter()
        .find(|finding| finding.id == ids::HSTS_MISSING)
        .expect("the lost HSTS header is a finding");
    assert!(
        !missing.fix.is_empty() && !missing.message.is_empty(),
        "the panel needs both what was seen and how to fix it: {missing:?}"
    );
    assert!(
        endpoint
            .findings
            .windows(2)
            .all(|pair| pair[0].severity >= pair[1].severity),
        "most severe first"
    );
    assert!(posture.grade > Some(first_grade), "{posture:?}");

    assert_eq!(
        keyward.credentials().inventory().unwrap().integrations[0].grade,
        posture.grade,
        "the inventory's grade column and the posture panel agree"
    );

    let announced = keyward.posture().take_unannounced_regressions().unwrap();
    assert_eq!(announced.len(), 1, "one regression, one announcement");
    assert!(
        announced[0]
            .new_findings
            .iter()
            .any(|finding| finding.id == ids::HSTS_MISSING)
    );
    assert!(
        keyward
            .posture()
            .take_unannounced_regressions()
            .unwrap()
            .is_empty(),
        "a regression must not be announced twice"
    );

    // The regression is also a warning, on the dashboard and in `check`, pointing at the
    // integration's posture; it stands until a later probe finds nothing newly wrong.
    let regressed = |keyward: &mut keyward::Keyward| {
        keyward
            .review()
            .dashboard()
            .unwrap()
            .warnings
            .into_iter()
            .filter(|warning| warning.kind == WarningKind::PostureRegressed)
            .collect::<Vec<_>>()
    };
    let warnings = regressed(&mut keyward);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].message.contains(ids::HSTS_MISSING),
        "{warnings:?}"
    );
    assert_eq!(
        warnings[0].action,
        FixAction::Posture {
            integration: "status-page".into()
        }
    );
    keyward
        .posture()
        .probe_integration("status-page", options())
        .unwrap();
    assert!(
        regressed(&mut keyward).is_empty(),
        "probed again with nothing new: no regression stands"
    );
}
