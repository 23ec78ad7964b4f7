//! Current posture as the desktop app shows it: per integration, the newest result of
//! each endpoint with every finding explained (what was seen, what it costs the grade,
//! how to fix it); what the app's background schedule should probe; and the regressions
//! the app has not told the user about yet, so each one is announced exactly once.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Posture, ProbeOutcome};
use crate::Result;
use crate::probe::finding::kind;
use crate::probe::{Grade, PostureFinding, ProbeOptions, ProbeProgress, ProbeReport, Severity};
use crate::store::{probes, settings};

/// The setting holding the id of the newest probe result whose regression was announced.
const ANNOUNCED_THROUGH: &str = "posture.regressions_announced_through";

/// How far back a home that never announced anything looks for regressions: long
/// enough to catch yesterday's scheduled run, short enough not to replay old history.
const FIRST_ANNOUNCEMENT_WINDOW: Duration = Duration::hours(24);

/// A finding with the catalogue's word on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExplainedFinding {
    pub id: String,
    pub severity: Severity,
    /// What the probe saw, in words.
    pub message: String,
    /// The observation behind it (values redacted).
    pub evidence: String,
    /// The best grade an endpoint with this finding can get, if it caps the grade.
    pub caps: Option<Grade>,
    /// What to change on the server (or in the inventory) to clear it.
    pub fix: String,
}

impl ExplainedFinding {
    fn of(finding: &PostureFinding) -> Self {
        let entry = kind(&finding.id);
        Self {
            id: finding.id.clone(),
            severity: finding.severity,
            message: finding.message.clone(),
            evidence: finding.evidence.clone(),
            caps: entry.and_then(|entry| entry.caps),
            fix: entry.map_or_else(String::new, |entry| entry.fix.to_owned()),
        }
    }
}

/// One endpoint's newest result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EndpointPosture {
    /// The endpoint URL as probes record it.
    pub target: String,
    /// `None` until the endpoint was probed. A result whose probe failed is shown too
    /// (its `error` says why), since that is the current state of affairs.
    pub report: Option<ProbeReport>,
    /// The report's findings, most severe first, each explained.
    pub findings: Vec<ExplainedFinding>,
}

/// An integration's current posture.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IntegrationPosture {
    pub integration: String,
    /// The worst grade among the endpoints' newest results; `None` when none graded.
    pub grade: Option<Grade>,
    /// When the newest of those results was taken.
    pub probed_at: Option<DateTime<Utc>>,
    pub endpoints: Vec<EndpointPosture>,
}

impl Posture<'_> {
    /// The newest result of every endpoint of `name`, findings explained.
    pub fn current(&self, name: &str) -> Result<IntegrationPosture> {
        let integration = self.integration(name)?;
        let connection = self.store.connection();
        let mut endpoints = Vec::with_capacity(integration.endpoints.len());
        for endpoint in &integration.endpoints {
            let target = super::validate::url("endpoint", &endpoint.url)?.to_string();
            // The same URL can be probed without the integration's credential (`keyward
            // probe URL`); prefer this integration's own result, whose auth checks ran.
            let rows = probes::for_target(connection, &target, 20)?;
            let row = rows
                .iter()
                .find(|row| row.integration.as_deref() == Some(name))
                .or(rows.first());
            let report = row
                .map(|row| super::probing::record_of(row).map(|record| record.report))
                .transpose()?;
            let findings = report.as_ref().map_or_else(Vec::new, |report| {
                let mut findings: Vec<ExplainedFinding> =
                    report.findings.iter().map(ExplainedFinding::of).collect();
                findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
                findings
            });
            endpoints.push(EndpointPosture {
                target,
                report,
                findings,
            });
        }
        let reports = || {
            endpoints
                .iter()
                .filter_map(|endpoint| endpoint.report.as_ref())
        };
        Ok(IntegrationPosture {
            integration: integration.name,
            grade: reports().filter_map(|report| report.grade).max(),
            probed_at: reports().map(|report| report.probed_at).max(),
            endpoints,
        })
    }

    /// The background re-probe interval the preferences ask for; `None` when the user
    /// turned the schedule off.
    pub fn probe_interval(&self) -> Result<Option<Duration>> {
        let hours = self.preferences()?.probe_every_hours;
        Ok((hours > 0).then(|| Duration::hours(i64::from(hours))))
    }

    /// Integrations the background schedule should probe now: those whose newest result
    /// is older than the preferred interval, or that were never probed.
    pub fn scheduled_probes_due(&self) -> Result<Vec<String>> {
        match self.probe_interval()? {
            Some(every) => self.probe_due(self.now(), every),
            None => Ok(Vec::new()),
        }
    }

    /// Probes what [`Keyward::scheduled_probes_due`] names (nothing when the schedule
    /// is off), reporting progress as endpoints finish.
    pub fn probe_scheduled(
        &mut self,
        options: ProbeOptions,
        progress: impl FnMut(&ProbeProgress),
    ) -> Result<Vec<ProbeOutcome>> {
        let Some(every) = self.probe_interval()? else {
            return Ok(Vec::new());
        };
        let now = self.now();
        // Nothing due must not write an empty probe entry into the audit log each tick.
        if self.probe_due(now, every)?.is_empty() {
            return Ok(Vec::new());
        }
        self.probe_due_now(now, every, options, progress)
    }

    /// Regressions recorded since the last call (by any surface: the app's schedule, a
    /// "Probe now", a `keyward probe` from cron), oldest first, and marks them announced
    /// so the next call does not return them again. A home that never announced looks
    /// back one day.
    pub fn take_unannounced_regressions(&mut self) -> Result<Vec<super::Regression>> {
        let connection = self.store.connection();
        let through: Option<i64> =
            settings::get(connection, ANNOUNCED_THROUGH)?.and_then(|text| text.parse().ok());
        let since = match through {
            Some(_) => DateTime::UNIX_EPOCH,
            None => self.now() - FIRST_ANNOUNCEMENT_WINDOW,
        };
        let mut rows: Vec<probes::ProbeRow> = probes::regressions_since(connection, since)?
            .into_iter()
            .filter(|row| through.is_none_or(|through| row.id > through))
            .collect();
        rows.sort_by_key(|row| row.id);
        let Some(newest) = rows.last().map(|row| row.id) else {
            return Ok(Vec::new());
        };
        let mut regressions = Vec::with_capacity(rows.len());
        for row in &rows {
            regressions.extend(super::probing::record_of(row)?.regression);
        }
        settings::set(connection, ANNOUNCED_THROUGH, &newest.to_string())?;
        Ok(regressions)
    }
}
