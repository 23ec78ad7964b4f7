//! Probe use cases: probe URLs, an integration or the whole inventory; keep every
//! result; compare each with the one before and flag regressions; tell the app's
//! scheduler what is due.
//!
//! Credentials reach a probe only through [`CredentialUse`], after the host and TLS
//! rules (DESIGN rule 4) passed on the metadata alone; only then is the value read
//! from the keychain (audited as a use).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Keyward, Posture};
use crate::audit::{self, AuditAction};
use crate::model::{AuthMethod, Integration};
use crate::probe::{
    CredentialUse, Grade, PostureFinding, ProbeOptions, ProbeProgress, ProbeReport, ProbeTarget,
    Prober, Severity,
};
use crate::store::credentials;
use crate::store::probes::{self, NewProbeRow, ProbeRow};
use crate::{Error, Result};

/// How often the app re-probes the inventory unless the user says otherwise.
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::hours(24);

/// What got worse for one target since its previous completed probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Regression {
    pub target: String,
    pub integration: Option<String>,
    pub previous_probed_at: DateTime<Utc>,
    pub previous_grade: Option<Grade>,
    pub grade: Option<Grade>,
    /// Findings (medium severity or worse... and any other) that were not there before.
    pub new_findings: Vec<PostureFinding>,
}

impl Regression {
    /// A one-line summary for a notification.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(before), Some(now)) = (self.previous_grade, self.grade)
            && now > before
        {
            parts.push(format!("grade {before} -> {now}"));
        }
        if !self.new_findings.is_empty() {
            let ids: Vec<&str> = self
                .new_findings
                .iter()
                .map(|finding| finding.id.as_str())
                .collect();
            parts.push(format!("new: {}", ids.join(", ")));
        }
        format!("{}: {}", self.target, parts.join("; "))
    }
}

/// One probed target as the service returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeOutcome {
    pub integration: Option<String>,
    pub report: ProbeReport,
    pub regression: Option<Regression>,
}

/// One stored probe result, for history views.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProbeRecord {
    pub integration: Option<String>,
    pub report: ProbeReport,
    pub regression: Option<Regression>,
}

/// A target about to be probed, with what the service already knows about it.
struct Planned {
    integration: Option<String>,
    target: ProbeTarget,
    /// Why something was left out (a credential withheld by the host rules).
    notes: Vec<String>,
}

impl Posture<'_> {
    /// Probes URLs given directly (no credentials travel).
    pub fn probe_urls(
        &mut self,
        urls: &[String],
        options: ProbeOptions,
    ) -> Result<Vec<ProbeOutcome>> {
        let mut targets = Vec::with_capacity(urls.len());
        for url in urls {
            let parsed = super::validate::url("URL", url)?;
            targets.push(Planned {
                integration: None,
                target: ProbeTarget::new(parsed),
                notes: Vec::new(),
            });
        }
        self.run_probes(targets, options, |_| {})
    }

    /// Probes every endpoint of one integration, each with its linked credential.
    pub fn probe_integration(
        &mut self,
        name: &str,
        options: ProbeOptions,
    ) -> Result<Vec<ProbeOutcome>> {
        self.probe_integration_reporting(name, options, |_| {})
    }

    /// [`Keyward::probe_integration`], reporting progress as endpoints finish.
    pub fn probe_integration_reporting(
        &mut self,
        name: &str,
        options: ProbeOptions,
        progress: impl FnMut(&ProbeProgress),
    ) -> Result<Vec<ProbeOutcome>> {
        let integration = self.integration(name)?;
        let targets = self.targets_of(&integration)?;
        if targets.is_empty() {
            return Err(Error::invalid(
                "integration",
                format!("`{name}` has no endpoints to probe"),
            ));
        }
        self.run_probes(targets, options, progress)
    }

    /// Probes every endpoint in the inventory, reporting progress as targets finish.
    pub fn probe_all(
        &mut self,
        options: ProbeOptions,
        progress: impl FnMut(&ProbeProgress),
    ) -> Result<Vec<ProbeOutcome>> {
        let mut targets = Vec::new();
        for integration in self.list_integrations()? {
            targets.extend(self.targets_of(&integration)?);
        }
        self.run_probes(targets, options, progress)
    }

    /// Probes the integrations whose newest result is older than `every` (or that were
    /// never probed): what the app's background schedule calls.
    pub fn probe_due_now(
        &mut self,
        now: DateTime<Utc>,
        every: Duration,
        options: ProbeOptions,
        progress: impl FnMut(&ProbeProgress),
    ) -> Result<Vec<ProbeOutcome>> {
        let mut targets = Vec::new();
        for name in self.probe_due(now, every)? {
            let integration = self.integration(&name)?;
            targets.extend(self.targets_of(&integration)?);
        }
        self.run_probes(targets, options, progress)
    }

    /// Integrations due for a probe at `now`.
    pub fn probe_due(&self, now: DateTime<Utc>, every: Duration) -> Result<Vec<String>> {
        Ok(probes::last_probed_by_integration(self.store.connection())?
            .into_iter()
            .filter(|(_, last)| last.is_none_or(|last| now - last >= every))
            .map(|(name, _)| name)
            .collect())
    }

    /// Stored results of one integration, newest first.
    pub fn probe_history(&self, integration: &str, limit: u32) -> Result<Vec<ProbeRecord>> {
        self.integration(integration)?;
        probes::for_integration(self.store.connection(), integration, limit)?
            .iter()
            .map(record_of)
            .collect()
    }

    /// Regressions recorded since `since`, newest first (for warnings).
    pub fn probe_regressions(&self, since: DateTime<Utc>) -> Result<Vec<Regression>> {
        Ok(probes::regressions_since(self.store.connection(), since)?
            .iter()
            .map(record_of)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|record| record.regression)
            .collect())
    }
}

