//! Real servers on 127.0.0.1 for the probe tests: rustls + hyper servers with rcgen
//! certificates, Debian's `openssl s_server` for what rustls will not serve (TLS 1.0 and
//! 1.1, weak suites, small DH groups, RSA-1024 and SHA-1 certificates), and raw TCP
//! servers that misbehave on purpose.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the support code"
)]

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;

// ---------------------------------------------------------------- certificates

/// A certificate authority made for one test.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    /// This CA's own certificate.
    pub cert_pem: String,
}

/// A certificate with its key, as PEM.
#[derive(Clone)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Issued {
    /// Certificate and key in one PEM, the way Keyward stores a client certificate.
    pub fn bundle(&self) -> String {
        format!("{}{}", self.cert_pem, self.key_pem)
    }
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = OffsetDateTime::now_utc() - time::Duration::days(30);
    params.not_after = OffsetDateTime::now_utc() + time::Duration::days(3650);
    params
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        let params = ca_params(name);
        let key = KeyPair::generate().unwrap();
        let cert_pem = params.self_signed(&key).unwrap().pem();
        Self {
            params,
            key,
            cert_pem,
        }
    }

    /// An intermediate CA signed by this one.
    pub fn intermediate(&self, name: &str) -> TestCa {
        let params = ca_params(name);
        let key = KeyPair::generate().unwrap();
        let cert_pem = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap()
            .pem();
        TestCa {
            params,
            key,
            cert_pem,
        }
    }

    /// A server certificate for `names`, valid from `not_before` to `not_after`.
    pub fn server(
        &self,
        names: &[&str],
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Issued {
        let mut params = CertificateParams::new(
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("server"),
        );
        params.not_before = not_before;
        params.not_after = not_after;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // RFC 5280 wants the issuer's key id in CA-issued certificates; strict
        // validators (sslyze's) refuse a chain without it.
        params.use_authority_key_identifier_extension = true;
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

    /// A sound server certificate for localhost and 127.0.0.1, valid for a year.
    pub fn localhost(&self) -> Issued {
        self.server(&["localhost", "127.0.0.1"], days(-1), days(365))
    }

    pub fn client(&self, name: &str) -> Issued {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = days(-1);
        params.not_after = days(365);
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

/// A self-signed server certificate for localhost.
pub fn self_signed_localhost() -> Issued {
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap();
    let cert_pem = params.self_signed(&key).unwrap().pem();
    Issued {
        cert_pem,
        key_pem: key.serialize_pem(),
    }
}

/// Now plus `count` days.
pub fn days(count: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + time::Duration::days(count)
}

// ---------------------------------------------------------------- HTTP behaviour

/// A request as the test server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: Option<String>,
    pub headers: HashMap<String, String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }

    /// The headers of a well-run API.
    pub fn hardened(status: u16) -> Self {
        Self::new(status)
            .header(
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            )
            .header("x-content-type-options", "nosniff")
            .header("cache-control", "no-store")
            .header("ratelimit-limit", "100")
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

pub fn handler(function: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Handler {
    Arc::new(function)
}

// ---------------------------------------------------------------- servers

/// How a rustls server is set up.
pub struct TlsSpec {
    pub chain_pem: String,
    pub key_pem: String,
    pub tls13: bool,
    pub ocsp: Option<Vec<u8>>,
    /// CA whose client certificates are accepted, and whether one is required.
    pub client_auth: Option<(String, bool)>,
}

impl TlsSpec {
    pub fn new(issued: &Issued) -> Self {
        Self {
            chain_pem: issued.cert_pem.clone(),
            key_pem: issued.key_pem.clone(),
            tls13: true,
            ocsp: None,
            client_auth: None,
        }
    }
}

/// A running test server; it stops with the test process.
pub struct Server {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.port)
    }

    pub fn plain_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn rustls_config(spec: &TlsSpec) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(spec.chain_pem.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_slice(spec.key_pem.as_bytes()).unwrap();
    let versions: &[&'static rustls::SupportedProtocolVersion] = if spec.tls13 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS12]
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap();
    let builder = match &spec.client_auth {
        None => builder.with_no_client_auth(),
        Some((ca_pem, required)) => {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
                roots.add(certificate.unwrap()).unwrap();
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            );
            let verifier = if *required {
                verifier.build()
            } else {
                verifier.allow_unauthenticated().build()
            };
            builder.with_client_cert_verifier(verifier.unwrap())
        }
    };
    let mut config = match &spec.ocsp {
        Some(ocsp) => builder
            .with_single_cert_with_ocsp(chain, key, ocsp.clone())
            .unwrap(),
        None => builder.with_single_cert(chain, key).unwrap(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// Starts an HTTPS server (rustls + hyper) answering with `handler`.
pub fn https_server(spec: TlsSpec, handler: Handler) -> Server {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(rustls_config(&spec)));
    serve(Some(acceptor), handler)
}

/// Starts a plain HTTP server answering with `handler`.
pub fn http_server(handler: Handler) -> Server {
    serve(None, handler)
}

fn serve(acceptor: Option<tokio_rustls::TlsAcceptor>, handler: Handler) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server_seen = seen.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                stream.set_nodelay(true).ok();
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                let seen = server_seen.clone();
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let handler = handler.clone();
                            let seen = seen.clone();
                            async move {
                                let request = Seen {
                                    path: request.uri().path().to_owned(),
                                    query: request.uri().query().map(str::to_owned),
                                    headers: request
                                        .headers()
                                        .iter()
                                        .map(|(name, value)| {
                                            (
                                                name.as_str().to_owned(),
                                                value.to_str().unwrap_or("").to_owned(),
                                            )
                                        })
                                        .collect(),
                                };
                                let reply = handler(&request);
                                seen.lock().unwrap().push(request);
                                let mut response = hyper::Response::builder().status(reply.status);
                                for (name, value) in &reply.headers {
                                    response = response.header(name, value);
                                }
                                Ok::<_, std::convert::Infallible>(
                                    response.body(Full::new(Bytes::from(reply.body))).unwrap(),
                                )
                            }
                        });
                    let http = hyper::server::conn::http1::Builder::new();
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(tls) = acceptor.accept(stream).await {
                                let _ = http.serve_connection(TokioIo::new(tls), service).await;
                            }
                        }
                        None => {
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
        });
    });
    Server { port, seen }
}

