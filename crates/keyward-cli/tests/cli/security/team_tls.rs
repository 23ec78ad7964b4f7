//! Team sync goes over verified TLS, and plain text is refused before the password
//! leaves the machine.
//!
//! Before, `keyward sync --postgres` to a server with `ssl=off` on another host, with no
//! `sslmode`, fell back to plain text (libpq's `prefer`) and sent the password and every
//! row in clear; `sslmode=verify-full` was not even accepted. Now: verified TLS unless
//! the URL says `sslmode=disable` (warned); plain text without asking only to this
//! machine (loopback, a unix socket).
//!
//! "Another host" needs an address that is not loopback and reaches nothing: the first
//! test re-runs this test binary in a private network namespace (`unshare -n -m`, see
//! PLATFORM.md) where 198.51.100.7 sits on `lo`, with its own Secret Service and its own
//! PostgreSQL (`ssl = off`, cleartext `password` authentication, so a password sent is
//! a password seen) behind a TCP relay that records every byte the client sends. Where
//! namespaces are not permitted it is skipped with a message. The certificate checks run
//! against the TLS server of scripts/with-postgres.sh.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command as ProcessCommand;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::leaks::Needles;
use crate::common::postgres::{self, TestDatabase};
use crate::common::{TestHome, canary};

/// Set in the environment of the copy of this binary that runs inside the namespace.
const INSIDE: &str = "KEYWARD_TEST_INSIDE_NETWORK_NAMESPACE";
/// An address that is not loopback, existing only inside the namespace.
const REMOTE: &str = "198.51.100.7";
/// The first message of a client that asks for TLS: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 4, 210, 22, 47];

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the namespace test cannot run here, if it cannot.
fn namespace_unavailable() -> Option<String> {
    if postgres_bin().is_none() {
        return Some("PostgreSQL server binaries are not installed".into());
    }
    match ProcessCommand::new("unshare")
        .args(["-n", "-m", "--", "ip", "link", "set", "lo", "up"])
        .output()
    {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!(
            "`unshare -n -m` is not permitted here: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) => Some(format!("unshare or ip is not available: {error}")),
    }
}

fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

#[test]
fn plain_text_is_refused_before_the_password_is_sent_to_a_server_off_this_machine() {
    if std::env::var_os(INSIDE).is_some() {
        return;
    }
    if let Some(reason) = namespace_unavailable() {
        eprintln!("skipped: {reason}; this test needs a private network namespace");
        return;
    }
    let output = ProcessCommand::new("unshare")
        .args(["-n", "-m", "--"])
        .arg(repository().join("scripts/with-keyring.sh"))
        .arg(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "security::team_tls::inside_a_private_network",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INSIDE, "1")
        .output()
        .expect("run the test binary in a network namespace");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the namespaced half failed:\n{stdout}\n{stderr}"
    );
}

/// A throwaway PostgreSQL in the namespace: `ssl = off`, on 127.0.0.1 and [`REMOTE`],
/// cleartext password authentication for `lead` over TCP, trust on its unix socket.
struct PlainServer {
    bin: PathBuf,
    scratch: tempfile::TempDir,
    as_owner: Vec<&'static str>,
}

