//! Snapshots of the CLI's user-facing output: help texts, the inventory commands, import
//! previews, check, scan (human, JSON, SARIF), the audit trail and error messages. Each
//! snapshot holds the exit code, stdout and stderr of one real `keyward` run against a
//! temporary home, with secrets, paths, ids and times filtered (see common/snapshot.rs).
//! The snapshot files live in tests/cli/snapshots/; review changes with
//! `cargo insta review`.

use chrono::{Days, Utc};

use crate::common::leaks::{contains, secret_forms};
use crate::common::snapshot::{SnapshotContext, snapshot_files};
use crate::keyward_snapshot;

/// A date `days` from today (negative: in the past), as `--expires` takes it.
fn date_from_today(days: i64) -> String {
    let today = Utc::now().date_naive();
    let date = if days >= 0 {
        today + Days::new(days.unsigned_abs())
    } else {
        today - Days::new(days.unsigned_abs())
    };
    date.format("%Y-%m-%d").to_string()
}

/// The subcommands listed in a help text's `Commands:` section (but `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter(|line| !line[2..].starts_with(' '))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_of_every_command() {
    let context = SnapshotContext::new();
    // Walk the command tree from the top-level help, so a new command needs a new
    // snapshot.
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let mut command = context.command(&args);
        // clap shows the variable's value in the help of --home.
        command.env_remove("KEYWARD_HOME");
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", path.join("_"))
        };
        let run = keyward_snapshot!(context, name.as_str(), command = command, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        for subcommand in subcommands(&run.stdout) {
            let mut next = path.clone();
            next.push(subcommand);
            pending.push(next);
        }
        seen.push(path.join(" "));
    }
    for expected in [
        "",
        "init",
        "cred add",
        "cred list",
        "cred show",
        "integration add",
        "import dotenv",
        "scan",
        "check",
        "audit list",
        "audit verify",
    ] {
        assert!(
            seen.iter().any(|path| path == expected),
            "the help walk missed `{expected}`: {seen:?}"
        );
    }

    let mut command = context.command(&["--version"]);
    command.env_remove("KEYWARD_HOME");
    keyward_snapshot!(context, "version", command = command, ["--version"]);
}

#[test]
fn init_and_credentials() {
    let mut context = SnapshotContext::new();
    keyward_snapshot!(context, "init", ["init"]);
    keyward_snapshot!(context, "init_again", ["init"]);
    keyward_snapshot!(context, "cred_list_empty", ["cred", "list"]);

    let stripe = context.canary("stripe");
    keyward_snapshot!(
        context,
        "cred_add",
        [
            "cred",
            "add",
            "stripe-live",
            "--kind",
            "api-key",
            "--provider",
            "stripe",
            "--rotate-every",
            "90d",
            "--host",
            "api.stripe.com",
            "--notes",
            "billing, EU account",
            "--value-stdin",
        ],
        stripe.as_bytes()
    );
    let password = context.canary("registry-password");
    let basic = context.secret("registry-basic", &format!("deploy:{password}"));
    let expires = date_from_today(40);
    keyward_snapshot!(
        context,
        "cred_add_basic",
        [
            "cred",
            "add",
            "registry",
            "--kind",
            "basic",
            "--host",
            "registry.example.test",
            "--host",
            "*.registry.example.test",
            "--expires",
            &expires,
            "--value-stdin",
        ],
        basic.as_bytes()
    );
    let short = context.short_canary("ci");
    keyward_snapshot!(
        context,
        "cred_add_short_token",
        [
            "cred",
            "add",
            "ci-token",
            "--kind",
            "token",
            "--value-stdin"
        ],
        short.as_bytes()
    );

    keyward_snapshot!(context, "cred_list", ["cred", "list"]);
    keyward_snapshot!(context, "cred_list_json", ["cred", "list", "--json"]);
    keyward_snapshot!(context, "cred_show", ["cred", "show", "stripe-live"]);
    keyward_snapshot!(context, "cred_show_basic", ["cred", "show", "registry"]);
    keyward_snapshot!(
        context,
        "cred_show_json",
        ["cred", "show", "stripe-live", "--json"]
    );
    // The one command that prints a value: the filter shows where it went.
    keyward_snapshot!(context, "cred_reveal", ["cred", "reveal", "ci-token"]);
    keyward_snapshot!(context, "cred_rm", ["cred", "rm", "ci-token"]);
}

