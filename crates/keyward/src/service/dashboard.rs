//! The "what needs attention" summary the desktop app opens on: inventory counts and the
//! warnings worth acting on, most severe first. The warnings are the staleness policy's
//! (`keyward check`), so the app and the CLI always list the same ones.
//!
//! Leak and posture counts come from the scanner and the prober; until a home has been
//! scanned or probed they are `None` ("not scanned yet"), never a made-up zero.

use serde::{Deserialize, Serialize};

use super::Review;
use crate::Result;
use crate::policy::{Warning, WarningKind};
use crate::store::{audit_entries, credentials, integrations, probes};

/// Counts and warnings for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    pub credentials: u32,
    pub integrations: u32,
    pub overdue_rotations: u32,
    /// Client certificates expired or expiring within 30 days.
    pub expiring_certificates: u32,
    /// Credentials found leaked by the last scans; `None` until a scan has run.
    pub leaks: Option<u32>,
    /// Endpoints whose latest probe graded below B or found a problem of medium
    /// severity or worse; `None` until a probe ran.
    pub failing_posture: Option<u32>,
    /// The policy's warnings, most severe first.
    pub warnings: Vec<Warning>,
}

/// Grades that count as failing posture on the dashboard.
const FAILING_GRADES: [&str; 4] = ["C", "D", "E", "F"];

impl Review<'_> {
    /// Builds the dashboard as of now.
    pub fn dashboard(&mut self) -> Result<Dashboard> {
        let warnings = self.warnings()?;
        let connection = self.store.connection();
        let count = |kinds: &[WarningKind]| {
            warnings
                .iter()
                .filter(|warning| kinds.contains(&warning.kind))
                .count() as u32
        };
        // Scans are audited; `check` is the subject of the JWT-expiry reads, not a scan.
        let scanned = audit_entries::any_action(
            connection,
            crate::audit::AuditAction::Scan.as_str(),
            "check",
        )?;
        let latest = probes::latest_completed_per_target(connection)?;
        let failing = latest
            .iter()
            .filter(|row| {
                row.grade
                    .as_deref()
                    .is_some_and(|grade| FAILING_GRADES.contains(&grade))
                    || serde_json::from_str::<crate::probe::ProbeReport>(&row.report).is_ok_and(
                        |report| {
                            report.findings.iter().any(|finding| {
                                matches!(finding.severity.as_str(), "critical" | "high" | "medium")
                            })
                        },
                    )
            })
            .count() as u32;
        Ok(Dashboard {
            credentials: credentials::count(connection)? as u32,
            integrations: integrations::count(connection)? as u32,
            overdue_rotations: count(&[WarningKind::RotationOverdue]),
            expiring_certificates: count(&[
                WarningKind::CertificateExpired,
                WarningKind::CertificateExpiring,
            ]),
            leaks: scanned.then(|| count(&[WarningKind::Leaked])),
            failing_posture: (!latest.is_empty()).then_some(failing),
            warnings,
        })
    }
}
