//! Keyward's desktop shell: a Tauri window over the `keyward` library. The shell adapts
//! and never decides: every rule lives in the library, shared with the CLI.
//!
//! Modules depend one way, each only on modules later in this list: `commands`, `jobs`,
//! `worker` and `notifications`, `tray`, `state`, then `events`, `error`, `clipboard`,
//! `opening` and `first_show`, which need none. Commands may start jobs, never the reverse; only this
//! root knows every module, to wire them up, and nothing calls back into it
//! (`scripts/check-layering.py` checks).

mod clipboard;
pub mod commands;
pub mod error;
pub mod events;
mod first_show;
mod jobs;
mod notifications;
mod opening;
mod state;
pub mod tray;
mod worker;

use specta_typescript::Typescript;
use tauri::utils::config::FrontendDist;
use tauri::{AppHandle, Manager, RunEvent, Runtime};

use crate::clipboard::SystemClipboard;

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

/// The app's configuration and its UI, compiled in.
fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// Why a build with `config` must not start, if its window would load the UI from
/// anywhere but the assets compiled into the binary. Tauri treats the page it was told to
/// load as the app's own (the "local" origin that capabilities grant commands to), so a
/// development server there (`build.devUrl`, used by builds without the
/// `custom-protocol` feature: a plain `cargo build`) or a URL as the frontend would hand
/// reveal, copy and every other command to whatever answers on that address: any local
/// process can listen on `localhost:5173`. tauri.conf.json names neither, so every build
/// serves its bundled UI; this refuses a build that was given one anyway (`TAURI_CONFIG`,
/// `tauri dev`). `dev`: built without `custom-protocol` ([`tauri::is_dev`]).
fn foreign_ui_origin(config: &tauri::Config, dev: bool) -> Option<String> {
    if dev && let Some(url) = &config.build.dev_url {
        return Some(format!(
            "it would load its window from the development server {url} and grant that page Keyward's commands"
        ));
    }
    if let Some(FrontendDist::Url(url)) = &config.build.frontend_dist {
        return Some(format!(
            "it would load its window from {url} and grant that page Keyward's commands"
        ));
    }
    None
}

/// What the app does when its run loop is asked to exit, whichever way out it was (the
/// tray's Quit, closing the window): a secret Keyward copied that the clipboard still
/// holds is cleared, since the clipboard outlives the app. It happens on
/// `ExitRequested`, not on `Exit`: on `Exit` the clipboard plugin lets go of the
/// clipboard (before our handler runs) and hands its content to the desktop's clipboard
/// manager, so the secret would already be saved there, and the plugin can no longer
/// read or write it. `clipboard` is the app's own (`app`) but for tests.
fn on_run_event<R: Runtime>(
    app: &AppHandle<R>,
    event: &RunEvent,
    clipboard: &impl SystemClipboard,
) {
    if let RunEvent::ExitRequested { .. } = event {
        state::clear_copied_secret(app, clipboard);
    }
}

