//! Team database URLs are redacted everywhere. A password can reach libpq-style
//! connection settings in several forms — URL userinfo, the `password` or `sslpassword`
//! query parameter, a `key=value` connection string with a plain or quoted value — and
//! each is printed by `keyward sync` (the target), quoted in connection errors and
//! stored in the audit log. One function (`keyward_team::redact_url`) now masks every
//! form and leaves host, port, database and the other settings readable.

use super::secret_in_errors::run_kept;
use crate::common::leaks::Needles;
use crate::common::postgres::TestDatabase;
use crate::common::{TestHome, canary};

/// The forms libpq accepts, each carrying `password` (so also as the secret's
/// encodings) to `host:port/database`, plain TLS off so no certificate is needed.
fn forms(host: &str, port: u16, database: &str, user: &str) -> Vec<(&'static str, String, String)> {
    let userinfo = canary("userinfo");
    let query = canary("query");
    let sslpassword = canary("sslpassword");
    let keyvalue = canary("keyvalue");
    let quoted = canary("quoted");
    let encoded = canary("encoded");
    vec![
        (
            "userinfo",
            format!("postgres://{user}:{userinfo}@{host}:{port}/{database}?sslmode=disable"),
            userinfo,
        ),
        (
            "password parameter",
            format!("postgres://{user}@{host}:{port}/{database}?sslmode=disable&password={query}"),
            query,
        ),
        (
            "sslpassword parameter",
            format!(
                "postgresql://{user}@{host}:{port}/{database}?sslpassword={sslpassword}&sslmode=disable"
            ),
            sslpassword,
        ),
        (
            "key=value",
            format!(
                "host={host} port={port} user={user} password={keyvalue} dbname={database} sslmode=disable"
            ),
            keyvalue,
        ),
        (
            "quoted key=value",
            format!(
                "host={host} port={port} user={user} password = '{quoted} it\\'s' dbname={database} sslmode=disable"
            ),
            quoted,
        ),
        (
            "percent-encoded userinfo",
            format!(
                "postgresql://{user}:{encoded}%2Fx%40y@{host}:{port}/{database}?sslmode=disable"
            ),
            encoded,
        ),
    ]
}

/// Every way the CLI takes a database target, each run once; outputs are kept.
fn sync_every_way(home: &TestHome, target: &str, outputs: &mut Vec<(String, String)>) -> Vec<i32> {
    let mut codes = Vec::new();
    for args in [
        &["sync", "--postgres", target][..],
        &["sync", "--postgres", target, "--json"],
        &["sync", "--postgres", target, "--show"],
        &["sync", "--postgres", target, "--show", "--json"],
    ] {
        codes.push(run_kept(home, args, b"", outputs));
    }
    let output = home
        .keyward(&["sync"])
        .env("KEYWARD_POSTGRES_URL", target)
        .output()
        .expect("run keyward");
    codes.push(output.status.code().unwrap_or(-1));
    outputs.push((
        "stdout of `keyward sync` (KEYWARD_POSTGRES_URL)".into(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ));
    outputs.push((
        "stderr of `keyward sync` (KEYWARD_POSTGRES_URL)".into(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ));
    run_kept(home, &["audit", "list"], b"", outputs);
    codes
}

#[test]
fn an_unreachable_team_database_is_named_without_its_password() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    for (form, target, secret) in forms("127.0.0.1", port, "team", "lead") {
        let home = TestHome::new();
        let mut outputs = Vec::new();
        let codes = sync_every_way(&home, &target, &mut outputs);
        assert!(
            codes.iter().all(|code| *code != 0 && *code != 4),
            "{form}: nothing listens there, which is an error, not a crash: {codes:?} {outputs:?}"
        );
        let stderr = &outputs[1].1;
        assert!(
            stderr.contains("127.0.0.1") && stderr.contains("team"),
            "{form}: the error still says which database: {stderr}"
        );
        Needles::of(&secret).assert_absent(&home, &outputs);
    }
}

#[test]
fn a_real_team_database_is_named_without_its_password() {
    let Ok(base) = std::env::var("KEYWARD_TEST_POSTGRES") else {
        eprintln!("skipped: KEYWARD_TEST_POSTGRES is not set (run under scripts/with-postgres.sh)");
        return;
    };
    let parsed = url_parts(&base);
    let test_database = TestDatabase::on(&base, "urls");
    let database = test_database.name.clone();
    // The test server trusts loopback, so any password is accepted and never checked:
    // every form below connects, and the secret travels only to be redacted.
    for (form, target, secret) in forms(&parsed.0, parsed.1, &database, &parsed.2) {
        let home = TestHome::new();
        home.add("ci", "token", "tok_abcdefghijklmnopqrstuvwxyz0123456789");
        let mut outputs = Vec::new();
        let codes = sync_every_way(&home, &target, &mut outputs);
        if form == "sslpassword parameter" {
            // libpq knows sslpassword; tokio-postgres refuses it as an unknown option.
            assert!(codes.iter().all(|code| *code == 2), "{form}: {outputs:?}");
        } else {
            // `--show` (the third and fourth runs) exits 1 on the rows of the earlier
            // forms' homes, whose keys this home has not pinned.
            assert!(
                codes
                    .iter()
                    .enumerate()
                    .all(|(run, code)| *code == 0 || matches!(run, 2 | 3) && *code == 1),
                "{form}: {outputs:?}"
            );
            let stdout = &outputs[0].1;
            assert!(
                stdout.contains(&parsed.0) && stdout.contains(&database),
                "{form}: the sync names the database it wrote to: {stdout}"
            );
        }
        Needles::of(&secret).assert_absent(&home, &outputs);
    }
}

/// (host, port, user) of `postgres://USER@HOST:PORT/DB`.
fn url_parts(url: &str) -> (String, u16, String) {
    let rest = url.strip_prefix("postgres://").expect("a postgres:// URL");
    let (user, rest) = rest.split_once('@').expect("a user");
    let authority = rest.split('/').next().expect("host:port");
    let (host, port) = authority.rsplit_once(':').expect("a port");
    (
        host.to_owned(),
        port.parse().expect("a numeric port"),
        user.to_owned(),
    )
}