impl Keyward {
    /// Builds the targets of an integration, clearing each linked credential through the
    /// host and TLS rules before its value is read.
    fn targets_of(&mut self, integration: &Integration) -> Result<Vec<Planned>> {
        // An endpoint redirected or re-linked outside Keyward is refused before anything
        // is read or sent (its credential is checked again when its value is read).
        self.integrity()?;
        crate::store::integrations::check_endpoints(self.store.connection(), integration.id)?;
        let mut targets = Vec::new();
        for (index, endpoint) in integration.endpoints.iter().enumerate() {
            let url = super::validate::url("endpoint", &endpoint.url)?;
            let mut target = ProbeTarget::new(url.clone());
            target.integration = Some(integration.name.clone());
            target.auth = endpoint.auth.clone();
            // One discovery check per integration is enough.
            target.issuer = if index == 0 {
                integration.issuer.clone()
            } else {
                None
            };
            let mut notes = Vec::new();
            if let Some(name) = &endpoint.credential
                && endpoint.auth != AuthMethod::None
            {
                let credential = credentials::by_name(self.store.connection(), name)?.credential;
                match CredentialUse::preflight(&credential, &endpoint.auth, &url) {
                    Ok(()) => {
                        let value = self.credentials().reveal(name, super::Access::Use)?;
                        let cleared = CredentialUse::authorize(
                            &credential,
                            endpoint.auth.clone(),
                            value,
                            &url,
                        )
                        .map_err(|refusal| Error::Internal(refusal.to_string()))?;
                        target.credential = Some(cleared);
                    }
                    Err(refusal) => notes.push(format!("credential withheld: {refusal}")),
                }
            }
            targets.push(Planned {
                integration: Some(integration.name.clone()),
                target,
                notes,
            });
        }
        Ok(targets)
    }