/// Starts the app.
pub fn run() {
    let context = context();
    if let Some(problem) = foreign_ui_origin(context.config(), tauri::is_dev()) {
        eprintln!(
            "keyward-app: this build does not start: {problem}. Build the app with `make app` (or `tauri build`), which serves the UI bundled into the binary."
        );
        std::process::exit(3);
    }
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
        .build(context)
        .expect("the Keyward window failed to start")
        .run(|app, event| on_run_event(app, &event, app));
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::clipboard::tests::{FakeClipboard, secret};

    #[test]
    fn every_build_serves_only_the_ui_bundled_into_it() {
        let context = context();
        let config = context.config();
        assert_eq!(
            config.build.dev_url, None,
            "no development server may be named: builds without custom-protocol would load it as the app's own origin"
        );
        assert_eq!(foreign_ui_origin(config, true), None);
        assert_eq!(foreign_ui_origin(config, false), None);
        assert!(
            matches!(config.build.frontend_dist, Some(FrontendDist::Directory(_))),
            "the UI comes from the bundled directory"
        );
    }

    #[test]
    fn a_build_given_a_development_server_or_a_url_refuses_to_start() {
        let mut config = context().config().clone();
        config.build.dev_url = Some("http://localhost:5173".parse().unwrap());
        let problem = foreign_ui_origin(&config, true).expect("a dev build with a dev URL");
        assert!(problem.contains("http://localhost:5173/"), "{problem}");
        assert_eq!(
            foreign_ui_origin(&config, false),
            None,
            "a custom-protocol build never loads devUrl"
        );
        config.build.dev_url = None;
        config.build.frontend_dist = Some(FrontendDist::Url(
            "https://ui.example.test/".parse().unwrap(),
        ));
        assert!(foreign_ui_origin(&config, false).is_some());
        assert!(foreign_ui_origin(&config, true).is_some());
    }

    /// A mock app (no window system) with the app's state and its one window, which
    /// `exit_once_running` destroys as soon as the run loop starts, so the loop raises
    /// `ExitRequested` and `Exit`, as closing the last window does.
    fn mock_app(
        with_clipboard_plugin: bool,
    ) -> (
        tauri::App<tauri::test::MockRuntime>,
        tauri::WebviewWindow<tauri::test::MockRuntime>,
    ) {
        let mut builder = tauri::test::mock_builder().manage(state::AppState::at(None));
        if with_clipboard_plugin {
            builder = builder.plugin(tauri_plugin_clipboard_manager::init());
        }
        let app = builder
            .build(tauri::test::mock_context(tauri::test::noop_assets()))
            .unwrap();
        let window = tauri::WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
            .build()
            .unwrap();
        (app, window)
    }

    /// Closes `window` once the loop runs (before that, the mock drops it silently).
    fn exit_once_running(
        window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        event: &RunEvent,
    ) {
        if let RunEvent::Ready = event {
            window.destroy().unwrap();
        }
    }

    /// Runs `app` until its window is gone, with the app's exit handler on `clipboard`;
    /// returns what the clipboard held right after the handler saw `ExitRequested`.
    fn run_to_exit(
        app: tauri::App<tauri::test::MockRuntime>,
        window: tauri::WebviewWindow<tauri::test::MockRuntime>,
        clipboard: Rc<FakeClipboard>,
    ) -> Option<String> {
        let seen = Rc::new(std::cell::RefCell::new(None));
        let at_exit_request = seen.clone();
        app.run(move |handle, event| {
            exit_once_running(&window, &event);
            on_run_event(handle, &event, &*clipboard);
            if let RunEvent::ExitRequested { .. } = event {
                *at_exit_request.borrow_mut() = Some(clipboard.read_text());
            }
        });
        seen.take().expect("the loop was asked to exit")
    }

    #[test]
    fn exiting_clears_a_copied_secret_the_clipboard_still_holds() {
        let clipboard = Rc::new(FakeClipboard::default());
        let value = secret();
        let (app, window) = mock_app(false);
        app.state::<state::AppState>().clipboard.remember(&value);
        clipboard.write_text(value.clone()).unwrap();
        assert_eq!(
            run_to_exit(app, window, clipboard.clone()),
            None,
            "the secret is gone as soon as the exit is asked for"
        );
        assert_eq!(clipboard.read_text(), None);
    }

    #[test]
    fn exiting_leaves_what_someone_else_copied_since() {
        let clipboard = Rc::new(FakeClipboard::default());
        let (app, window) = mock_app(false);
        app.state::<state::AppState>().clipboard.remember(&secret());
        clipboard.write_text("the user's own text".into()).unwrap();
        run_to_exit(app, window, clipboard.clone());
        assert_eq!(
            clipboard.read_text().as_deref(),
            Some("the user's own text")
        );
    }

    #[test]
    fn the_final_exit_event_does_not_touch_the_clipboard() {
        // By then the clipboard plugin has dropped its clipboard; reading it would panic.
        let clipboard = FakeClipboard::default();
        let value = secret();
        let (app, _window) = mock_app(false);
        app.state::<state::AppState>().clipboard.remember(&value);
        clipboard.write_text(value.clone()).unwrap();
        on_run_event(app.handle(), &RunEvent::Exit, &clipboard);
        assert_eq!(clipboard.read_text(), Some(value));
    }

    /// The same with the real clipboard plugin on a private X server: starts Xvfb and runs
    /// `x_clipboard_child` in a child process pointed at it (the test process's own
    /// `DISPLAY` cannot be changed safely). Skipped where Xvfb is not installed.
    #[cfg(target_os = "linux")]
    #[test]
    fn exiting_clears_the_real_clipboard() {
        use std::io::BufRead as _;
        let xvfb = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut xvfb) = xvfb else {
            eprintln!("skipped: Xvfb is not installed");
            return;
        };
        let mut display = String::new();
        std::io::BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut display)
            .unwrap();
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "tests::x_clipboard_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("DISPLAY", format!(":{}", display.trim()))
            .env("KEYWARD_X_CLIPBOARD_CHILD", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The child's run loop ends by itself within seconds; a hang fails the test.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        let _ = xvfb.kill();
        let _ = xvfb.wait();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Run by `exiting_clears_the_real_clipboard` only.
    #[test]
    #[ignore = "run by exiting_clears_the_real_clipboard under its own Xvfb"]
    fn x_clipboard_child() {
        assert!(
            std::env::var_os("KEYWARD_X_CLIPBOARD_CHILD").is_some(),
            "run by exiting_clears_the_real_clipboard"
        );
        let value = secret();
        let (app, window) = mock_app(true);
        let guard = app.state::<state::AppState>().clipboard.clone();
        guard
            .copy(
                app.handle(),
                keyward::model::SecretValue::from_string(value.clone()),
                std::time::Duration::from_secs(3600),
            )
            .unwrap();
        let read = || arboard::Clipboard::new().ok()?.get_text().ok();
        assert_eq!(
            read(),
            Some(value.clone()),
            "the copy is on the X clipboard"
        );
        let at_exit_request = Rc::new(std::cell::RefCell::new(None));
        let seen = at_exit_request.clone();
        app.run(move |handle, event| {
            exit_once_running(&window, &event);
            on_run_event(handle, &event, handle);
            if let RunEvent::ExitRequested { .. } = event {
                *seen.borrow_mut() = Some(read());
            }
        });
        let at_exit_request = at_exit_request.take().expect("the loop was asked to exit");
        assert_ne!(
            at_exit_request,
            Some(value),
            "the secret must be off the clipboard before the app lets go of it"
        );
    }
}
