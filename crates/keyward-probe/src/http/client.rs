//! The two kinds of HTTP client a probe uses, both made by the outbound policy
//! (`keyward-outbound`), so they share its rules with rotation: no proxy from the
//! environment (a credential must reach the host it is bound to and nothing in
//! between), no redirects (a redirect to another host must not take a credential
//! along), the probe's time limits, a bounded body, errors without URL secrets.
//!
//! - The *inspecting* client accepts any certificate (see [`crate::danger`]); it reads
//!   headers and error pages of servers whose certificate the TLS probe already
//!   judged, and cannot carry a credential: a request marked as carrying one is refused.
//! - The *verifying* client checks the chain against the trust store (the platform's,
//!   plus a custom CA) and is the only one that sends a credential.

use keyward_outbound::{Gate, Identity, Policy, asynchronous};
use reqwest::{IntoUrl, RequestBuilder};

use crate::tls::TrustStore;
use crate::{Timeouts, danger};

/// The largest body a probe reads; the rest is ignored.
pub const BODY_LIMIT: usize = 64 * 1024;

fn policy(timeouts: Timeouts) -> Policy {
    Policy {
        connect_timeout: timeouts.connect,
        total_timeout: timeouts.read,
        body_limit: BODY_LIMIT,
        proxy: None,
        user_agent: concat!("keyward-probe/", env!("CARGO_PKG_VERSION")).to_owned(),
    }
}

/// One of the two clients; which one decides whether a credential may go along.
#[derive(Debug, Clone)]
pub enum Client {
    Inspecting(asynchronous::Inspecting),
    Verifying(asynchronous::Client),
}

impl Client {
    /// A GET that carries nothing secret until [`Outgoing::carrying`] says otherwise.
    pub fn get(&self, url: impl IntoUrl) -> Outgoing<'_> {
        let request = match self {
            Self::Inspecting(client) => client.get(url),
            Self::Verifying(client) => client.get(url),
        };
        Outgoing {
            client: self,
            request,
            gate: None,
        }
    }
}

pub fn inspecting(timeouts: Timeouts) -> Result<Client, String> {
    let config = danger::unverified_config(keyward_outbound::tls::provider())
        .map_err(|error| error.to_string())?;
    policy(timeouts)
        .inspecting_client(config)
        .map(Client::Inspecting)
        .map_err(|error| error.to_string())
}

/// A verifying client, presenting `identity` (a PEM key and chain) when given.
pub fn verifying(
    timeouts: Timeouts,
    trust: &TrustStore,
    identity: Option<&[u8]>,
) -> Result<Client, String> {
    let identity = identity
        .map(Identity::from_pem)
        .transpose()
        .map_err(|error| error.to_string())?;
    policy(timeouts)
        .client(trust.outbound(), identity.as_ref())
        .map(Client::Verifying)
        .map_err(|error| error.to_string())
}

/// A request on its way out, with the gate of the credential it carries, if any.
pub struct Outgoing<'a> {
    client: &'a Client,
    request: RequestBuilder,
    gate: Option<&'a (dyn Gate + Sync)>,
}

impl<'a> Outgoing<'a> {
    /// Adds headers, a query, anything reqwest's builder offers.
    pub fn with(mut self, build: impl FnOnce(RequestBuilder) -> RequestBuilder) -> Self {
        self.request = build(self.request);
        self
    }

    /// Marks the request as carrying a credential: `gate` (the credential's host rules)
    /// must admit its final URL, and only the verifying client will send it.
    pub fn carrying(mut self, gate: &'a (dyn Gate + Sync)) -> Self {
        self.gate = Some(gate);
        self
    }
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
/// client's timeout. A body cut short still counts: the headers matter most.
pub async fn send(request: Outgoing<'_>) -> Result<Answer, String> {
    let Outgoing {
        client,
        request,
        gate,
    } = request;
    let reply = match (client, gate) {
        (Client::Verifying(client), Some(gate)) => client.send_to(gate, request).await,
        (Client::Verifying(client), None) => client.send(request).await,
        (Client::Inspecting(client), None) => client.send(request).await,
        (Client::Inspecting(_), Some(_)) => {
            return Err(keyward_outbound::RefusalReason::Inspecting.to_string());
        }
    }
    .map_err(|error| error.to_string())?;
    Ok(Answer {
        status: reply.status,
        body: reply.text(),
        headers: reply.headers,
    })
}
