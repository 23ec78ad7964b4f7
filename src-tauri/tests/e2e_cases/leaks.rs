//! The leak scanner in the real window: a folder with a planted fake secret (made from
//! the Stripe rule's sample shape, so no real secret is in the sources) is the home's
//! scan folder; "Scan now" finds it, the window shows it only redacted, and importing it
//! in one step puts the value in the keychain without it ever reaching the page.

use std::path::PathBuf;

use keyward::scan::samples::{Fill, expand};
use keyward::{Keyward, ScanSettings};

use crate::driver::{Session, by_text};
use crate::keychain_value;

/// The app under test, as the driver picks it.
fn app_binary() -> PathBuf {
    std::env::var_os("KEYWARD_APP_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_keyward-app")),
        PathBuf::from,
    )
}

/// The page's whole HTML, to prove what it does not hold.
async fn page_html(session: &Session) -> String {
    session.client().source().await.expect("page source")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_scan_finds_a_planted_secret_shows_it_redacted_and_imports_it_in_one_step() {
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    let project = scratch.path().join("shop");
    let secret = expand("sk_live_{an:32}", Fill::Real(2026));
    std::fs::create_dir_all(project.join("config")).unwrap();
    std::fs::write(
        project.join("config/payments.env"),
        format!("# payment settings\nSTRIPE_KEY={secret}\n"),
    )
    .unwrap();
    // The folder is picked in Settings with the native folder dialog, which WebDriver
    // cannot drive: seed the setting through the library before the app starts.
    Keyward::init(&home)
        .unwrap()
        .leaks()
        .set_scan_settings(&ScanSettings {
            roots: vec![project.display().to_string()],
            every_hours: None,
        })
        .unwrap();

    let session = Session::start_binary("leaks", &app_binary(), Some(&home)).await;
    session.wait_text("h1", "Dashboard").await;
    session.click(by_text("nav//button", "Leaks")).await;
    session.wait_text("h1", "Leaks").await;
    session
        .wait_text("[data-testid=no-findings]", "No open findings")
        .await;

    session.click(by_text("button", "Scan now")).await;
    session
        .wait_text("[data-testid=scan-progress]", "Scan finished")
        .await;
    let row = session
        .wait_text("[data-testid=finding]", "config/payments.env:2")
        .await;
    let text = row.prop("textContent").await.unwrap().unwrap_or_default();
    assert!(
        text.contains("stripe-secret-key") && text.contains("not in the vault"),
        "the finding names its rule and that the vault does not hold it: {text}"
    );
    let redacted = session
        .wait_for("[data-testid=redacted]")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        redacted.starts_with("sk_") && redacted.contains('…') && redacted.len() < secret.len(),
        "the match is shown redacted: {redacted}"
    );
    assert!(
        !page_html(&session).await.contains(&secret),
        "the secret must never reach the window, not even hidden in the page"
    );
    session.screenshot("leaks").await;

    // Import in one step: the form comes prefilled; the value is re-read by Rust.
    session.click(by_text("button", "Import…")).await;
    session.fill("input[name=found-name]", "shop-stripe").await;
    session
        .click("//form[@role='dialog']//button[@type='submit']".to_owned())
        .await;
    session
        .wait_text("[role=status]", "Imported as shop-stripe")
        .await;
    session
        .wait_text("[data-testid=no-findings]", "No open findings")
        .await;
    assert_eq!(
        keychain_value(&home, "shop-stripe").as_deref(),
        Some(secret.as_str()),
        "the found secret lands in the OS keychain"
    );
    assert!(
        !page_html(&session).await.contains(&secret),
        "importing never sends the value to the window"
    );
    let database = std::fs::read(home.join("keyward.db")).unwrap();
    assert!(
        !database
            .windows(secret.len())
            .any(|window| window == secret.as_bytes()),
        "neither the finding nor the import writes the value to the database"
    );
    session.finish().await;
}
