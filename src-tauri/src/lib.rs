//! Keyward's desktop shell: a Tauri window over the `keyward` library. The shell adapts
//! and never decides: every rule lives in the library, shared with the CLI.
//!
//! Modules depend one way, each only on modules later in this list: `commands`, `jobs`,
//! `worker` and `notifications`, `tray`, `state`, then `events`, `error`, `clipboard` and
//! `first_show`, which need none. Commands may start jobs, never the reverse; only this
//! root knows every module, to wire them up, and nothing calls back into it
//! (`scripts/check-layering.py` checks).

mod clipboard;
pub mod commands;
pub mod error;
pub mod events;
mod first_show;
mod jobs;
mod notifications;
mod state;
pub mod tray;
mod worker;

use specta_typescript::Typescript;
use tauri::Manager;

/// The builder that knows every command and event; it produces both the invoke handler
/// and the TypeScript bindings, so the two cannot disagree.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(all_commands!())
        .events(events::all())
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
                if let Some(first_show) = app.try_state::<first_show::FirstShow>() {
                    first_show.show(app);
                }
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        // Size and position are restored; visibility is not: the window stays hidden
        // until the dashboard is on the page (`first_show`).
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(invoke_handler)
        .setup(move |app| {
            builder.mount_events(app);
            app.manage(state::AppState::default());
            app.manage(first_show::FirstShow::default());
            first_show::start_fallback(app.handle().clone());
            jobs::start(app.handle());
            if let Err(error) = tray::install(app.handle()) {
                eprintln!("no tray icon: {error}");
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Keyward window failed to start");
}
