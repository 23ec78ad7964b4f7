//! Async clients (the probe's), built only through [`crate::Policy`].

use reqwest::{IntoUrl, Method, RequestBuilder};

use crate::destination::Gate;
use crate::error::OutboundError;
use crate::reply::{BodyEnd, BodyReader, Reply};

/// A verifying client. Credentialed requests go through [`Client::send_to`], which asks
/// the credential's gate about the final URL before connecting.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    body_limit: usize,
}

impl Client {
    pub(crate) fn new(inner: reqwest::Client, body_limit: usize) -> Self {
        Self { inner, body_limit }
    }

    /// Starts a request; nothing is checked or sent until [`Client::send`] or
    /// [`Client::send_to`].
    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder {
        self.inner.request(method, url)
    }

    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// Sends a request that carries no credential.
    pub async fn send(&self, request: RequestBuilder) -> Result<Reply, OutboundError> {
        execute(&self.inner, request, |_| Ok(()), self.body_limit).await
    }

    /// Sends a request that carries a credential, after `gate` admitted its URL.
    pub async fn send_to<G: Gate + ?Sized>(
        &self,
        gate: &G,
        request: RequestBuilder,
    ) -> Result<Reply, OutboundError> {
        execute(&self.inner, request, |url| gate.admit(url), self.body_limit).await
    }
}

/// A client over a TLS configuration that accepts any certificate (the probe's
/// inspection). It has no credentialed send, so a secret cannot travel over it.
#[derive(Debug, Clone)]
pub struct Inspecting {
    inner: reqwest::Client,
    body_limit: usize,
}

impl Inspecting {
    pub(crate) fn new(inner: reqwest::Client, body_limit: usize) -> Self {
        Self { inner, body_limit }
    }

    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder {
        self.inner.request(method, url)
    }

    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    pub async fn send(&self, request: RequestBuilder) -> Result<Reply, OutboundError> {
        execute(&self.inner, request, |_| Ok(()), self.body_limit).await
    }
}

/// Builds the request, lets the gate look at its final URL, sends it with `client`
/// (whoever made the builder, the request goes out under this client's rules) and
/// reads at most `limit` bytes of the body.
async fn execute(
    client: &reqwest::Client,
    request: RequestBuilder,
    admit: impl FnOnce(&url::Url) -> Result<(), crate::Refusal>,
    limit: usize,
) -> Result<Reply, OutboundError> {
    let (_, request) = request.build_split();
    let request = request.map_err(OutboundError::from_reqwest)?;
    admit(request.url())?;
    let mut response = client
        .execute(request)
        .await
        .map_err(OutboundError::from_reqwest)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut reader = BodyReader::new(limit);
    let end = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if !reader.take(&chunk) {
                    break BodyEnd::Limit;
                }
            }
            Ok(None) => break BodyEnd::Complete,
            Err(error) => {
                break BodyEnd::Interrupted(OutboundError::from_reqwest(error).to_string());
            }
        }
    };
    Ok(reader.finish(status, headers, end))
}
