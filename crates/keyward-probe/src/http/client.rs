//! The two kinds of HTTP client a probe uses.
//!
//! - The *inspecting* client accepts any certificate (see [`crate::danger`]); it
//!   carries no credential, ever, and reads headers and error pages of servers whose
//!   certificate the TLS probe already judged.
//! - The *verifying* client checks the chain against the trust store (webpki roots, OS
//!   roots, custom CA) and is the only one that sends a credential.
//!
//! Both go direct (no proxy from the environment: a credential must reach the host it
//! is bound to and nothing in between) and never follow redirects (a redirect to
//! another host must not take a credential along).

use std::sync::Arc;

use reqwest::{Client, redirect::Policy};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::tls::TrustStore;
use crate::{Timeouts, danger};

/// The largest body a probe reads; the rest is ignored.
pub const BODY_LIMIT: usize = 64 * 1024;

fn builder(timeouts: Timeouts) -> reqwest::ClientBuilder {
    Client::builder()
        .no_proxy()
        .redirect(Policy::none())
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.read)
        .pool_max_idle_per_host(2)
        .http1_only()
        .tcp_nodelay(true)
        .user_agent(concat!("keyward-probe/", env!("CARGO_PKG_VERSION")))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn inspecting(timeouts: Timeouts) -> Result<Client, String> {
    let config = danger::unverified_config(provider()).map_err(|error| error.to_string())?;
    builder(timeouts)
        .tls_backend_preconfigured(config)
        .build()
        .map_err(|error| error.to_string())
}

/// A verifying client, presenting `identity` (a PEM key and chain) when given.
pub fn verifying(
    timeouts: Timeouts,
    trust: &TrustStore,
    identity: Option<&[u8]>,
) -> Result<Client, String> {
    let builder_tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .with_root_certificates(trust.roots());
    let mut config = match identity {
        None => builder_tls.with_no_client_auth(),
        Some(pem) => {
            let (chain, key) = identity_from_pem(pem)?;
            builder_tls
                .with_client_auth_cert(chain, key)
                .map_err(|error| format!("client certificate: {error}"))?
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    builder(timeouts)
        .tls_backend_preconfigured(config)
        .build()
        .map_err(|error| error.to_string())
}

/// Splits a stored client-certificate credential into its chain and key.
pub fn identity_from_pem(
    pem: &[u8],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|_| "the client certificate credential is not PEM".to_owned())?;
    if chain.is_empty() {
        return Err("the client certificate credential holds no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(pem)
        .map_err(|_| "the client certificate credential holds no private key".to_owned())?;
    Ok((chain, key))
}

/// A response as far as a probe reads it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }

    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn refused(&self) -> bool {
        (400..500).contains(&self.status)
    }
}

/// Sends a request and reads at most [`BODY_LIMIT`] of the body, all within the
/// client's timeout.
pub async fn send(request: reqwest::RequestBuilder) -> Result<Answer, String> {
    let mut response = request.send().await.map_err(|error| describe(&error))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while body.len() < BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            // The headers are what matter most; a body cut short still counts.
            Err(_) => break,
        }
    }
    body.truncate(BODY_LIMIT);
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// reqwest's error with its causes, which is where the useful part lives.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
