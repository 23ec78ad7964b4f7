//! The Review area in the real window: a lead's own credentials and a second
//! workstation's signed bundle on one team board, filtered by owner, with an access
//! review decision recorded and the team CSV carrying the same rows.

use std::path::Path;

use keyward::model::{
    AuthMethod, CredentialKind, Environment, NewCredential, NewEndpoint, NewIntegration,
    SecretValue,
};
use keyward::{Keyward, ReportFormat, ReportScope};

use crate::driver::{Session, by_text};

/// One integration with one credential bound to it.
fn seed(
    keyward: &mut Keyward,
    integration: &str,
    owner: &str,
    environment: Environment,
    team: &str,
    credential: &str,
) {
    keyward
        .credentials()
        .add_integration(NewIntegration {
            name: integration.into(),
            provider: integration.into(),
            owner: owner.into(),
            environment,
            tags: vec![format!("team:{team}")],
            notes: None,
            issuer: None,
            endpoints: vec![NewEndpoint {
                url: format!("https://api.{integration}.example"),
                auth: AuthMethod::Bearer,
                credential: None,
            }],
        })
        .expect("integration added");
    keyward
        .credentials()
        .add_credential(
            NewCredential {
                name: credential.into(),
                kind: Some(CredentialKind::Token),
                provider: Some(integration.into()),
                integration: Some(integration.into()),
                rotate_every_days: Some(90),
                expires_at: None,
                allowed_hosts: Vec::new(),
                allow_insecure: false,
                token_url: None,
                notes: None,
            },
            SecretValue::from_string(format!("tok_{credential}_0123456789abcdefABCDEF")),
        )
        .expect("credential added");
}

/// A second workstation's home, its inventory, and the signed bundle it exports.
fn second_workstation_bundle(directory: &Path) -> std::path::PathBuf {
    let mut other = Keyward::init(&directory.join("other-home")).expect("second home");
    seed(
        &mut other,
        "stripe",
        "payments",
        Environment::Prod,
        "money",
        "stripe-live",
    );
    let bundle = directory.join("payments-laptop.json");
    other
        .review()
        .export_bundle(&bundle)
        .expect("bundle exported");
    bundle
}

/// Scrolls the element at `xpath` into view, then clicks it: the Review screen is taller
/// than the window, and WebKitWebDriver refuses clicks on elements outside the view.
async fn click_in_view(session: &Session, xpath: &str) {
    let element = session
        .client()
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(fantoccini::Locator::XPath(xpath))
        .await
        .unwrap_or_else(|error| panic!("nothing at {xpath}: {error}"));
    session
        .client()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&element).unwrap()],
        )
        .await
        .expect("scroll into view");
    if let Err(error) = element.click().await {
        session.screenshot("failure-review-click").await;
        panic!("clicking {xpath}: {error:?}");
    }
}

async fn select(session: &Session, css: &str, value: &str) {
    session
        .wait_for(css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|error| panic!("select {value} in {css}: {error}"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_lead_imports_a_bundle_filters_the_team_board_and_records_a_review() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let bundle = second_workstation_bundle(scratch.path());

    let session = Session::start("review").await;
    session.wait_text("h1", "Dashboard").await;
    let home = session.home();
    {
        // The app created the home; the lead's own inventory goes in beside it, as the
        // CLI would add it.
        let mut local = Keyward::open(&home).expect("the app's home");
        seed(
            &mut local,
            "github",
            "platform",
            Environment::Prod,
            "core",
            "github-ci",
        );
        seed(
            &mut local,
            "sendgrid",
            "growth",
            Environment::Dev,
            "core",
            "sendgrid-dev",
        );
    }

    session.click(by_text("button", "Review")).await;
    session
        .wait_text("[role=table] [role=row][tabindex]", "sendgrid-dev")
        .await;

    // A workstation seen for the first time is refused with its key fingerprint.
    session
        .fill("textarea[name=bundles]", bundle.to_str().unwrap())
        .await;
    click_in_view(&session, &by_text("button", "Import bundles")).await;
    session
        .wait_text(
            "form[aria-label='Import bundles'] [role=alert]",
            "is not trusted yet",
        )
        .await;
    click_in_view(&session, "//input[@name='trust-new']").await;
    click_in_view(&session, &by_text("button", "Import bundles")).await;
    session
        .wait_text("[data-testid=bundle-outcome]", "Imported bundle 1")
        .await;
    session
        .wait_text("[role=table] [role=row][tabindex]", "stripe-live")
        .await;
    session
        .wait_text("[data-testid=board-count]", "3 of 3 credentials")
        .await;

    // The owner filter leaves only the payments team's credential.
    select(&session, "select[aria-label='Filter by owner']", "payments").await;
    session
        .wait_text("[data-testid=board-count]", "1 of 3 credentials")
        .await;
    let rows = session
        .text_where(
            "[aria-label='Team credentials'] [role=rowgroup].table-body",
            "stripe-live",
        )
        .await;
    assert!(
        !rows.contains("github-ci") && !rows.contains("sendgrid-dev"),
        "filtering by owner hides other owners' credentials: {rows}"
    );
    session
        .client()
        .execute_async(
            "const done = arguments[0]; document.querySelector('.content').scrollTo(0, 0); \
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .expect("scroll to the top and let it paint");
    session.screenshot("review").await;

    // An access-review decision on one of this workstation's credentials.
    click_in_view(&session, "//input[@aria-label='Note for github-ci']").await;
    session
        .fill("input[aria-label='Note for github-ci']", "used by CI")
        .await;
    click_in_view(&session, "//button[@aria-label='Keep github-ci']").await;
    session
        .wait_text("[data-testid=review-github-ci]", "keep by")
        .await;

    // The team CSV (what Export CSV writes once the save dialog returns a path) carries
    // the same rows the board showed, and no secret value.
    let mut keyward = Keyward::open(&home).expect("home");
    let csv_path = scratch.path().join("team.csv");
    let rows = keyward
        .review()
        .write_report(ReportFormat::Csv, ReportScope::Team, &csv_path)
        .expect("team CSV written");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(rows, 3, "one row per credential on the board:\n{csv}");
    for expected in ["github-ci", "sendgrid-dev", "stripe-live", "payments"] {
        assert!(csv.contains(expected), "the CSV lists {expected}:\n{csv}");
    }
    assert!(
        !csv.contains("tok_"),
        "a report never carries a secret value:\n{csv}"
    );
    let decisions = keyward.review_decisions().expect("decisions");
    assert!(
        decisions
            .iter()
            .any(|decision| decision.subject == "github-ci"
                && decision.decision == "keep"
                && decision.note.as_deref() == Some("used by CI")),
        "the decision made in the window is recorded: {decisions:?}"
    );
    // Last: ending the session removes the home.
    session.finish().await;
}
