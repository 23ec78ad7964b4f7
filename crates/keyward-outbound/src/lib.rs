//! The one policy for outbound HTTP that may carry a secret (design rule 4).
//!
//! Rotation (blocking) and the probe (async) used to build their own clients with
//! different rules for the same secrets. Everything they must agree on lives here:
//!
//! - [`Destination`] / [`Gate`]: a credential goes only to its allowed hosts (or a
//!   provider's default API host when it lists none), only over TLS unless the
//!   credential allows plain HTTP. Checked against the final URL before any
//!   connection is made.
//! - [`Policy`]: no proxy from the environment (only an explicit [`Proxy`] from
//!   Keyward's own settings), redirects never followed, a connect and a total time
//!   limit, and a cap on how much of a body is read.
//! - [`Trust`]: the platform trust store (which honours `SSL_CERT_FILE`, so corporate
//!   CAs work) plus an optional custom CA file; also the root store team sync hands to
//!   PostgreSQL.
//! - [`redact`]: the one function that strips userinfo, queries and fragments from URLs
//!   and error texts, so no error names a secret.
//!
//! ```no_run
//! use keyward_outbound::{Destination, Policy, Trust};
//! # fn demo(credential: &keyward_model::Credential) -> Result<(), keyward_outbound::OutboundError> {
//! let client = Policy::default().blocking_client(&Trust::platform(), None)?;
//! let destination = Destination::of(credential).with_default_host(Some("api.github.com"));
//! let request = client
//!     .request(reqwest::Method::GET, "https://api.github.com/user")
//!     .bearer_auth("ghp_…");
//! let reply = client.send_to(&destination, request)?;
//! println!("{}", reply.status);
//! # Ok(()) }
//! ```

pub mod asynchronous;
pub mod blocking;
mod configure;
mod destination;
mod error;
mod identity;
mod policy;
mod proxy;
mod redact;
mod reply;
pub mod tls;
mod trust;

pub use destination::{Destination, Gate, Refusal, RefusalReason};
pub use error::OutboundError;
pub use identity::{Identity, IdentityError};
pub use policy::Policy;
pub use proxy::{Proxy, ProxyError};
pub use redact::redact;
pub use reply::{BodyEnd, Reply};
pub use trust::{Trust, TrustError};
