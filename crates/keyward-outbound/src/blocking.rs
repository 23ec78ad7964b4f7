//! Blocking clients (rotation's), built only through [`crate::Policy`].

use std::io::Read;

use reqwest::blocking::RequestBuilder;
use reqwest::{IntoUrl, Method};

use crate::destination::Gate;
use crate::error::OutboundError;
use crate::reply::{BodyEnd, BodyReader, Reply};

/// A verifying client. Credentialed requests go through [`Client::send_to`], which asks
/// the credential's gate about the final URL before connecting.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::blocking::Client,
    body_limit: usize,
}

impl Client {
    pub(crate) fn new(inner: reqwest::blocking::Client, body_limit: usize) -> Self {
        Self { inner, body_limit }
    }

    /// Starts a request; nothing is checked or sent until [`Client::send`] or
    /// [`Client::send_to`].
    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder {
        self.inner.request(method, url)
    }

    /// Sends a request that carries no credential.
    pub fn send(&self, request: RequestBuilder) -> Result<Reply, OutboundError> {
        self.execute(request, |_| Ok(()))
    }

    /// Sends a request that carries a credential, after `gate` admitted its URL.
    pub fn send_to<G: Gate + ?Sized>(
        &self,
        gate: &G,
        request: RequestBuilder,
    ) -> Result<Reply, OutboundError> {
        self.execute(request, |url| gate.admit(url))
    }

    fn execute(
        &self,
        request: RequestBuilder,
        admit: impl FnOnce(&url::Url) -> Result<(), crate::Refusal>,
    ) -> Result<Reply, OutboundError> {
        // The builder's own client is set aside: whoever made the builder, the request
        // goes out under this client's rules.
        let (_, request) = request.build_split();
        let request = request.map_err(OutboundError::from_reqwest)?;
        admit(request.url())?;
        let mut response = self
            .inner
            .execute(request)
            .map_err(OutboundError::from_reqwest)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut reader = BodyReader::new(self.body_limit);
        let mut buffer = vec![0; 16 * 1024];
        let end = loop {
            match response.read(&mut buffer) {
                Ok(0) => break BodyEnd::Complete,
                Ok(read) => {
                    if !reader.take(&buffer[..read]) {
                        break BodyEnd::Limit;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => break BodyEnd::Interrupted(body_error(error)),
            }
        };
        Ok(reader.finish(status, headers, end))
    }
}

/// reqwest wraps its body errors in io::Error; unwrap them for the same texts the
/// async side gives.
fn body_error(error: std::io::Error) -> String {
    match error.into_inner() {
        Some(inner) => match inner.downcast::<reqwest::Error>() {
            Ok(reqwest_error) => OutboundError::from_reqwest(*reqwest_error).to_string(),
            Err(other) => crate::redact(&other.to_string()),
        },
        None => "the connection failed mid-body".to_owned(),
    }
}
