//! The desktop app's benchmark, run by `benches/app_start.sh` (`make bench`), never by
//! `make test`. Start-up and memory are measured with the app launched as a user
//! launches it (no WebDriver: automation adds most of a second to any window's first
//! paint): from spawn to the window appearing on the X server, then PSS after 5 s idle,
//! side by side with an empty Tauri window. Keyward's window stays hidden until the
//! dashboard has its data (`first_show`), so for Keyward the window appearing is the
//! first rendered dashboard; the empty window appears before it paints anything. Then,
//! with 10,000 credentials and through WebDriver, inventory render and search-as-you-
//! type. It prints one JSON line per figure; the script turns them into
//! docs/BENCHMARKS.md. The only assertions are that each screen actually rendered: the
//! figures are not pass/fail.

mod driver;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use driver::{Session, by_text};
use keyward::Keyward;
use keyward::model::{Credential, CredentialKind, StorageKind};
use keyward::store::credentials::{self, StoredCredential};

/// Launches per side; `KEYWARD_BENCH_RUNS` lowers it for a quick look.
fn runs() -> usize {
    std::env::var("KEYWARD_BENCH_RUNS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(5)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|left, right| left.partial_cmp(right).unwrap());
    values[values.len() / 2]
}

/// PSS of a process and all its descendants (the WebKit web and network processes), MiB.
fn pss_mib(pid: u32) -> f64 {
    let mut total_kib = 0.0;
    let mut pending = vec![pid];
    while let Some(current) = pending.pop() {
        if let Ok(rollup) = std::fs::read_to_string(format!("/proc/{current}/smaps_rollup")) {
            total_kib += rollup
                .lines()
                .find_map(|line| line.strip_prefix("Pss:"))
                .map(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .unwrap()
                })
                .unwrap_or(0.0);
        }
        if let Ok(children) =
            std::fs::read_to_string(format!("/proc/{current}/task/{current}/children"))
        {
            pending.extend(
                children
                    .split_whitespace()
                    .filter_map(|child| child.parse::<u32>().ok()),
            );
        }
    }
    total_kib / 1024.0
}

fn report(name: &str, value: f64, unit: &str) {
    println!(
        "BENCH {}",
        serde_json::json!({"name": name, "value": (value * 10.0).round() / 10.0, "unit": unit})
    );
}

/// Top-level windows appearing on the X server, stamped as the server reports them:
/// `xev` (x11-utils) on the root window prints a MapNotify per mapped child and flushes
/// each event, so a line's arrival time is the map time to within a pipe read.
struct MapWatch {
    xev: std::process::Child,
    mapped: mpsc::Receiver<Instant>,
}

