//! Keyward's desktop shell: a Tauri window over the `keyward` library. The shell adapts
//! and never decides: every rule lives in the library, shared with the CLI.

mod clipboard;
pub mod commands;
pub mod error;
mod state;
pub mod tray;

use specta_typescript::Typescript;
use tauri::Manager;
use tauri_plugin_notification::NotificationExt;
use tauri_specta::collect_events;

/// The builder that knows every command and event; it produces both the invoke handler
/// and the TypeScript bindings, so the two cannot disagree.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(all_commands!())
        .events(collect_events![
            commands::imports::ImportProgress,
            tray::NavigateRequest
        ])
        // Row ids and audit counts are far below 2^53, so `number` is exact for them.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type: the UI sends back what it received, so
        // separate request/response shapes would only add unions to narrow.
        .disable_serde_phases()
}

/// Writes the TypeScript bindings the UI imports (`ui/src/bindings.ts`).
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    let typescript = Typescript::default().header("// Generated from the Rust types: UPDATE_BINDINGS=1 cargo test -p keyward-app --test bindings\n");
    specta_builder()
        .export(typescript, path)
        .map_err(|error| error.to_string())
}

/// Starts the app.
pub fn run() {
    let builder = specta_builder();
    let invoke_handler = builder.invoke_handler();
    tauri::Builder::default()
        // First, so a second launch focuses the running window instead of opening a
        // second connection to the same home.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        // Used from Rust only (commands::review::open_html_report); the window has no
        // opener permission.
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(invoke_handler)
        .setup(move |app| {
            builder.mount_events(app);
            app.manage(state::AppState::default());
            state::AppState::open_in_background(app.handle(), notify_warnings);
            if let Err(error) = tray::install(app.handle()) {
                tracing::warn!("no tray icon: {error}");
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Keyward window failed to start");
}

/// One desktop notification at start-up when something needs attention. Runs on the
/// thread that opened the home, off the window's start-up path.
fn notify_warnings(app: &tauri::AppHandle) {
    let state = app.state::<state::AppState>();
    let Ok(mut keyward) = state.keyward() else {
        return;
    };
    let (Ok(dashboard), Ok(preferences)) = (keyward.dashboard(), keyward.preferences()) else {
        return;
    };
    // Queued on the main thread, which runs it after `setup` has installed the tray.
    let count = dashboard.warnings.len();
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || tray::show_warning_count(&handle, count));
    if preferences.notifications && !dashboard.warnings.is_empty() {
        let body = match dashboard.warnings.len() {
            1 => match &dashboard.warnings[0].credential {
                Some(credential) => format!("{credential}: {}", dashboard.warnings[0].message),
                None => dashboard.warnings[0].message.clone(),
            },
            count => format!("{count} credentials need attention"),
        };
        // No notification server (a bare X session) is not worth failing over.
        let _ = app
            .notification()
            .builder()
            .title("Keyward")
            .body(body)
            .show();
    }
}
