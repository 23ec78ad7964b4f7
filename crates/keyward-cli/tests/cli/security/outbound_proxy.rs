//! No proxy from the environment, at the product level. A proxy named in
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` would see every credential Keyward sends (in
//! the clear for plain HTTP, and the destination of everything else), so the shipped
//! binary must go direct on every path that sends one: a rotation's http recipe and a
//! probe, with and without a credential. The outbound crate's own tests check its
//! clients; this checks that the binary's paths all use them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use keyward_testsupport::hostile::{Behaviour, Hostile};
use keyward_testsupport::http_stand_in::{self, Handler};
use keyward_testsupport::providers::{FakeTokens, key_api_recipe};

use crate::common::TestHome;

const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
];

/// Runs `keyward` with every proxy variable pointing at `proxy` and no exemption.
fn run_behind(proxy: &Hostile, home: &TestHome, args: &[&str]) -> (i32, String, String) {
    let mut command = home.keyward(args);
    for variable in PROXY_VARIABLES {
        command.env(variable, proxy.url(""));
    }
    command.env_remove("NO_PROXY").env_remove("no_proxy");
    let output = command.output().expect("run keyward");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The stand-in's handler, counting the requests it answers.
fn counted(handler: Handler) -> (Handler, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    (
        Arc::new(move |request| {
            seen.fetch_add(1, Ordering::SeqCst);
            handler(request)
        }),
        count,
    )
}

#[test]
fn rotation_and_probes_go_direct_whatever_the_proxy_variables_say() {
    let proxy = Hostile::start(Behaviour::Refuse);
    let home = TestHome::new();
    let (api, value) = FakeTokens::new("key_");
    let (handler, answered) = counted(api.key_api());
    let server = http_stand_in::start(home.dir.path(), handler);
    let ca = server.ca_file.to_str().expect("utf-8 path").to_owned();

    home.keyward(&[
        "cred",
        "add",
        "payments",
        "--kind",
        "api-key",
        "--host",
        "127.0.0.1",
        "--value-stdin",
    ])
    .write_stdin(value.clone())
    .assert()
    .success();
    let recipe = home.write_file("recipe.toml", key_api_recipe(&server.base_url()).as_bytes());
    home.keyward(&[
        "cred",
        "set-rotation",
        "payments",
        "--method",
        "http",
        "--recipe",
        recipe.to_str().expect("utf-8 path"),
        "--ca",
        &ca,
        "--key-id",
        "1",
    ])
    .assert()
    .success();

    let (code, stdout, stderr) = run_behind(&proxy, &home, &["rotate", "payments", "--yes"]);
    assert_eq!(code, 0, "the rotation went wrong: {stdout}{stderr}");
    let new = home.reveal("payments");
    assert!(
        new != value && api.accepts(&new) && !api.accepts(&value),
        "the rotation reached the provider directly and finished"
    );
    assert_eq!(
        proxy.connections(),
        0,
        "a proxy from the environment saw the rotation: {:?}",
        proxy.heads()
    );

    // A probe with the credential (the verifying client) over TLS, and one of a plain
    // URL (the inspecting client).
    let endpoint = format!("{}/v1/me", server.base_url());
    home.keyward(&[
        "integration",
        "add",
        "billing",
        "--provider",
        "example",
        "--owner",
        "payments",
        "--env",
        "prod",
        "--endpoint",
        &endpoint,
        "--auth",
        "bearer",
        "--cred",
        "payments",
    ])
    .assert()
    .success();
    let before = answered.load(Ordering::SeqCst);
    let (code, stdout, stderr) = run_behind(
        &proxy,
        &home,
        &["probe", "--integration", "billing", "--ca", &ca, "--json"],
    );
    assert!((0..=1).contains(&code), "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("probe --json");
    assert!(
        report.to_string().contains("\"stored_credential\":200"),
        "the credentialed request reached the stand-in directly: {stdout}"
    );
    assert!(answered.load(Ordering::SeqCst) > before);

    let plain = Hostile::start(Behaviour::CloseMidResponse);
    let (code, stdout, stderr) = run_behind(&proxy, &home, &["probe", &plain.url("/health")]);
    assert!((0..=1).contains(&code), "{stdout}{stderr}");
    assert!(plain.connections() > 0, "the plain probe went direct");

    assert_eq!(
        proxy.connections(),
        0,
        "a proxy from the environment saw a probe: {:?}",
        proxy.heads()
    );
}