#[test]
fn integrations() {
    let mut context = SnapshotContext::initialised();
    keyward_snapshot!(context, "integration_list_empty", ["integration", "list"]);
    let value = context.canary("payments");
    let run = context.run(
        &[
            "cred",
            "add",
            "stripe-live",
            "--kind",
            "api-key",
            "--value-stdin",
        ],
        value.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    keyward_snapshot!(
        context,
        "integration_add",
        [
            "integration",
            "add",
            "payments",
            "--provider",
            "stripe",
            "--owner",
            "team-payments",
            "--env",
            "prod",
            "--endpoint",
            "https://api.stripe.com/v1",
            "--endpoint",
            "https://127.0.0.1:8443/health",
            "--cred",
            "stripe-live",
            "--tag",
            "team:payments",
            "--tag",
            "pci",
            "--notes",
            "charges and refunds",
        ]
    );
    keyward_snapshot!(
        context,
        "integration_add_oidc",
        [
            "integration",
            "add",
            "sso",
            "--provider",
            "okta",
            "--owner",
            "it",
            "--env",
            "staging",
            "--endpoint",
            "https://login.example.test/oauth2/v1/userinfo",
            "--auth",
            "header:X-Api-Key",
            "--issuer",
            "https://login.example.test",
        ]
    );
    keyward_snapshot!(context, "integration_list", ["integration", "list"]);
    keyward_snapshot!(
        context,
        "integration_list_json",
        ["integration", "list", "--json"]
    );
    keyward_snapshot!(
        context,
        "integration_show",
        ["integration", "show", "payments"]
    );
    keyward_snapshot!(
        context,
        "integration_show_json",
        ["integration", "show", "sso", "--json"]
    );
}

#[test]
fn dotenv_import_preview_and_import() {
    let mut context = SnapshotContext::initialised();
    let github = context.fake("github-token", "ghp_{an:30}{crc}", 7);
    let stripe = context.canary("dotenv-stripe");
    let password = context.canary("dotenv-db-password");
    let database_url = context.secret(
        "dotenv-database-url",
        &format!("postgres://app:{password}@db.example.test:5432/app"),
    );
    let env = format!(
        "# local development\nPORT=8080\nDEBUG=true\nAPI_URL=https://api.example.test\n\
         export GITHUB_TOKEN={github}\nSTRIPE_SECRET_KEY=\"{stripe}\"\nDATABASE_URL={database_url}\n"
    );
    context.home.write_file("app.env", env.as_bytes());

    keyward_snapshot!(
        context,
        "import_dotenv_dry_run",
        ["import", "dotenv", "app.env", "--dry-run"]
    );
    keyward_snapshot!(
        context,
        "import_dotenv_dry_run_json",
        ["import", "dotenv", "app.env", "--dry-run", "--json"]
    );
    keyward_snapshot!(
        context,
        "import_dotenv_dry_run_only",
        [
            "import",
            "dotenv",
            "app.env",
            "--dry-run",
            "--only",
            "PORT,GITHUB_TOKEN"
        ]
    );
    keyward_snapshot!(context, "import_dotenv", ["import", "dotenv", "app.env"]);
    keyward_snapshot!(context, "import_dotenv_cred_list", ["cred", "list"]);

    context
        .home
        .write_file("broken.env", b"PORT=8080\nthis line has no equals sign\n");
    keyward_snapshot!(
        context,
        "import_dotenv_malformed",
        ["import", "dotenv", "broken.env"]
    );
    keyward_snapshot!(
        context,
        "import_dotenv_missing_file",
        ["import", "dotenv", "missing.env", "--dry-run"]
    );
}

/// A small tree with a vault value, two provider secrets, an allowed one and clean files.
fn plant_tree(context: &mut SnapshotContext) {
    let leaked = context.canary("leaked");
    let run = context.run(
        &[
            "cred",
            "add",
            "deploy-token",
            "--kind",
            "token",
            "--value-stdin",
        ],
        leaked.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let github = context.fake("github-token", "ghp_{an:30}{crc}", 11);
    let stripe = context.fake("stripe-key", "sk_live_{an:32}", 12);
    let allowed = context.fake("allowed-github-token", "ghp_{an:30}{crc}", 13);
    let files = [
        (
            "tree/README.md",
            "# Service\n\nSet GITHUB_TOKEN in your shell.\n".to_owned(),
        ),
        ("tree/config/deploy.env", format!("DEPLOY_TOKEN={leaked}\n")),
        (
            "tree/src/release.py",
            format!("import os\n\nGITHUB_TOKEN = \"{github}\"\n"),
        ),
        (
            "tree/src/billing.rb",
            format!("require \"stripe\"\n\nStripe.api_key = \"{stripe}\"\n"),
        ),
        (
            "tree/src/fixture.py",
            format!("TOKEN = \"{allowed}\"  # keyward:allow\n"),
        ),
        ("clean/main.rs", "fn main() {}\n".to_owned()),
    ];
    for (path, content) in files {
        let path = context.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

#[test]
fn scan_outputs() {
    let mut context = SnapshotContext::initialised();
    plant_tree(&mut context);
    keyward_snapshot!(context, "scan_human", ["scan", "tree"]);
    keyward_snapshot!(context, "scan_json", ["scan", "tree", "--format", "json"]);
    keyward_snapshot!(context, "scan_sarif", ["scan", "tree", "--format", "sarif"]);
    keyward_snapshot!(context, "scan_no_vault", ["scan", "tree", "--no-vault"]);
    keyward_snapshot!(context, "scan_clean", ["scan", "clean"]);

    let mut command = context.command(&["scan", "tree"]);
    command.env("KEYWARD_HOME", context.root().join("no-home"));
    keyward_snapshot!(
        context,
        "scan_without_home",
        command = command,
        ["scan", "tree"]
    );
}

#[test]
fn check_outputs() {
    let mut context = SnapshotContext::initialised();
    keyward_snapshot!(context, "check_clean", ["check"]);
    keyward_snapshot!(context, "check_clean_json", ["check", "--json"]);

    let expired = date_from_today(-5);
    let expiring = date_from_today(10);
    for (name, extra) in [
        ("expired-token", vec!["--expires", expired.as_str()]),
        ("expiring-token", vec!["--expires", expiring.as_str()]),
        ("weekly-key", vec!["--rotate-every", "7d"]),
        ("api-key", vec![]),
    ] {
        let value = context.canary(name);
        let mut args = vec!["cred", "add", name, "--kind", "token"];
        args.extend(extra);
        args.push("--value-stdin");
        let run = context.run(&args, value.as_bytes());
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let run = context.run(
        &[
            "integration",
            "add",
            "api",
            "--provider",
            "internal",
            "--owner",
            "platform",
            "--env",
            "dev",
            "--endpoint",
            "https://api.example.test",
            "--cred",
            "api-key",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Warnings of equal severity are ordered by id, which holds the finding's keyed
    // fingerprint: a fixed team key (built here, not a literal) keeps the order the same
    // on every run, where each home's own random key would shuffle it.
    let team_key = context.secret("team-key", &"snapshot-team-key/".repeat(2));
    let run = context.run(&["team-key", "set", "--value-stdin"], team_key.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    plant_tree(&mut context);
    let run = context.run(&["scan", "tree"], b"");
    assert_eq!(run.code, 1, "the planted tree has findings: {}", run.stdout);

    keyward_snapshot!(context, "check", ["check"]);
    keyward_snapshot!(context, "check_json", ["check", "--json"]);
}

#[test]
fn audit_outputs() {
    let mut context = SnapshotContext::initialised();
    for name in ["alpha", "beta"] {
        let value = context.canary(name);
        let run = context.run(
            &["cred", "add", name, "--kind", "secret", "--value-stdin"],
            value.as_bytes(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(context.run(&["cred", "reveal", "alpha"], b"").code, 0);
    assert_eq!(context.run(&["cred", "rm", "beta"], b"").code, 0);

    keyward_snapshot!(context, "audit_list", ["audit", "list"]);
    keyward_snapshot!(context, "audit_list_last", ["audit", "list", "--last", "2"]);
    keyward_snapshot!(context, "audit_list_json", ["audit", "list", "--json"]);
    keyward_snapshot!(context, "audit_verify", ["audit", "verify"]);
    keyward_snapshot!(context, "audit_verify_json", ["audit", "verify", "--json"]);

    context
        .home
        .sql("UPDATE audit_log SET subject = 'innocent' WHERE seq = 3");
    keyward_snapshot!(context, "audit_verify_altered", ["audit", "verify"]);
    keyward_snapshot!(
        context,
        "audit_verify_altered_json",
        ["audit", "verify", "--json"]
    );
}

#[test]
fn error_outputs() {
    let mut context = SnapshotContext::initialised();
    let value = context.canary("existing");
    let run = context.run(
        &[
            "cred",
            "add",
            "existing",
            "--kind",
            "token",
            "--value-stdin",
        ],
        value.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let other = context.canary("other");

    let cases: [(&str, Vec<&str>, &[u8], i32); 11] = [
        (
            "error_unknown_credential",
            vec!["cred", "show", "nope"],
            b"",
            2,
        ),
        (
            "error_unknown_integration",
            vec!["integration", "show", "nope"],
            b"",
            2,
        ),
        (
            "error_duplicate_credential",
            vec![
                "cred",
                "add",
                "existing",
                "--kind",
                "token",
                "--value-stdin",
            ],
            other.as_bytes(),
            2,
        ),
        (
            "error_unknown_kind",
            vec!["cred", "add", "x", "--kind", "password", "--value-stdin"],
            other.as_bytes(),
            2,
        ),
        (
            "error_bad_period",
            vec![
                "cred",
                "add",
                "x",
                "--kind",
                "token",
                "--rotate-every",
                "soon",
                "--value-stdin",
            ],
            other.as_bytes(),
            2,
        ),
        (
            "error_bad_environment",
            vec![
                "integration",
                "add",
                "x",
                "--provider",
                "p",
                "--owner",
                "o",
                "--env",
                "qa",
            ],
            b"",
            2,
        ),
        ("error_bad_flag", vec!["cred", "list", "--bogus"], b"", 2),
        ("error_unknown_subcommand", vec!["cred", "lsit"], b"", 2),
        ("error_missing_argument", vec!["cred", "show"], b"", 2),
        ("error_scan_without_path", vec!["scan"], b"", 2),
        (
            "error_bad_scan_format",
            vec!["scan", ".", "--format", "xml"],
            b"",
            2,
        ),
    ];
    for (name, args, stdin, code) in cases {
        let run = keyward_snapshot!(context, name, args, stdin);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    }

    // No keychain: init refuses (3) and creates nothing.
    let mut command = context.command(&["init"]);
    command
        .env("KEYWARD_HOME", context.root().join("new-home"))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", context.root().join("no-bus").display()),
        );
    let run = keyward_snapshot!(context, "error_no_keychain", command = command, ["init"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!context.root().join("new-home").exists());

    // No home yet: an environment error (3), for every command that needs one.
    for (name, args) in [
        ("error_missing_home_cred_list", vec!["cred", "list"]),
        ("error_missing_home_check", vec!["check"]),
        ("error_missing_home_audit_verify", vec!["audit", "verify"]),
    ] {
        let mut command = context.command(&args);
        command.env("KEYWARD_HOME", context.root().join("no-home"));
        let run = keyward_snapshot!(context, name, command = command, args);
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
    }
}

/// The harness itself: every form of a planted secret, and every kind of run-dependent
/// text, comes out as its placeholder.
#[test]
fn filters_replace_secrets_paths_ids_and_times() {
    use base64::Engine as _;

    let mut context = SnapshotContext::initialised();
    // Characters that URL-encoding and base64 treat specially.
    let secret = format!("{}/+:@ x?", context.canary("demo"));
    context.secret("demo", &secret);
    let bytes = secret.as_bytes();
    let hex = crate::common::hex(bytes);
    let percent: String = bytes
        .iter()
        .map(|&byte| {
            if byte.is_ascii_alphanumeric() {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    let text = [
        format!("plain {secret}"),
        format!("url {percent}"),
        format!(
            "base64 {}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        format!(
            "base64url {}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        ),
        format!("hex {hex} {}", hex.to_uppercase()),
        format!("home {}", context.home.path().display()),
        "other /tmp/.tmpAb12Cd/x".to_owned(),
        "rfc3339 2031-02-03T04:05:06.123456Z 2031-02-03T04:05:06+02:00".to_owned(),
        "utc 2031-02-03 04:05 UTC, date 2031-02-03".to_owned(),
        "took 12ms, 1.5s, 7 day(s) ago".to_owned(),
        "port http://127.0.0.1:41234/x https://localhost:8443 http://[::1]:9000".to_owned(),
        format!("hash {}", "ab".repeat(32)),
        format!("id {}", "cd".repeat(16)),
    ]
    .join("\n");
    let settings = context.insta_settings();
    settings.bind(|| {
        insta::assert_snapshot!(text, @r"
        plain [SECRET:demo]
        url [SECRET:demo:url-encoded]
        base64 [SECRET:demo:base64]
        base64url [SECRET:demo:base64]
        hex [SECRET:demo:hex] [SECRET:demo:hex]
        home [TEMP]/home
        other [TEMP]/x
        rfc3339 [TIMESTAMP] [TIMESTAMP]
        utc [DATETIME], date [DATE]
        took [DURATION], [DURATION], [N] day(s) ago
        port http://127.0.0.1:[PORT]/x https://localhost:[PORT] http://[::1]:[PORT]
        hash [HASH]
        id [ID]
        ");
    });
}

/// Every snapshot file, of every run: no canary in plain, hex or URL-encoded form, no
/// temporary path, date or long hex id that a filter should have replaced, and nothing
/// the scanner's provider rules flag.
#[test]
fn snapshot_files_hold_no_secrets_and_nothing_machine_specific() {
    let files = snapshot_files();
    assert!(
        files.len() > 40,
        "the snapshot files are missing: {}",
        crate::common::snapshot::snapshot_dir().display()
    );
    let canary_forms = secret_forms(b"kwcanary");
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for (form, needle) in &canary_forms {
            assert!(
                !contains(&bytes, needle),
                "{} holds a canary ({form})",
                path.display()
            );
        }
        assert!(
            !text.contains("/tmp/"),
            "{} holds a temporary path",
            path.display()
        );
        assert!(
            !has_date(&text),
            "{} holds an unfiltered date",
            path.display()
        );
        assert!(
            !has_hex_run(&text, 16),
            "{} holds an unfiltered id or fingerprint",
            path.display()
        );
    }
    let context = SnapshotContext::new();
    let dir = crate::common::snapshot::snapshot_dir();
    let run = context.run(&["scan", "--no-vault", dir.to_str().unwrap()], b"");
    assert_eq!(
        run.code, 0,
        "the scanner flags a snapshot file:\n{}{}",
        run.stdout, run.stderr
    );
}

/// `dddd-dd-dd` anywhere in `text`.
fn has_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    (0..bytes.len()).any(|i| {
        (0..4).all(|k| digit(i + k))
            && bytes.get(i + 4) == Some(&b'-')
            && digit(i + 5)
            && digit(i + 6)
            && bytes.get(i + 7) == Some(&b'-')
            && digit(i + 8)
            && digit(i + 9)
    })
}

/// A run of at least `length` lower-case hex digits.
fn has_hex_run(text: &str, length: usize) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            run += 1;
            if run >= length {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}
