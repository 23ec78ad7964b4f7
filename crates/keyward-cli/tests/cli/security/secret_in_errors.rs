//! No secret in errors or stored results. When an endpoint resets the connection or
//! closes it mid-response, the lower layers' error texts quote the request URL, query
//! included; a credential sent as a query parameter then showed up (URL-encoded) in the
//! probe's error, on stdout and in `probe_results`, and a URL given to `keyward probe`
//! with a secret in its query was repeated in the report's target and in findings'
//! evidence. Every such text now passes `keyward_outbound::redact`.
//!
//! Each case sends a unique canary the way an endpoint asks for it (query parameter,
//! header, Basic), checks that the server really received it, then looks for it in
//! every spelling (plain, URL-encoded, base64, hex) in stdout, stderr, every file under
//! the test's directory and every text or blob column of every table of the SQLite file.

use base64::Engine as _;
use keyward_testsupport::hostile::{Behaviour, Hostile};
use keyward_testsupport::providers::key_api_recipe;

use crate::common::leaks::Needles;
use crate::common::{TestHome, canary};

/// Runs `keyward` and keeps what it printed under a label for [`Needles::assert_absent`].
pub(super) fn run_kept(
    home: &TestHome,
    args: &[&str],
    stdin: &[u8],
    outputs: &mut Vec<(String, String)>,
) -> i32 {
    let (code, stdout, stderr) = home.run(args, stdin);
    let label = args.join(" ");
    outputs.push((format!("stdout of `keyward {label}`"), stdout));
    outputs.push((format!("stderr of `keyward {label}`"), stderr));
    code
}

const BEHAVIOURS: [Behaviour; 2] = [Behaviour::Reset, Behaviour::CloseMidResponse];

/// How an endpoint takes the credential: the `--auth` flag, the credential's kind, its
/// value, and what goes on the wire.
struct AuthCase {
    auth: &'static str,
    kind: &'static str,
    value: String,
    sent: String,
    secret: String,
}

fn auth_cases() -> Vec<AuthCase> {
    let query = format!("{}+/=", canary("query"));
    let header = canary("header");
    let basic = canary("basic");
    vec![
        AuthCase {
            auth: "query:api_key",
            kind: "api-key",
            sent: query
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D"),
            value: query.clone(),
            secret: query,
        },
        AuthCase {
            auth: "header:X-Api-Key",
            kind: "api-key",
            sent: header.clone(),
            value: header.clone(),
            secret: header,
        },
        AuthCase {
            auth: "basic",
            kind: "basic",
            sent: base64::engine::general_purpose::STANDARD.encode(format!("lead:{basic}")),
            value: format!("lead:{basic}"),
            secret: basic,
        },
    ]
}

#[test]
fn probing_an_integration_that_resets_keeps_its_credential_out_of_every_error() {
    for behaviour in BEHAVIOURS {
        for case in auth_cases() {
            let home = TestHome::new();
            let server = Hostile::start(behaviour);
            let mut outputs = Vec::new();
            let added = run_kept(
                &home,
                &[
                    "cred",
                    "add",
                    "api",
                    "--kind",
                    case.kind,
                    "--host",
                    "127.0.0.1",
                    "--allow-insecure",
                    "--value-stdin",
                ],
                case.value.as_bytes(),
                &mut outputs,
            );
            assert_eq!(added, 0, "{outputs:?}");
            let endpoint = server.url("/v1/me");
            let integrated = run_kept(
                &home,
                &[
                    "integration",
                    "add",
                    "svc",
                    "--provider",
                    "example",
                    "--owner",
                    "security",
                    "--env",
                    "dev",
                    "--endpoint",
                    &endpoint,
                    "--auth",
                    case.auth,
                    "--cred",
                    "api",
                ],
                b"",
                &mut outputs,
            );
            assert_eq!(integrated, 0, "{outputs:?}");

            for args in [
                &["probe", "--integration", "svc"][..],
                &["probe", "--integration", "svc", "--json"],
                &["probe", "--all", "--json"],
                &["audit", "list"],
            ] {
                let code = run_kept(&home, args, b"", &mut outputs);
                assert!(
                    (0..=1).contains(&code),
                    "{behaviour:?} {}: `{}` exited {code}: {outputs:?}",
                    case.auth,
                    args.join(" ")
                );
            }
            assert!(
                server.heads().iter().any(|head| head.contains(&case.sent)),
                "{behaviour:?} {}: the credential never reached the server, so this case \
                 proves nothing: {:?}",
                case.auth,
                server.heads()
            );
            Needles::of(&case.secret)
                .also_sent_as(&case.value)
                .assert_absent(&home, &outputs);
        }
    }
}

