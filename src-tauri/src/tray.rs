//! The tray icon: the open-warnings count in its tooltip and menu, and quick actions.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::events::NavigateRequest;
use crate::state;

const TRAY_ID: &str = "keyward";
const WARNINGS_ITEM: &str = "warnings";

/// Builds the tray. Desktops without a tray host just do not show it.
pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let warnings = MenuItem::with_id(app, WARNINGS_ITEM, "Warnings: …", true, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Keyward", true, None::<&str>)?;
    let new = MenuItem::with_id(app, "new-credential", "New credential…", true, None::<&str>)?;
    let import = MenuItem::with_id(app, "import", "Import…", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&warnings, &open, &new, &import, &separator, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Keyward");
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder
        .on_menu_event(|app, event| match event.id().as_ref() {
            "quit" => {
                // Before the exit events too: the secret must not outlive the app even if
                // the run loop ends without them.
                state::clear_copied_secret(app, app);
                app.exit(0);
            }
            "open" | WARNINGS_ITEM => navigate(app, "dashboard"),
            "new-credential" => navigate(app, "new-credential"),
            "import" => navigate(app, "import"),
            _ => {}
        })
        .build(app)?;
    // The menu item is looked up again when the count changes.
    app.manage(TrayWarnings(warnings));
    Ok(())
}

struct TrayWarnings<R: Runtime>(MenuItem<R>);

/// Shows the window and tells the UI where to go (`navigate-request`).
fn navigate<R: Runtime>(app: &AppHandle<R>, to: &str) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    let _ = NavigateRequest { to: to.to_owned() }.emit(app);
}

/// Updates the warning count in the tray's tooltip and menu.
pub fn show_warning_count<R: Runtime>(app: &AppHandle<R>, count: usize) {
    let text = match count {
        0 => "No warnings".to_owned(),
        1 => "1 warning".to_owned(),
        _ => format!("{count} warnings"),
    };
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(format!("Keyward — {text}")));
    }
    if let Some(item) = app.try_state::<TrayWarnings<R>>() {
        let _ = item.0.set_text(text);
    }
}
