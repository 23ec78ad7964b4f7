//! End to end: the real app (debug build from `tauri build --debug --no-bundle`) in a
//! real WebKitGTK window under Xvfb, driven through tauri-driver and WebKitWebDriver,
//! storing secrets in a real Secret Service. Run by `make test-e2e`, which builds the
//! app, starts Xvfb and wraps this in scripts/with-keyring.sh:
//!
//!   DISPLAY=:99 scripts/with-keyring.sh \
//!     cargo test -p keyward-app --features custom-protocol --test e2e -- --ignored --test-threads=1
//!
//! The tests run one at a time: the app is single-instance per desktop session.

mod driver;
#[path = "e2e_cases/leaks.rs"]
mod leaks;
#[path = "e2e_cases/posture.rs"]
mod posture;
#[path = "e2e_cases/review.rs"]
mod review;
#[path = "e2e_cases/rotation.rs"]
mod rotation;

use std::time::Duration;

use driver::{Session, by_text};
use fantoccini::Locator;
use keyward::Keyward;
use keyward::store::credentials;
use keyward::vault::Slot;

const SECRET: &str = "ghp_e2eSecretValue0123456789abcdefABCDEF";

/// Reads a credential's value straight from the keychain, past the app: proof that the
/// window stored it where the design says, and only there.
fn keychain_value(home: &std::path::Path, name: &str) -> Option<String> {
    let keyward = Keyward::open(home).expect("the app created the home");
    let stored = credentials::find_by_name(keyward.store().connection(), name)
        .expect("inventory readable")?;
    let value = keyward
        .vault()
        .read(&Slot::Credential(stored.slot_id))
        .expect("keychain readable")?;
    Some(value.expose_str().expect("text value").to_owned())
}

