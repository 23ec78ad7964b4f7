//! Runs probes: one target at a time or many at once, bounded per host and overall,
//! on a runtime of its own when called from synchronous code.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::finding::PostureFinding;
use super::http::{self, HttpSettings, client};
use super::tls::{self, Endpoint, TrustStore};
use super::{
    Grade, ProbeError, ProbeOptions, ProbeReport, ProbeTarget, grading, oidc, target_label,
};

/// Reported after each target finishes, for progress bars.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeProgress {
    pub done: u32,
    pub total: u32,
    pub target: String,
    /// The integration the finished target belongs to, when it came from the inventory.
    pub integration: Option<String>,
    pub grade: Option<Grade>,
}

/// Probes targets with one set of options. Cheap to clone; clones share the per-host
/// connection limits.
#[derive(Clone)]
pub struct Prober {
    inner: Arc<Inner>,
}

struct Inner {
    options: ProbeOptions,
    trust: TrustStore,
    hosts: Mutex<HashMap<SocketAddr, Arc<Semaphore>>>,
}

impl Prober {
    /// Fails only when the custom CA file is unusable.
    pub fn new(options: ProbeOptions) -> Result<Self, ProbeError> {
        let trust = match &options.custom_ca_pem {
            Some(pem) => TrustStore::with_custom_ca(pem)
                .map_err(|error| ProbeError::Target(format!("custom CA: {error}")))?,
            None => TrustStore::system(),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                options,
                trust,
                hosts: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn options(&self) -> &ProbeOptions {
        &self.inner.options
    }

    /// Probes every target on a runtime of its own, calling `progress` as each one
    /// finishes; reports come back in the order of `targets`. Must not be called from
    /// inside an async runtime (use [`Prober::probe_many`] there).
    pub fn probe_blocking(
        &self,
        targets: Vec<ProbeTarget>,
        progress: impl FnMut(&ProbeProgress),
    ) -> Vec<ProbeReport> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime can be built");
        runtime.block_on(self.probe_many(targets, progress))
    }

    /// Probes every target concurrently (at most `targets_at_once` at a time).
    pub async fn probe_many(
        &self,
        targets: Vec<ProbeTarget>,
        mut progress: impl FnMut(&ProbeProgress),
    ) -> Vec<ProbeReport> {
        let total = targets.len();
        let slots = Arc::new(Semaphore::new(self.inner.options.targets_at_once.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (index, target) in targets.into_iter().enumerate() {
            let prober = self.clone();
            let slots = slots.clone();
            tasks.spawn(async move {
                let _slot = slots.acquire_owned().await;
                (
                    index,
                    target.integration.clone(),
                    prober.probe(&target).await,
                )
            });
        }
        let mut reports: Vec<Option<ProbeReport>> = (0..total).map(|_| None).collect();
        let mut done = 0;
        while let Some(joined) = tasks.join_next().await {
            let (index, integration, report) = joined.expect("probe tasks do not panic");
            done += 1;
            progress(&ProbeProgress {
                done,
                total: total as u32,
                target: report.target.clone(),
                integration,
                grade: report.grade,
            });
            reports[index] = Some(report);
        }
        reports
            .into_iter()
            .map(|report| report.expect("every target reports"))
            .collect()
    }

    /// Probes one target. Never fails: problems end up in the report's `error`.
    pub async fn probe(&self, target: &ProbeTarget) -> ProbeReport {
        let started = Instant::now();
        let now = self.inner.options.now.unwrap_or_else(Utc::now);
        let mut report = ProbeReport {
            target: target_label(&target.url),
            probed_at: now,
            grade: None,
            deductions: Vec::new(),
            tls: None,
            http: None,
            findings: Vec::new(),
            error: None,
            notes: Vec::new(),
            duration_ms: 0,
        };
        match self.run(target, now, &mut report).await {
            Ok(mut findings) => {
                findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
                findings.dedup_by(|a, b| a.id == b.id && a.evidence == b.evidence);
                let (grade, deductions) = grading::grade(&findings);
                report.grade = Some(grade);
                report.deductions = deductions;
                report.findings = findings;
            }
            Err(error) => report.error = Some(error.to_string()),
        }
        report.duration_ms = started.elapsed().as_millis() as u64;
        report
    }

    async fn run(
        &self,
        target: &ProbeTarget,
        now: chrono::DateTime<Utc>,
        report: &mut ProbeReport,
    ) -> Result<Vec<PostureFinding>, ProbeError> {
        let options = &self.inner.options;
        let url = &target.url;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(ProbeError::Target(format!(
                "`{}` is not an http(s) URL",
                target_label(url)
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| ProbeError::Target(format!("`{}` has no host", target_label(url))))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        let address = tokio::time::timeout(
            options.timeouts.connect,
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .map_err(|_| ProbeError::Timeout {
            what: "resolving the host",
            after: options.timeouts.connect,
        })?
        .map_err(|error| ProbeError::Resolve(format!("{host}: {error}")))?
        .next()
        .ok_or_else(|| ProbeError::Resolve(format!("{host}: no address")))?;
        let endpoint = Endpoint {
            address,
            server_name: host.clone(),
            timeouts: options.timeouts,
            connections: self.connections_for(address),
        };
        let settings = HttpSettings {
            timeouts: options.timeouts,
            plaintext_port: options.plaintext_port,
            rate_limit: options.rate_limit,
            now,
        };

        let tls_part = async {
            if url.scheme() == "https" {
                Some(tls::probe(&endpoint, now, &self.inner.trust, None).await)
            } else {
                None
            }
        };
        let http_part = async {
            if options.http {
                Some(http::probe(target, &settings, &self.inner.trust).await)
            } else {
                None
            }
        };
        let oidc_part = async {
            match &target.issuer {
                Some(issuer) => Some(self.oidc(issuer).await),
                None => None,
            }
        };
        let (tls_result, http_result, oidc_result) = tokio::join!(tls_part, http_part, oidc_part);

        let mut findings = Vec::new();
        match tls_result {
            Some(Ok((tls_report, tls_findings))) => {
                report.tls = Some(tls_report);
                findings.extend(tls_findings);
            }
            Some(Err(error)) => return Err(error),
            None => {}
        }
        if let Some((http_report, http_findings, notes)) = http_result {
            // A plain-HTTP target that never answered is unreachable, not clean.
            if url.scheme() == "http" && http_report.status.is_none() {
                return Err(ProbeError::Connect(
                    http_report
                        .errors
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "no answer".into()),
                ));
            }
            findings.extend(http_findings);
            report.notes.extend(notes);
            report.http = Some(http_report);
        }
        match oidc_result {
            Some(Ok(oidc_findings)) => findings.extend(oidc_findings),
            Some(Err(error)) => report.notes.push(format!("OIDC discovery: {error}")),
            None => {}
        }
        Ok(findings)
    }

    async fn oidc(&self, issuer: &str) -> Result<Vec<PostureFinding>, String> {
        let client = client::verifying(self.inner.options.timeouts, &self.inner.trust, None)?;
        let url = oidc::discovery_url(issuer);
        let shown = keyward_outbound::redact(&url);
        let answer = client::send(client.get(&url)).await?;
        if !answer.accepted() {
            return Err(format!("GET {shown} -> {}", answer.status));
        }
        let document: serde_json::Value = serde_json::from_str(&answer.body)
            .map_err(|error| format!("{shown} is not JSON: {error}"))?;
        Ok(oidc::findings(&document))
    }

    fn connections_for(&self, address: SocketAddr) -> Arc<Semaphore> {
        let mut hosts = self.inner.hosts.lock().expect("host table lock");
        hosts
            .entry(address)
            .or_insert_with(|| {
                Arc::new(Semaphore::new(
                    self.inner.options.connections_per_host.max(1),
                ))
            })
            .clone()
    }
}
