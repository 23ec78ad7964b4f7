//! A WebDriver session against the real app: starts tauri-driver with a fresh
//! KEYWARD_HOME, connects fantoccini, and offers the few gestures the tests use.

#![allow(
    dead_code,
    reason = "shared by the e2e and bench test binaries; each uses a part"
)]
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long to wait for the UI to reach a state before failing; generous because a
/// debug build on a loaded two-core machine can be slow. Not a performance bound.
const PATIENCE: Duration = Duration::from_secs(30);

pub struct Session {
    client: Client,
    _driver: Driver,
    home: PathBuf,
    // Held so the home outlives the session.
    _scratch: tempfile::TempDir,
    name: &'static str,
}

/// An XPath locator for a `tag` whose visible text contains `text`.
pub fn by_text(tag: &str, text: &str) -> String {
    let (scope, tag) = match tag.rsplit_once(' ') {
        Some((scope, tag)) => (Some(scope), tag),
        None => (None, tag),
    };
    let condition = format!("//{tag}[contains(normalize-space(.), '{text}')]");
    match scope {
        // `div[role=alertdialog] button`: the button inside that dialog.
        Some("div[role=alertdialog]") => format!("//div[@role='alertdialog']{condition}"),
        Some(other) => panic!("unsupported scope {other}"),
        None => condition,
    }
}

/// The app under test: KEYWARD_APP_BINARY, else the binary cargo built for this test run.
/// Every build serves the UI bundled into it (tauri.conf.json names no development
/// server); scripts/e2e.sh builds with `--features custom-protocol`, as `tauri build`
/// does, so the binary under test is the one users get.
fn app_binary() -> PathBuf {
    match std::env::var_os("KEYWARD_APP_BINARY") {
        Some(path) => std::fs::canonicalize(&path)
            .unwrap_or_else(|_| panic!("KEYWARD_APP_BINARY {path:?} does not exist")),
        None => PathBuf::from(env!("CARGO_BIN_EXE_keyward-app")),
    }
}

/// A loopback port free right now, so parallel e2e runs (several worktrees, one
/// machine) do not fight over tauri-driver's default 4444/4445.
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// tauri-driver, stopped (and with it WebKitWebDriver and the app) when dropped, even
/// when a test fails before its session exists.
struct Driver {
    child: Child,
    port: u16,
    native_port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // tauri-driver leads its own process group: end WebKitWebDriver with it, or the
        // next session would find the native port still taken.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
        for _ in 0..50 {
            if TcpStream::connect(("127.0.0.1", self.native_port)).is_err()
                && TcpStream::connect(("127.0.0.1", self.port)).is_err()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Session {
    /// Starts the app under test with a fresh, empty home.
    pub async fn start(name: &'static str) -> Self {
        Self::start_binary(name, &app_binary(), None).await
    }

    /// Starts the app under test on a home the test prepared.
    pub async fn start_in(name: &'static str, home: &Path) -> Self {
        Self::start_binary(name, &app_binary(), Some(home)).await
    }

    /// Starts `binary` with `home` as KEYWARD_HOME (a fresh one when `None`).
    pub async fn start_binary(name: &'static str, binary: &Path, home: Option<&Path>) -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "DISPLAY is unset: run under Xvfb (make test-e2e)"
        );
        let scratch = tempfile::tempdir().expect("temp dir");
        let home = home.map_or_else(|| scratch.path().join("home"), Path::to_path_buf);
        let (port, native_port) = (free_port(), free_port());
        let driver = Driver {
            port,
            native_port,
            child: Command::new("tauri-driver")
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .env("KEYWARD_HOME", &home)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .process_group(0)
                .spawn()
                .expect(
                    "tauri-driver on PATH (scripts/bootstrap.d/30-tauri-driver.sh installs it)",
                ),
        };
        // tauri-driver forwards the new-session request to WebKitWebDriver, which it
        // starts itself: asking before both listen fails the session (seen as an
        // incomplete HTTP message on a loaded machine).
        for _ in 0..150 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok()
                && TcpStream::connect(("127.0.0.1", native_port)).is_ok()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".into(), json!({"application": binary}));
        capabilities.insert("browserName".into(), json!("wry"));
        // Several rustls backends are compiled in; pick one (a second install is a no-op).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with the app");
        Self {
            client,
            _driver: driver,
            home,
            _scratch: scratch,
            name,
        }
    }

    /// The KEYWARD_HOME the app was started with.
    pub fn home(&self) -> PathBuf {
        self.home.clone()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("[{}] no `{css}` appeared: {error}", self.name))
    }

