//! Endpoint posture: what a security lead wants to know about an API endpoint, fast.
//!
//! A probe of one target runs, concurrently and under tight timeouts:
//! - [`tls`]: protocol and cipher enumeration with hand-made ClientHellos, a real
//!   handshake, and the certificate's soundness;
//! - [`http`]: HSTS, plain-HTTP exposure, CORS, information leaks, caching, and (with the
//!   endpoint's credential) whether authentication holds, plus [`jwt`] checks;
//! - [`oidc`]: the issuer's discovery document, when the integration names one.
//!
//! The result is a [`ProbeReport`] with findings under the stable ids of DESIGN.md and a
//! [`grade`] explained by them. A target that cannot be probed (unreachable, not TLS,
//! too slow) yields a report with `error` set, never a hang; other targets go on.
//!
//! ```no_run
//! use keyward_probe::{ProbeOptions, ProbeTarget, Prober};
//!
//! let prober = Prober::new(ProbeOptions::default())?;
//! let reports = prober.probe_blocking(vec![ProbeTarget::new("https://api.example.com/v1".parse()?)], |_| {});
//! println!("{}", reports[0].grade.map_or("-", |grade| grade.as_str()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod danger;
pub mod finding;
pub mod grade;
pub mod grading;
pub mod http;
pub mod jwt;
pub mod oidc;
mod prober;
mod target;
pub mod tls;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use finding::{PostureCheck, PostureFinding, Severity};
pub use grade::Grade;
pub use grading::Deduction;
pub use http::HttpReport;
pub use prober::{ProbeProgress, Prober};
pub use target::{CredentialRefusal, CredentialUse, ProbeTarget, target_label};
pub use tls::TlsReport;

/// Why a target (or one of its checks) could not be probed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProbeError {
    #[error("{what} took longer than {}", humantime(*after))]
    Timeout { what: &'static str, after: Duration },
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("cannot resolve {0}")]
    Resolve(String),
    #[error("connection error: {0}")]
    Io(String),
    #[error("the server closed the connection in the middle of a record ({0} bytes received)")]
    Truncated(usize),
    #[error(transparent)]
    Record(#[from] tls::record::RecordError),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("invalid target: {0}")]
    Target(String),
    #[error("probe cancelled")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
}

fn humantime(duration: Duration) -> String {
    if duration.as_millis().is_multiple_of(1000) {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// Per-connection time limits. Every network step is bounded by one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Default 3 s.
    pub connect: Duration,
    /// The whole answer to one request, not each read: a server trickling bytes
    /// (slowloris) is cut off here. Default 3 s.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            read: Duration::from_secs(3),
        }
    }
}

/// The opt-in burst that looks for rate limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitCheck {
    /// At most [`RateLimitCheck::MAX_REQUESTS`].
    pub requests: u32,
    pub per_second: u32,
}

impl RateLimitCheck {
    pub const MAX_REQUESTS: u32 = 100;
}

/// How to probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    pub timeouts: Timeouts,
    /// Connections open to one host:port at once. Default 8.
    pub connections_per_host: usize,
    /// Targets probed at once. Default 32.
    pub targets_at_once: usize,
    /// PEM certificates to trust besides the system roots (`--ca`).
    pub custom_ca_pem: Option<Vec<u8>>,
    /// Run the HTTP checks (default on).
    pub http: bool,
    /// Port to look for plain HTTP on; default 80, and only for targets on port 443.
    pub plaintext_port: Option<u16>,
    /// Off by default.
    pub rate_limit: Option<RateLimitCheck>,
    /// The moment certificates and tokens are judged at; default: the system clock.
    pub now: Option<DateTime<Utc>>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            timeouts: Timeouts::default(),
            connections_per_host: 8,
            targets_at_once: 32,
            custom_ca_pem: None,
            http: true,
            plaintext_port: None,
            rate_limit: None,
            now: None,
        }
    }
}

/// Everything learned about one target.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeReport {
    pub target: String,
    pub probed_at: DateTime<Utc>,
    /// `None` when the target could not be probed (see `error`).
    pub grade: Option<Grade>,
    pub deductions: Vec<Deduction>,
    pub tls: Option<TlsReport>,
    pub http: Option<HttpReport>,
    pub findings: Vec<PostureFinding>,
    pub error: Option<String>,
    /// What was skipped and why (a credential withheld by the host rules, say).
    pub notes: Vec<String>,
    pub duration_ms: u64,
}

impl ProbeReport {
    /// The most severe finding, if any.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|finding| finding.severity).max()
    }

    pub fn has_finding(&self, id: &str) -> bool {
        self.findings.iter().any(|finding| finding.id == id)
    }
}