    fn run_probes(
        &mut self,
        targets: Vec<Planned>,
        options: ProbeOptions,
        progress: impl FnMut(&ProbeProgress),
    ) -> Result<Vec<ProbeOutcome>> {
        let mut options = options;
        options.now.get_or_insert_with(|| self.now());
        let prober =
            Prober::new(options).map_err(|error| Error::invalid("--ca", error.to_string()))?;
        let mut labels = Vec::with_capacity(targets.len());
        let mut probe_targets = Vec::with_capacity(targets.len());
        for Planned {
            integration,
            target,
            notes,
        } in targets
        {
            labels.push((
                integration,
                target
                    .credential
                    .as_ref()
                    .map(|credential| credential.name().to_owned()),
                notes,
            ));
            probe_targets.push(target);
        }
        let reports = prober.probe_blocking(probe_targets, progress);

        let mut outcomes = Vec::with_capacity(reports.len());
        for (mut report, (integration, credential, notes)) in reports.into_iter().zip(labels) {
            report.notes.extend(notes);
            let previous = probes::latest_completed(self.store.connection(), &report.target)?;
            let regression = match previous {
                Some(row) if report.error.is_none() => {
                    regression_between(&row, &report, integration.clone())?
                }
                _ => None,
            };
            outcomes.push((
                ProbeOutcome {
                    integration,
                    report,
                    regression,
                },
                credential,
            ));
        }
        self.write(|connection, at, actor| {
            let mut last = None;
            for (outcome, credential) in &outcomes {
                let report = &outcome.report;
                let finding_ids: Vec<String> = report
                    .findings
                    .iter()
                    .map(|finding| finding.id.clone())
                    .collect();
                let report_json = serde_json::to_string(report)
                    .map_err(|error| Error::Internal(error.to_string()))?;
                let regressions =
                    serde_json::to_string(&outcome.regression.iter().collect::<Vec<_>>())
                        .map_err(|error| Error::Internal(error.to_string()))?;
                probes::insert(
                    connection,
                    &NewProbeRow {
                        target: &report.target,
                        integration: outcome.integration.as_deref(),
                        probed_at: report.probed_at,
                        grade: report.grade.map(Grade::as_str),
                        error: report.error.as_deref(),
                        finding_ids: &finding_ids,
                        report: &report_json,
                        regressions: &regressions,
                    },
                )?;
                let detail = serde_json::json!({
                    "integration": outcome.integration,
                    "credential": credential,
                    "grade": report.grade,
                    "findings": finding_ids,
                    "error": report.error,
                    "regression": outcome.regression.as_ref().map(Regression::summary),
                });
                last = Some(audit::append(
                    connection,
                    at,
                    actor,
                    AuditAction::Probe,
                    &report.target,
                    detail,
                )?);
            }
            let row = match last {
                Some(row) => row,
                None => audit::append(
                    connection,
                    at,
                    actor,
                    AuditAction::Probe,
                    "probe",
                    serde_json::json!({"targets": 0}),
                )?,
            };
            Ok(((), row))
        })?;
        Ok(outcomes.into_iter().map(|(outcome, _)| outcome).collect())
    }
}

/// Compares a new report with the stored previous one: a lower grade or a finding id
/// that was not there before (informational ones aside) is a regression.
fn regression_between(
    previous: &ProbeRow,
    report: &ProbeReport,
    integration: Option<String>,
) -> Result<Option<Regression>> {
    let previous_grade = previous
        .grade
        .as_deref()
        .and_then(|grade| grade.parse::<Grade>().ok());
    let new_findings: Vec<PostureFinding> = report
        .findings
        .iter()
        .filter(|finding| {
            finding.severity > Severity::Info && !previous.finding_ids.contains(&finding.id)
        })
        .cloned()
        .collect();
    let worse_grade =
        matches!((previous_grade, report.grade), (Some(before), Some(now)) if now > before);
    if !worse_grade && new_findings.is_empty() {
        return Ok(None);
    }
    Ok(Some(Regression {
        target: report.target.clone(),
        integration,
        previous_probed_at: previous.probed_at,
        previous_grade,
        grade: report.grade,
        new_findings,
    }))
}

pub(super) fn record_of(row: &ProbeRow) -> Result<ProbeRecord> {
    let corrupt = |error: serde_json::Error| {
        Error::Internal(format!(
            "stored probe result {} does not read back: {error}",
            row.id
        ))
    };
    let report: ProbeReport = serde_json::from_str(&row.report).map_err(corrupt)?;
    let regressions: Vec<Regression> = serde_json::from_str(&row.regressions).map_err(corrupt)?;
    Ok(ProbeRecord {
        integration: row.integration.clone(),
        report,
        regression: regressions.into_iter().next(),
    })
}