    /// Waits until some element matching `css` contains `text`, and returns it.
    pub async fn wait_text(&self, css: &str, text: &str) -> Element {
        let deadline = std::time::Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        while std::time::Instant::now() < deadline {
            seen.clear();
            if let Ok(elements) = self.client.find_all(Locator::Css(css)).await {
                for element in elements {
                    // textContent: WebKitWebDriver reports "" as the rendered text of
                    // the virtualized (absolutely positioned) table rows.
                    if let Ok(Some(content)) = element.prop("textContent").await {
                        if content.contains(text) {
                            return element;
                        }
                        seen.push(content);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot(&format!("failure-{}", self.name)).await;
        panic!(
            "[{}] no `{css}` containing {text:?}; saw {seen:?}",
            self.name
        );
    }

    /// The whole text of the first `css` element containing `text`, once it shows.
    pub async fn text_where(&self, css: &str, text: &str) -> String {
        self.wait_text(css, text)
            .await
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub async fn click(&self, xpath: String) {
        let element = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|error| panic!("[{}] nothing to click at {xpath}: {error}", self.name));
        element
            .click()
            .await
            .unwrap_or_else(|error| panic!("[{}] clicking {xpath}: {error}", self.name));
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.wait_for(css).await;
        input.clear().await.expect("clear input");
        input.send_keys(text).await.expect("type into input");
    }

    pub async fn press_enter(&self, css: &str) {
        self.wait_for(css)
            .await
            .send_keys(&String::from(char::from(Key::Enter)))
            .await
            .expect("press Enter");
    }

    /// Presses Ctrl+`key` on the page.
    pub async fn keys_with_control(&self, key: &str) {
        let key = key.chars().next().expect("a key");
        let control = char::from(Key::Control);
        let chord = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: control })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: control });
        self.client
            .perform_actions(chord)
            .await
            .expect("send shortcut");
    }

    /// Calls a command from inside the webview the way any page script could, and
    /// reports `ok:…` or `denied:…`.
    pub async fn invoke(&self, command: &str) -> String {
        let script = r#"
            const [command, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(command, {}).then(
                (value) => done("ok:" + JSON.stringify(value)),
                (error) => done("denied:" + String(error && error.message ? error.message : JSON.stringify(error))));
        "#;
        let outcome = self
            .client
            .execute_async(script, vec![json!(command)])
            .await
            .expect("script runs");
        outcome.as_str().unwrap_or_default().to_owned()
    }

    /// Saves a PNG of the window under KEYWARD_SCREENSHOTS (when set).
    pub async fn screenshot(&self, name: &str) {
        let Some(directory) = std::env::var_os("KEYWARD_SCREENSHOTS") else {
            return;
        };
        let directory = PathBuf::from(directory);
        std::fs::create_dir_all(&directory).expect("screenshot directory");
        if let Ok(png) = self.client.screenshot().await {
            std::fs::write(directory.join(format!("{name}.png")), png).expect("write screenshot");
        }
    }

    /// Opens a credential's or integration's page through the command palette (Ctrl+K,
    /// type, Enter). Enter picks the highlighted result, so this waits until the palette
    /// highlights `name`, as a user would, rather than racing the palette's load.
    pub async fn open_from_palette(&self, name: &str) {
        const SEARCH: &str = "input[aria-label='Search everything']";
        self.keys_with_control("k").await;
        self.fill(SEARCH, name).await;
        self.wait_text("[role=option][aria-selected=true]", name)
            .await;
        self.press_enter(SEARCH).await;
        self.wait_text("h1", name).await;
    }

    /// Ends the WebDriver session (closing the app); dropping stops the driver.
    pub async fn finish(self) {
        let _ = self.client.clone().close().await;
    }
}
