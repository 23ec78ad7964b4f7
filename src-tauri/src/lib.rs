//! Keyward's desktop shell: a Tauri window over the `keyward` library. The shell adapts
//! and never decides: every rule lives in the library, shared with the CLI.

mod clipboard;
pub mod commands;
pub mod error;
mod first_show;
mod posture_watch;
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
            commands::rotation::RotationProgress,
            commands::rotation::RotationsResumed,
            tray::NavigateRequest,
            commands::probing::PostureProgress,
            commands::probing::PostureChanged,
            commands::scanning::ScanProgress,
            commands::scanning::ScanFinished,
            commands::scanning::WarningsChanged
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
            app.manage(commands::scanning::ScanJob::default());
            state::AppState::open_in_background(app.handle(), |app| {
                notify_warnings(app);
                commands::rotation::resume_interrupted(app);
            });
            if let Err(error) = tray::install(app.handle()) {
                tracing::warn!("no tray icon: {error}");
            }
            posture_watch::start(app.handle().clone());
            start_scan_schedule(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Keyward window failed to start");
}

/// At start-up, on the thread that opened the home (off the window's start-up path): the
/// tray count, and one desktop notification for warnings that no earlier notification
/// announced (the library remembers which, across restarts).
fn notify_warnings(app: &tauri::AppHandle) {
    let state = app.state::<state::AppState>();
    let Ok(mut keyward) = state.keyward() else {
        return;
    };
    let Ok(warnings) = keyward.warnings() else {
        return;
    };
    // Queued on the main thread, which runs it after `setup` has installed the tray.
    let count = warnings.len();
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || tray::show_warning_count(&handle, count));
    commands::scanning::announce_new_warnings(app, &mut keyward, &warnings);
}

/// How often the schedule asks the library whether a scan is due. The period itself
/// (hours) is a setting; this only bounds how late a due scan starts.
const SCAN_SCHEDULE_TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// The background timer for scheduled leak scans: the library decides whether one is
/// due; the scan runs on this thread with its own handle on the home, so the window is
/// never blocked. The first check waits one tick, so start-up is not slowed.
fn start_scan_schedule(app: tauri::AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("scan-schedule".into())
        .spawn(move || {
            loop {
                std::thread::sleep(SCAN_SCHEDULE_TICK);
                let due = app
                    .state::<state::AppState>()
                    .keyward()
                    .is_ok_and(|keyward| keyward.scan_due().unwrap_or(false));
                if due && let Err(error) = commands::scanning::run_scan(&app, true) {
                    tracing::warn!("scheduled scan: {error}");
                }
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("no scan schedule: {error}");
    }
}

/// A desktop notification, when the user has not turned them off.
pub(crate) fn notify(app: &tauri::AppHandle, body: &str) {
    let state = app.state::<state::AppState>();
    let enabled = state
        .keyward()
        .and_then(|keyward| Ok(keyward.preferences()?.notifications))
        .unwrap_or(true);
    if enabled {
        show_notification(app, body);
    }
}

/// Shows a desktop notification titled Keyward; callers have checked the preference.
pub(crate) fn show_notification<R: tauri::Runtime>(app: &tauri::AppHandle<R>, body: &str) {
    // No notification server (a bare X session) is not worth failing over.
    let _ = app
        .notification()
        .builder()
        .title("Keyward")
        .body(body)
        .show();
}