impl MapWatch {
    fn start() -> Self {
        let mut xev = Command::new("xev")
            .args(["-root", "-event", "substructure"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("xev (Debian x11-utils) watches for the window; run scripts/bootstrap.sh");
        let stdout = xev.stdout.take().unwrap();
        let (sender, mapped) = mpsc::channel();
        std::thread::spawn(move || {
            let mut after_map = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // Menus and tooltips are override-redirect windows; the app window is not.
                if after_map && line.contains("override NO") {
                    let _ = sender.send(Instant::now());
                }
                after_map = line.starts_with("MapNotify");
            }
        });
        // xev selects the events once connected; give it that moment.
        std::thread::sleep(Duration::from_millis(500));
        Self { xev, mapped }
    }

    /// The first top-level map after `since`.
    fn next_after(&self, since: Instant) -> Instant {
        loop {
            let at = self
                .mapped
                .recv_timeout(Duration::from_secs(30))
                .expect("no window appeared within 30 s");
            if at >= since {
                return at;
            }
        }
    }
}

impl Drop for MapWatch {
    fn drop(&mut self) {
        let _ = self.xev.kill();
        let _ = self.xev.wait();
    }
}

/// Launches `binary` as a user would, and returns (spawn-to-window-mapped ms, PSS MiB
/// after 5 s idle). The app gets a fresh KEYWARD_HOME, so it opens a new home as a
/// first start does.
fn start_and_idle(watch: &MapWatch, binary: &Path, home: &Path) -> (f64, f64) {
    let started = Instant::now();
    let mut app = Command::new(binary)
        .env("KEYWARD_HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mapped = watch.next_after(started);
    let startup = (mapped - started).as_secs_f64() * 1000.0;
    std::thread::sleep(Duration::from_secs(5));
    let memory = pss_mib(app.id());
    // A polite stop, so the single-instance lock and WebKit's processes go with it
    // before the next launch.
    let _ = Command::new("kill").arg(app.id().to_string()).status();
    if app.wait().is_err() {
        let _ = app.kill();
    }
    std::thread::sleep(Duration::from_millis(500));
    (startup, memory)
}

/// A home with `count` credential rows (metadata only), as a large inventory looks.
fn seed_inventory(home: &Path, count: usize) {
    // Through the home's own store: it holds the integrity key the rows are sealed with.
    let keyward = Keyward::init(home).unwrap();
    let transaction = keyward.store().transaction_from_shared().unwrap();
    let now = chrono::Utc::now();
    let kinds = [
        CredentialKind::ApiKey,
        CredentialKind::Token,
        CredentialKind::Secret,
        CredentialKind::Hmac,
    ];
    let providers = ["github", "stripe", "aws", "twilio", "internal"];
    for index in 0..count {
        let credential = Credential {
            id: 0,
            name: format!("BENCH_CRED_{index:05}"),
            kind: kinds[index % kinds.len()],
            provider: Some(providers[index % providers.len()].to_owned()),
            integration: None,
            created_at: now,
            rotated_at: now - chrono::Duration::days((index % 200) as i64),
            expires_at: None,
            rotate_every_days: Some(90),
            rotation_method: None,
            allowed_hosts: vec![format!("api{}.example.com", index % 50)],
            allow_insecure: false,
            token_url: None,
            fingerprint: format!("{index:064x}"),
            value_length: 40,
            storage: StorageKind::Keychain,
            certificate: None,
            notes: None,
        };
        let stored = StoredCredential {
            credential,
            slot_id: format!("bench-{index}"),
            sealed_value: None,
        };
        credentials::insert(&transaction, &stored).unwrap();
    }
    transaction.commit().unwrap();
}

fn binary(variable: &str) -> PathBuf {
    PathBuf::from(
        std::env::var_os(variable)
            .unwrap_or_else(|| panic!("{variable} is unset; run benches/app_start.sh")),
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run benches/app_start.sh (make bench)"]
async fn desktop_app_benchmark() {
    let app = binary("KEYWARD_APP_BINARY");
    let empty = binary("KEYWARD_EMPTY_BINARY");
    let scratch = tempfile::tempdir().unwrap();

    let watch = MapWatch::start();
    let (mut app_start, mut app_pss, mut empty_start, mut empty_pss) =
        (vec![], vec![], vec![], vec![]);
    for run in 0..runs() {
        // Alternate so neither side always gets the warmer cache.
        let (startup, memory) =
            start_and_idle(&watch, &empty, &scratch.path().join(format!("empty-{run}")));
        empty_start.push(startup);
        empty_pss.push(memory);
        let (startup, memory) =
            start_and_idle(&watch, &app, &scratch.path().join(format!("home-{run}")));
        app_start.push(startup);
        app_pss.push(memory);
    }
    drop(watch);
    report("empty_window_start_to_mapped", median(empty_start), "ms");
    report("app_start_to_dashboard", median(app_start), "ms");
    report("empty_window_pss_idle", median(empty_pss), "MiB");
    report("app_pss_idle", median(app_pss), "MiB");

    // 10,000 credentials. Their rows go straight into the inventory: listing and
    // searching never read the keychain, and storing 10,000 values in gnome-keyring
    // takes hours (it rewrites its file on every write; 1,000 took about two minutes).
    let count: usize = std::env::var("KEYWARD_BENCH_CREDENTIALS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(10_000);
    let home = scratch.path().join("home-large");
    let seeded = std::time::Instant::now();
    seed_inventory(&home, count);
    report(
        "seed_credentials_seconds",
        seeded.elapsed().as_secs_f64(),
        "s",
    );

    let session = Session::start_binary("bench-large", &app, Some(&home)).await;
    session.wait_text("h1", "Dashboard").await;
    // Navigation is what is measured: first let the dashboard finish its own start-up
    // load (opening the home, the policy over 10,000 credentials) and the window appear
    // with it painted, as a user sees it before they can click anything. The window is
    // hidden until the dashboard is ready, and its first composite after being shown
    // takes the web process a moment of its own.
    session
        .client()
        .execute_async(
            r#"const done = arguments[0];
               const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
               const poll = () => performance.getEntriesByName("keyward:first-render").length && document.visibilityState === "visible" ? painted() : setTimeout(poll, 10);
               poll();"#,
            vec![],
        )
        .await
        .unwrap();
    // Click Inventory from inside the page and time until the table's first rows paint.
    let render_script = r#"
        const done = arguments[0];
        const button = [...document.querySelectorAll("nav button")].find((item) => item.textContent.startsWith("Inventory"));
        const started = performance.now();
        button.click();
        const poll = () => {
            if (document.querySelector("[role=table] [role=row][tabindex]")) requestAnimationFrame(() => {
                done(performance.now() - started);
            });
            else requestAnimationFrame(poll);
        };
        poll();
    "#;
    let inventory_ms = session
        .client()
        .execute_async(render_script, vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    report("inventory_first_render_10k", inventory_ms, "ms");
    session
        .wait_text("[role=tab]", &format!("Credentials ({count})"))
        .await;

    // Type a query one key at a time; each keystroke is timed until the filtered rows paint.
    let search_script = r#"
        const [query, done] = arguments;
        const input = document.querySelector("input[aria-label='Filter credentials']");
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
        const timings = [];
        const step = (index) => {
            if (index > query.length) { done(timings); return; }
            const started = performance.now();
            setValue.call(input, query.slice(0, index));
            input.dispatchEvent(new Event("input", { bubbles: true }));
            requestAnimationFrame(() => requestAnimationFrame(() => { timings.push(performance.now() - started); step(index + 1); }));
        };
        step(1);
    "#;
    let timings = session
        .client()
        .execute_async(search_script, vec![serde_json::json!("bench_cred_00999")])
        .await
        .unwrap();
    let timings: Vec<f64> = timings
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_f64().unwrap())
        .collect();
    session
        .wait_text("[role=table] [role=row][tabindex]", "BENCH_CRED_00999")
        .await;
    report("search_keystroke_10k_median", median(timings.clone()), "ms");
    report(
        "search_keystroke_10k_max",
        timings.iter().cloned().fold(0.0, f64::max),
        "ms",
    );
    session.click(by_text("button", "Dashboard")).await;
    session.finish().await;
}
