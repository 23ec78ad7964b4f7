//! Reports (HTML, CSV, JSON), access-review decisions and their signed attestation.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::bundles::{signing_slot, write_output};
use super::{Keyward, Review};
use crate::audit::{self, AuditAction};
use crate::report::document::{self, Report};
use crate::report::{ReviewDecision, Snapshot, bundle, compliance, csv_export, html};
use crate::store::{access_reviews, credentials, integrations, settings};
use crate::{Error, Result};

/// How often every credential should be reviewed, in days, unless the home's
/// `review_every_days` setting says otherwise.
pub const DEFAULT_REVIEW_EVERY_DAYS: i64 = 90;
/// The setting that sets a team's review period in days and turns on review warnings.
pub const REVIEW_EVERY_SETTING: &str = "review_every_days";
pub const ATTESTATION_FORMAT: &str = "keyward-attestation";
pub const ATTESTATION_CONTEXT: &[u8] = b"keyward-attestation-v1\0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Html,
    Csv,
    Json,
}

/// Which inventory a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ReportScope {
    /// This workstation.
    Local,
    /// Every workstation whose bundle this (review) home imported.
    Review,
    /// The team board: this workstation, every imported bundle and the team database
    /// as last pulled.
    Team,
}

/// The signed record of a reviewer's decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub workstation: crate::report::Workstation,
    pub attested_at: chrono::DateTime<chrono::Utc>,
    pub decisions: Vec<ReviewDecision>,
}

impl Review<'_> {
    /// Records a review decision (`keep`, `rotate`, `revoke`) on a credential or an
    /// integration of this home.
    pub fn record_review(
        &mut self,
        subject_kind: &str,
        subject: &str,
        decision: &str,
        note: Option<String>,
    ) -> Result<ReviewDecision> {
        match subject_kind {
            "credential" => drop(credentials::by_name(self.store.connection(), subject)?),
            "integration" => drop(integrations::by_name(self.store.connection(), subject)?),
            other => {
                return Err(Error::invalid(
                    "subject kind",
                    format!("`{other}`; expected credential or integration"),
                ));
            }
        }
        if !matches!(decision, "keep" | "rotate" | "revoke") {
            return Err(Error::invalid(
                "--decision",
                format!("`{decision}`; expected keep, rotate or revoke"),
            ));
        }
        let review = ReviewDecision {
            subject_kind: subject_kind.to_owned(),
            subject: subject.to_owned(),
            decision: decision.to_owned(),
            note,
            reviewer: self.actor.clone(),
            reviewed_at: self.now(),
        };
        let row = access_reviews::AccessReviewRow {
            subject_kind: review.subject_kind.clone(),
            subject: review.subject.clone(),
            decision: review.decision.clone(),
            note: review.note.clone(),
            reviewer: review.reviewer.clone(),
            reviewed_at: review.reviewed_at,
        };
        self.write(|connection, at, actor| {
            access_reviews::insert(connection, &row)?;
            let audit_row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Review,
                subject,
                serde_json::json!({"kind": row.subject_kind, "decision": row.decision, "note": row.note}),
            )?;
            Ok(((), audit_row))
        })?;
        Ok(review)
    }

    /// Writes the signed attestation of every review decision to `out`.
    pub fn attest_reviews(&mut self, out: &Path) -> Result<usize> {
        let attestation = Attestation {
            workstation: self.workstation()?,
            attested_at: self.now(),
            decisions: self.review_decisions()?,
        };
        let count = attestation.decisions.len();
        let signing_key = self
            .vault
            .read_or_create(&signing_slot(), bundle::generate_signing_key)?;
        let signed = bundle::sign_document(
            &signing_key,
            ATTESTATION_FORMAT,
            ATTESTATION_CONTEXT,
            &attestation,
        )?;
        write_output(
            out,
            &serde_json::to_vec_pretty(&signed).expect("attestation serializes"),
        )?;
        let target = out.display().to_string();
        self.write(|connection, at, actor| {
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Export,
                "review attestation",
                serde_json::json!({"out": target, "decisions": count}),
            )?;
            Ok(((), row))
        })?;
        Ok(count)
    }

    /// Builds the report model for this workstation or for every imported one.
    pub fn build_report(&mut self, scope: ReportScope) -> Result<Report> {
        let snapshots: Vec<Snapshot> = match scope {
            ReportScope::Local => vec![self.snapshot()?],
            ReportScope::Review => self.review_overview()?.snapshots,
            ReportScope::Team => self
                .board_snapshots()?
                .into_iter()
                .map(|entry| entry.snapshot)
                .collect(),
        };
        self.report_from(snapshots)
    }

    /// Writes a report to `out` and records the export.
    pub fn write_report(
        &mut self,
        format: ReportFormat,
        scope: ReportScope,
        out: &Path,
    ) -> Result<usize> {
        let report = self.build_report(scope)?;
        let bytes = match format {
            ReportFormat::Html => html::render(&report).into_bytes(),
            ReportFormat::Csv => {
                csv_export::render(&report).map_err(|error| Error::Internal(error.to_string()))?
            }
            ReportFormat::Json => serde_json::to_vec_pretty(&report).expect("reports serialize"),
        };
        write_output(out, &bytes)?;
        let target = out.display().to_string();
        let rows = report.rows.len();
        self.write(|connection, at, actor| {
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Export,
                "report",
                serde_json::json!({"out": target, "format": format, "scope": scope, "credentials": rows}),
            )?;
            Ok(((), row))
        })?;
        Ok(rows)
    }
}

impl Keyward {
    fn review_every_days(&self) -> Result<i64> {
        Ok(
            settings::get(self.store.connection(), REVIEW_EVERY_SETTING)?
                .and_then(|text| text.parse().ok())
                .filter(|days: &i64| *days > 0)
                .unwrap_or(DEFAULT_REVIEW_EVERY_DAYS),
        )
    }

    /// Every access-review decision recorded in this home.
    pub fn review_decisions(&self) -> Result<Vec<ReviewDecision>> {
        Ok(access_reviews::all(self.store.connection())?
            .into_iter()
            .map(|row| ReviewDecision {
                subject_kind: row.subject_kind,
                subject: row.subject,
                decision: row.decision,
                note: row.note,
                reviewer: row.reviewer,
                reviewed_at: row.reviewed_at,
            })
            .collect())
    }

    /// The report model over `snapshots`, judged against the home's controls.
    pub(crate) fn report_from(&self, snapshots: Vec<Snapshot>) -> Result<Report> {
        let controls = compliance::load_controls(Some(&self.home.join("controls.toml")))
            .map_err(|problem| Error::invalid("controls.toml", problem))?;
        Ok(document::build(
            snapshots,
            &controls,
            self.review_every_days()?,
            self.now(),
        ))
    }
}