impl PlainServer {
    fn start(password: &str) -> Self {
        let bin = postgres_bin().expect("checked outside");
        let scratch = tempfile::tempdir().unwrap();
        let root = is_root();
        let as_owner: Vec<&'static str> = if root {
            vec!["runuser", "-u", "postgres", "--"]
        } else {
            Vec::new()
        };
        run(ProcessCommand::new("chmod").arg("755").arg(scratch.path()));
        if root {
            run(ProcessCommand::new("chown")
                .arg("postgres:")
                .arg(scratch.path()));
        }
        let server = Self {
            bin,
            scratch,
            as_owner,
        };
        let data = server.scratch.path().join("data");
        run(server.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "keyward",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]));
        let conf = format!(
            "listen_addresses = '127.0.0.1,{REMOTE}'\nport = 5432\nunix_socket_directories = '{}'\nssl = off\nfsync = off\nlog_connections = on\n",
            server.scratch.path().display()
        );
        append(&data.join("postgresql.conf"), &conf);
        std::fs::write(
            data.join("pg_hba.conf"),
            format!(
                "local all all trust\nhost all keyward 127.0.0.1/32 trust\nhost all lead 127.0.0.1/32 password\nhost all lead {REMOTE}/32 password\n"
            ),
        )
        .unwrap();
        run(server
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(server.log_path())
            .args(["-w", "-t", "30", "start"]));
        server.admin(&format!("CREATE ROLE lead LOGIN PASSWORD '{password}'"));
        server.admin("CREATE DATABASE team OWNER lead");
        server
    }

    fn command(&self, program: &str) -> ProcessCommand {
        let path = self.bin.join(program);
        let mut command = match self.as_owner.split_first() {
            Some((first, rest)) => {
                let mut command = ProcessCommand::new(first);
                command.args(rest).arg(path);
                command
            }
            None => ProcessCommand::new(path),
        };
        command.current_dir(self.scratch.path());
        command
    }

    fn socket_dir(&self) -> String {
        self.scratch.path().display().to_string()
    }

    fn admin(&self, sql: &str) {
        let status = ProcessCommand::new("psql")
            .args([
                "-h",
                &self.socket_dir(),
                "-p",
                "5432",
                "-U",
                "keyward",
                "-d",
                "postgres",
            ])
            .args(["-qtA", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .status()
            .unwrap();
        assert!(status.success(), "psql failed: {sql}");
    }

    fn log_path(&self) -> PathBuf {
        self.scratch.path().join("server.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

impl Drop for PlainServer {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.scratch.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    ProcessCommand::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn run(command: &mut ProcessCommand) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// What one client sent through the relay, and whether it is done sending.
type Record = Arc<Mutex<(Vec<u8>, bool)>>;

/// A TCP relay on [`REMOTE`] in front of the server, keeping what each client sent.
struct Relay {
    port: u16,
    sent: Arc<Mutex<Vec<Record>>>,
}

impl Relay {
    fn start(upstream: &'static str) -> Self {
        let listener = TcpListener::bind((REMOTE, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let sent: Arc<Mutex<Vec<Record>>> = Arc::default();
        let connections = sent.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let Ok(mut server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let record: Record = Arc::default();
                connections.lock().unwrap().push(record.clone());
                let mut client_reader = client.try_clone().unwrap();
                let mut server_writer = server.try_clone().unwrap();
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 4096];
                    loop {
                        match client_reader.read(&mut buffer) {
                            Ok(0) | Err(_) => break,
                            Ok(read) => {
                                record.lock().unwrap().0.extend_from_slice(&buffer[..read]);
                                if server_writer.write_all(&buffer[..read]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = server_writer.shutdown(Shutdown::Write);
                    record.lock().unwrap().1 = true;
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server, &mut client);
                    let _ = client.shutdown(Shutdown::Write);
                });
            }
        });
        Self { port, sent }
    }

    /// What each connection since the last call sent, once every client is done.
    fn take(&self) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let done = self
                .sent
                .lock()
                .unwrap()
                .iter()
                .all(|record| record.lock().unwrap().1);
            if done || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::mem::take(&mut *self.sent.lock().unwrap())
            .into_iter()
            .map(|record| record.lock().unwrap().0.clone())
            .collect()
    }
}

fn sync_with_password(home: &TestHome, args: &[&str], password: &str) -> (i32, String, String) {
    let output = home
        .keyward(args)
        .env("PGPASSWORD", password)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[ignore = "the half of the test above that runs inside its private network namespace"]
fn inside_a_private_network() {
    if std::env::var_os(INSIDE).is_none() {
        return;
    }
    run(ProcessCommand::new("ip").args(["link", "set", "lo", "up"]));
    run(ProcessCommand::new("ip").args(["addr", "add", &format!("{REMOTE}/32"), "dev", "lo"]));
    let password = canary("pgpassword");
    let server = PlainServer::start(&password);
    let relay = Relay::start("198.51.100.7:5432");
    let needles = Needles::of(&password);
    let home = TestHome::new();
    home.add("ci", "token", &canary("ci"));
    let remote = format!("postgres://lead@{REMOTE}:{}/team", relay.port);

    for (sslmode, show) in [
        (None, false),
        (None, true),
        (Some("prefer"), false),
        (Some("allow"), false),
        (Some("require"), false),
        (Some("verify-ca"), false),
        (Some("verify-full"), true),
    ] {
        let url = match sslmode {
            Some(mode) => format!("{remote}?sslmode={mode}"),
            None => remote.clone(),
        };
        let mut args = vec!["sync", "--postgres", &url];
        if show {
            args.push("--show");
        }
        let (code, stdout, stderr) = sync_with_password(&home, &args, &password);
        assert_eq!(
            code, 3,
            "{sslmode:?}: a server off this machine without TLS is refused: {stdout}{stderr}"
        );
        assert!(
            stderr.contains("does not offer TLS")
                && stderr.contains("nothing was sent")
                && stderr.contains("sslmode=disable"),
            "{sslmode:?}: the error says what happened and what to do: {stderr}"
        );
        let sent = relay.take();
        assert!(!sent.is_empty(), "{sslmode:?}: keyward reached the relay");
        for bytes in &sent {
            assert_eq!(
                bytes.as_slice(),
                SSL_REQUEST,
                "{sslmode:?}: only the TLS request goes out, never a startup message or a password"
            );
            assert_eq!(needles.found_in(bytes), None);
        }
        assert_eq!(needles.found_in(stderr.as_bytes()), None);
    }
    let log = server.log();
    assert!(
        !log.contains("user=lead") && !log.contains("\"lead\""),
        "the server saw no login attempt:\n{log}"
    );

    // Asked for in so many words: it works, warned, and the relay sees what a network
    // would (which also shows that it would have seen a password above).
    let url = format!("{remote}?sslmode=disable");
    let (code, stdout, stderr) =
        sync_with_password(&home, &["sync", "--postgres", &url], &password);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains(REMOTE) && stderr.contains("unencrypted"),
        "sslmode=disable to another host is warned about: {stderr}"
    );
    let sent = relay.take().concat();
    assert_eq!(
        needles.found_in(&sent),
        Some("plain"),
        "with sslmode=disable the password crosses the network in clear"
    );

    // To this machine the default may fall back to plain text; `require` may not.
    let loopback = "postgres://lead@127.0.0.1:5432/team";
    let (code, stdout, stderr) =
        sync_with_password(&home, &["sync", "--postgres", loopback], &password);
    assert_eq!(code, 0, "loopback without TLS is allowed: {stdout}{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let (code, _, stderr) = sync_with_password(
        &home,
        &["sync", "--postgres", &format!("{loopback}?sslmode=require")],
        &password,
    );
    assert_eq!(
        code, 3,
        "require means verified TLS, even to loopback: {stderr}"
    );
    let socket = format!(
        "postgres:///team?host={}&port=5432&user=lead",
        server.socket_dir()
    );
    let (code, stdout, stderr) = sync_with_password(&home, &["sync", "--postgres", &socket], "");
    assert_eq!(
        code, 0,
        "a unix socket never leaves the machine: {stdout}{stderr}"
    );
}

#[test]
fn the_default_is_tls_verified_against_the_platform_store_or_the_given_ca_and_the_host_name() {
    let database = TestDatabase::new("tls");
    let home = TestHome::new();
    home.add("ci", "token", &canary("ci"));
    let ca = postgres::ca();
    let plain = database.url("x").replace("?sslmode=x", "");
    let verify_full = database.url("verify-full");

    let (code, _, stderr) = home.run(&["sync", "--postgres", &plain], b"");
    assert_eq!(
        code, 3,
        "a certificate from a CA the platform does not trust: {stderr}"
    );
    assert!(stderr.contains("certificate"), "{stderr}");
    let (code, _, stderr) = home.run(&["sync", "--postgres", &plain, "--ca", &ca], b"");
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = home.run(&["sync", "--postgres", &verify_full, "--ca", &ca], b"");
    assert_eq!(code, 0, "sslmode=verify-full is understood: {stderr}");

    // The same server, its certificate valid, reached under a name it is not issued for.
    let port = plain
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap()
        .to_owned();
    let wrong_name = format!(
        "postgres://keyward@wrong-name.keyward.test:{port}/{}?hostaddr=127.0.0.1",
        database.name
    );
    for url in [
        wrong_name.clone(),
        format!("{wrong_name}&sslmode=verify-full"),
    ] {
        let (code, _, stderr) = home.run(&["sync", "--postgres", &url, "--ca", &ca], b"");
        assert_eq!(
            code, 3,
            "{url}: the certificate does not name the host: {stderr}"
        );
        assert!(stderr.contains("certificate"), "{stderr}");
    }

    let (code, _, stderr) = home.run(
        &["sync", "--postgres", &database.url("bogus"), "--ca", &ca],
        b"",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown sslmode `bogus`"), "{stderr}");
}