/// A TCP server that runs `behaviour` on every connection, each on its own thread.
pub fn raw_server(behaviour: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || behaviour(stream));
        }
    });
    port
}

/// Reads the client's hello so the misbehaviour comes as an answer to it.
pub fn read_some(stream: &mut TcpStream) {
    use std::io::Read;
    let mut buffer = [0u8; 4096];
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let _ = stream.read(&mut buffer);
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------- openssl s_server

/// Debian's `openssl s_server`, for protocols and suites rustls will not serve.
pub struct OpenSslServer {
    child: Child,
    pub port: u16,
    _files: tempfile::TempDir,
}

impl OpenSslServer {
    /// Serves `cert`/`key` (PEM) with extra s_server arguments. `-www` makes it answer
    /// HTTP GETs; SECLEVEL 0 lets it use what its defaults forbid.
    pub fn start(cert_pem: &str, key_pem: &str, args: &[&str]) -> Self {
        let files = tempfile::tempdir().unwrap();
        let cert = write(files.path(), "cert.pem", cert_pem);
        let key = write(files.path(), "key.pem", key_pem);
        for _ in 0..5 {
            let port = closed_port();
            let mut command = Command::new("openssl");
            command
                .args(["s_server", "-quiet", "-www", "-accept"])
                .arg(format!("127.0.0.1:{port}"))
                .arg("-cert")
                .arg(&cert)
                .arg("-key")
                .arg(&key)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut child = command
                .spawn()
                .expect("openssl is installed (scripts/bootstrap.sh)");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self {
                        child,
                        port,
                        _files: files,
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("openssl s_server {args:?} did not start");
    }

    pub fn url(&self) -> String {
        format!("https://localhost:{}/", self.port)
    }
}

impl Drop for OpenSslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(contents.as_bytes())
        .unwrap();
    path
}

/// Runs the openssl command line and returns its stdout (for keys rcgen cannot make:
/// RSA-1024, SHA-1 signatures, DH parameters).
pub fn openssl(args: &[&str], dir: &Path) -> String {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