#[test]
fn probing_a_url_with_a_secret_in_its_query_never_repeats_it() {
    for behaviour in BEHAVIOURS {
        let home = TestHome::new();
        let server = Hostile::start(behaviour);
        let secret = canary("probeurl");
        let url = server.url(&format!("/v1/me?api_key={secret}&v=2"));
        let mut outputs = Vec::new();
        for args in [&["probe", &url][..], &["probe", &url, "--json"]] {
            let code = run_kept(&home, args, b"", &mut outputs);
            assert!((0..=1).contains(&code), "{behaviour:?}: {outputs:?}");
        }
        let stdout = &outputs[0].1;
        assert!(
            stdout.contains(&format!("127.0.0.1:{}", server.port)),
            "the report still names where it probed: {stdout}"
        );
        assert!(
            server.heads().iter().any(|head| head.contains(&secret)),
            "{behaviour:?}: the URL never reached the server: {:?}",
            server.heads()
        );
        run_kept(&home, &["audit", "list"], b"", &mut outputs);
        Needles::of(&secret).assert_absent(&home, &outputs);
    }
}

#[test]
fn a_rotation_whose_provider_resets_keeps_the_secret_out_of_errors_and_the_audit_log() {
    for behaviour in BEHAVIOURS {
        let home = TestHome::new();
        let server = Hostile::start(behaviour);
        let secret = canary("rotate");
        let mut outputs = Vec::new();
        let added = run_kept(
            &home,
            &[
                "cred",
                "add",
                "payments",
                "--kind",
                "api-key",
                "--host",
                "127.0.0.1",
                "--allow-insecure",
                "--value-stdin",
            ],
            secret.as_bytes(),
            &mut outputs,
        );
        assert_eq!(added, 0, "{outputs:?}");
        // The recipe sends the current key as a query parameter and in two headers, the
        // ways real provider APIs take it.
        let recipe = key_api_recipe(&server.url("")).replace(
            "/v1/keys\"\nheaders = { Authorization = \"Bearer {{current}}\" }",
            "/v1/keys?key={{current}}\"\nheaders = { Authorization = \"Bearer {{current}}\", \
             X-Api-Key = \"{{current}}\" }",
        );
        assert!(recipe.contains("key={{current}}"), "{recipe}");
        let recipe_file = home.write_file("recipe.toml", recipe.as_bytes());
        let set = run_kept(
            &home,
            &[
                "cred",
                "set-rotation",
                "payments",
                "--method",
                "http",
                "--recipe",
                recipe_file.to_str().expect("utf-8 path"),
                "--key-id",
                "1",
            ],
            b"",
            &mut outputs,
        );
        assert_eq!(set, 0, "{outputs:?}");

        let rotated = run_kept(&home, &["rotate", "payments", "--yes"], b"", &mut outputs);
        assert_ne!(
            rotated, 0,
            "{behaviour:?}: a provider that resets cannot rotate: {outputs:?}"
        );
        for args in [
            &["rotate", "payments", "--yes", "--json"][..],
            &["rotate", "--resume"],
            &["cred", "show", "payments", "--json"],
            &["audit", "list"],
        ] {
            run_kept(&home, args, b"", &mut outputs);
        }
        assert!(
            server
                .heads()
                .iter()
                .any(|head| head.contains(&format!("key={secret}"))),
            "{behaviour:?}: the key never reached the provider: {:?}",
            server.heads()
        );
        assert_eq!(
            home.reveal("payments"),
            secret,
            "a failed rotation keeps the old key"
        );
        Needles::of(&secret).assert_absent(&home, &outputs);
    }
}
