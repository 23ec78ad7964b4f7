//! Real servers on 127.0.0.1 for the policy tests: plain and TLS (rcgen certificates,
//! rustls), each counting the connections that reach it; a child-process runner for
//! tests that need their own environment (the crate forbids `unsafe`, and so
//! `std::env::set_var`).

#![allow(
    dead_code,
    reason = "each test module uses a different part of the support code"
)]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use keyward_model::{Credential, CredentialKind, StorageKind};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Writes the response to one request, given the request's head.
pub type Handler = Arc<dyn Fn(&str, &mut dyn Write) + Send + Sync>;

pub fn handler(function: impl Fn(&str, &mut dyn Write) + Send + Sync + 'static) -> Handler {
    Arc::new(function)
}

/// `200 OK` with `body`.
pub fn ok(body: &'static str) -> Handler {
    handler(move |_, out| respond(out, "200 OK", &[], body))
}

pub fn respond(out: &mut dyn Write, status: &str, headers: &[(&str, &str)], body: &str) {
    let mut text = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("Connection: close\r\n\r\n");
    text.push_str(body);
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// A running server; it lives as long as the test process.
pub struct Server {
    pub port: u16,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn plain(handler: Handler) -> Self {
        Self::start(None, handler)
    }

    pub fn tls(identity: &Issued, handler: Handler) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).unwrap();
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Self::start(Some(Arc::new(config)), handler)
    }

    fn start(tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (counted, recorded) = (connections.clone(), heads.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let (tls, handler, recorded) = (tls.clone(), handler.clone(), recorded.clone());
                std::thread::spawn(move || serve(stream, tls, &handler, &recorded));
            }
        });
        Self {
            port,
            connections,
            heads,
        }
    }

    pub fn url(&self, scheme: &str, host: &str, path: &str) -> String {
        format!("{scheme}://{host}:{}{path}", self.port)
    }

    /// Connections accepted so far, whether or not a request followed.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The heads of the requests read so far.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: &Handler,
    recorded: &Mutex<Vec<String>>,
) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    match tls {
        None => exchange(stream, handler, recorded),
        Some(config) => {
            let connection = rustls::ServerConnection::new(config).unwrap();
            exchange(
                rustls::StreamOwned::new(connection, stream),
                handler,
                recorded,
            );
        }
    }
}

fn exchange(mut stream: impl Read + Write, handler: &Handler, recorded: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    recorded.lock().unwrap().push(head.clone());
    handler(&head, &mut stream);
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// ------------------------------------------------------------------ certificates

/// A certificate authority made for one test.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    pub cert_pem: String,
}

/// A certificate with its key, as PEM.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(1);
        params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(30);
        let key = KeyPair::generate().unwrap();
        let cert_pem = params.self_signed(&key).unwrap().pem();
        Self {
            params,
            key,
            cert_pem,
        }
    }

    /// A server certificate for 127.0.0.1 and localhost.
    pub fn localhost(&self) -> Issued {
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(1);
        params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(30);
        let key = KeyPair::generate().unwrap();
        let cert_pem = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap()
            .pem();
        Issued {
            cert_pem,
            key_pem: key.serialize_pem(),
        }
    }
}

// ------------------------------------------------------------------ credentials

/// A credential bound to `hosts`, plain HTTP allowed or not.
pub fn credential(hosts: &[&str], allow_insecure: bool) -> Credential {
    let now = Utc::now();
    Credential {
        id: 1,
        name: "payments".into(),
        kind: CredentialKind::ApiKey,
        provider: None,
        integration: None,
        created_at: now,
        rotated_at: now,
        expires_at: None,
        rotate_every_days: None,
        rotation_method: None,
        allowed_hosts: hosts.iter().map(|host| (*host).to_owned()).collect(),
        allow_insecure,
        token_url: None,
        fingerprint: String::new(),
        value_length: 0,
        storage: StorageKind::Keychain,
        certificate: None,
        notes: None,
    }
}

/// A value no test would produce by accident, different on every run, with characters
/// that URL encoding changes.
pub fn canary() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u8(0);
    format!("Kw/+c4n@ry:{:016x}", hasher.finish())
}

// ------------------------------------------------------------------ child processes

/// Environment variables a child must not inherit: the parent's own proxies and CA
/// settings would change what the child proves.
const INHERITED: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// Marks a child run, so an `--ignored` run by hand does not mistake itself for one.
pub const CHILD: &str = "KEYWARD_OUTBOUND_CHILD";

/// Runs the ignored test `name` (its full path) of this binary in a process of its own
/// with `env` set.
pub fn run_child(name: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for variable in INHERITED {
        command.env_remove(variable);
    }
    command.env(CHILD, "1");
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("1 passed") || !output.status.success(),
        "the child ran no test named {name}: {stdout}"
    );
    output
}

pub fn child_requested() -> bool {
    std::env::var_os(CHILD).is_some()
}

pub fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