fn clipboard_text() -> Option<String> {
    arboard::Clipboard::new().ok()?.get_text().ok()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn a_user_adds_finds_reveals_copies_imports_deletes_and_verifies_the_audit_chain() {
    let session = Session::start("workflow").await;
    let home = session.home();

    session.wait_text("h1", "Dashboard").await;
    session.screenshot("dashboard-empty").await;

    // A short clipboard timeout, set through the Settings screen like a user would.
    session.click(by_text("button", "Settings")).await;
    session.fill("input[name=clipboard]", "5").await;
    session.click(by_text("button", "Save settings")).await;
    session.wait_text("[role=status]", "Settings saved.").await;

    // Add a credential through the form; a missing name is refused first.
    session.click(by_text("button", "New credential")).await;
    session.click(by_text("button", "Save credential")).await;
    session.wait_text(".field-error", "required").await;
    session.fill("input[name=name]", "github-ci").await;
    session
        .client()
        .find(Locator::Css("select[name=kind]"))
        .await
        .unwrap()
        .select_by_value("token")
        .await
        .unwrap();
    session.fill("input[name=value]", SECRET).await;
    session.fill("input[name=provider]", "github").await;
    session.fill("input[name=hosts]", "api.github.com").await;
    session.screenshot("new-credential").await;
    session.click(by_text("button", "Save credential")).await;
    session.wait_text("h1", "github-ci").await;

    assert_eq!(
        keychain_value(&home, "github-ci").as_deref(),
        Some(SECRET),
        "the value typed into the form must land in the OS keychain"
    );
    let database = std::fs::read(home.join("keyward.db")).unwrap();
    assert!(
        !database
            .windows(SECRET.len())
            .any(|window| window == SECRET.as_bytes()),
        "the value must never be written to the inventory database"
    );

    // Reveal shows the value; copy puts it on the clipboard, which clears itself.
    session.click(by_text("button", "Reveal")).await;
    let revealed = session
        .wait_for("[data-testid=revealed-value]")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(revealed, SECRET, "reveal shows the stored value");
    session.click(by_text("button", "Hide")).await;
    session.click(by_text("button", "Copy")).await;
    session.wait_text("[role=status]", "Copied").await;
    assert_eq!(
        clipboard_text().as_deref(),
        Some(SECRET),
        "copy puts the value on the clipboard"
    );
    let mut cleared = false;
    for _ in 0..120 {
        if clipboard_text().as_deref() != Some(SECRET) {
            cleared = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        cleared,
        "a copied secret must not stay on the clipboard past its timeout"
    );

    // Find it again by search, from the inventory and from Ctrl+K.
    session.click(by_text("button", "Inventory")).await;
    session
        .fill("input[aria-label='Filter credentials']", "githu")
        .await;
    session
        .wait_text("[role=table] [role=row][tabindex]", "github-ci")
        .await;
    session.screenshot("inventory").await;
    session
        .fill(
            "input[aria-label='Filter credentials']",
            "no-such-credential",
        )
        .await;
    session.wait_text(".empty", "Nothing matches").await;
    session.click(by_text("button", "Dashboard")).await;
    session.open_from_palette("github-ci").await;

    // An integration for it, then edited: the inventory row shows the joined owner.
    session.click(by_text("button", "Inventory")).await;
    session.click(by_text("button", "New integration")).await;
    session.fill("input[name=name]", "ci-github").await;
    session.fill("input[name=provider]", "github").await;
    session.fill("input[name=owner]", "platform").await;
    session
        .fill("input[name=url0]", "https://api.github.com/user")
        .await;
    session
        .client()
        .find(Locator::Css("select[name=credential0]"))
        .await
        .unwrap()
        .select_by_value("github-ci")
        .await
        .unwrap();
    session.click(by_text("button", "Save integration")).await;
    session.wait_text("h1", "ci-github").await;
    session.click(by_text("button", "Edit")).await;
    session.wait_text("h1", "Edit ci-github").await;
    session.fill("input[name=owner]", "release-eng").await;
    session.click(by_text("button", "Save integration")).await;
    session.wait_text("dd", "release-eng").await;
    session.click(by_text("button", "Inventory")).await;
    session
        .wait_text("[role=table] [role=row][tabindex]", "release-eng")
        .await;

    // Import a .env file: the preview shows what will and will not be created.
    let dotenv = home.parent().unwrap().join("project.env");
    std::fs::write(
        &dotenv,
        "STRIPE_API_KEY=sk_test_e2eImportValue0123456789\nDEBUG=true\n",
    )
    .unwrap();
    session.click(by_text("button", "Import")).await;
    session
        .fill("input[name=path]", dotenv.to_str().unwrap())
        .await;
    session.click(by_text("button", "Preview")).await;
    session
        .wait_text("table[aria-label='Import preview']", "STRIPE_API_KEY")
        .await;
    session.screenshot("import-preview").await;
    session
        .click(by_text("button", "Import 1 credential"))
        .await;
    session
        .wait_text(
            "[data-testid=import-outcome]",
            "Imported 1 credential, skipped 1",
        )
        .await;
    assert_eq!(
        keychain_value(&home, "STRIPE_API_KEY").as_deref(),
        Some("sk_test_e2eImportValue0123456789"),
        "imported values land in the keychain"
    );

    // Delete: the keychain entry and the inventory row both go.
    session.open_from_palette("github-ci").await;
    session.click(by_text("button", "Delete")).await;
    session
        .click(by_text("div[role=alertdialog] button", "Delete"))
        .await;
    session.wait_text("h1", "Inventory").await;
    assert_eq!(
        keychain_value(&home, "github-ci"),
        None,
        "a deleted credential leaves nothing in the inventory"
    );

    // The dashboard counts what is left.
    session.click(by_text("button", "Dashboard")).await;
    session.wait_for("[aria-label='Credentials: 1']").await;
    session.screenshot("dashboard").await;

    // Every step above is in the audit log, and the chain verifies.
    session.click(by_text("button", "Audit log")).await;
    let log = session
        .text_where("table[aria-label='Audit entries']", "credential.delete")
        .await;
    for action in [
        "home.init",
        "credential.create",
        "credential.reveal",
        "credential.copy",
        "import",
        "credential.delete",
    ] {
        assert!(
            log.contains(action),
            "the audit log must record `{action}`:\n{log}"
        );
    }
    session.click(by_text("button", "Verify chain")).await;
    session
        .wait_text("[data-testid=audit-verification]", "Chain intact")
        .await;
    session.screenshot("audit").await;
    session.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the app build, tauri-driver, WebKitWebDriver and Xvfb: run `make test-e2e`"]
async fn the_webview_cannot_call_commands_outside_its_capability() {
    let session = Session::start("capability").await;
    session.wait_text("h1", "Dashboard").await;

    let granted = session.invoke("dashboard").await;
    assert!(
        granted.starts_with("ok:"),
        "a granted command works through the same path: {granted}"
    );
    // The window starts hidden; the dashboard's `window_ready` is what shows it, so that
    // grant must be there (without it the window would wait for the shell's fallback).
    let ready = session.invoke("window_ready").await;
    assert!(ready.starts_with("ok:"), "window_ready is granted: {ready}");
    let visibility = session
        .client()
        .execute("return document.visibilityState", vec![])
        .await
        .unwrap();
    assert_eq!(visibility, "visible", "the window is shown");
    for command in [
        // A plugin that is loaded, but whose permission the window does not get: the
        // webview must not read the clipboard (copying happens on the Rust side).
        "plugin:clipboard-manager|read_text",
        "plugin:clipboard-manager|write_text",
        // Loaded plugin, permission not granted: no save dialogs from the webview.
        "plugin:dialog|save",
        // The opener plugin's Rust functions open a finding's file and the HTML report;
        // the window gets no opener permission.
        "plugin:opener|open_path",
        "plugin:opener|open_url",
        // Window control is not granted either.
        "plugin:window|close",
        // No shell plugin at all.
        "plugin:shell|execute",
    ] {
        let outcome = session.invoke(command).await;
        assert!(
            outcome.starts_with("denied:"),
            "`{command}` must be refused, got {outcome}"
        );
    }
    session.finish().await;
}
