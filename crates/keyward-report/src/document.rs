//! The report model: everything the HTML, CSV and JSON reports show, computed once from
//! a snapshot so the three formats always agree.

use keyward_model::rotation::RotationState;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::compliance::{self, Control, ControlResult};
use super::{FindingSummary, Snapshot};

pub const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
pub const GRADES: [&str; 8] = ["A+", "A", "A-", "B", "C", "D", "E", "F"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthlyCompliance {
    /// `2026-11`.
    pub month: String,
    pub compliant: u32,
    /// Credentials with a rotation period that existed at the end of the month.
    pub scheduled: u32,
}

/// One CSV/JSON row per credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// The inventory's own `CredentialRow` has the name in the UI's bindings. (A struct's
// name appears in none of the JSON, CSV or HTML output, so the rename changes no format.)
#[serde(rename = "ReportRow")]
pub struct CredentialRow {
    pub workstation: String,
    pub name: String,
    pub kind: String,
    pub provider: String,
    pub integration: String,
    pub owner: String,
    pub environment: String,
    pub created: String,
    pub rotated: String,
    pub rotate_every_days: String,
    pub next_rotation: String,
    pub rotation_overdue: bool,
    pub expires: String,
    /// Worst grade among the integration's probed endpoints.
    pub grade: String,
    pub open_findings: u32,
    pub worst_severity: String,
    pub last_review: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Report {
    pub snapshots: Vec<Snapshot>,
    pub generated_at: DateTime<Utc>,
    pub findings: Vec<FindingSummary>,
    pub compliance: Vec<ControlResult>,
    pub rotation_compliance: Vec<MonthlyCompliance>,
    pub rows: Vec<CredentialRow>,
}

/// Builds the report for one or more snapshots (one workstation, or a review of many).
pub fn build(
    snapshots: Vec<Snapshot>,
    controls: &[Control],
    review_every_days: i64,
    now: DateTime<Utc>,
) -> Report {
    let mut findings = Vec::new();
    let mut compliance_results = Vec::new();
    let mut rows = Vec::new();
    for snapshot in &snapshots {
        let mut all = snapshot.findings.clone();
        all.extend(compliance::derived_facts(snapshot, review_every_days));
        compliance_results.extend(
            compliance::evaluate(controls, snapshot, &all)
                .into_iter()
                .map(|mut result| {
                    if snapshots.len() > 1 {
                        result.scope =
                            format!("{} / {}", snapshot.workstation.hostname, result.scope);
                    }
                    result
                }),
        );
        rows.extend(credential_rows(snapshot, &all));
        findings.extend(all);
    }
    findings.sort_by_key(|finding| severity_rank(&finding.severity));
    Report {
        rotation_compliance: rotation_compliance(&snapshots, now),
        snapshots,
        generated_at: now,
        findings,
        compliance: compliance_results,
        rows,
    }
}

pub fn severity_rank(severity: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|known| *known == severity)
        .unwrap_or(SEVERITIES.len())
}

fn grade_rank(grade: &str) -> usize {
    GRADES
        .iter()
        .position(|known| *known == grade)
        .unwrap_or(GRADES.len())
}

fn credential_rows(snapshot: &Snapshot, findings: &[FindingSummary]) -> Vec<CredentialRow> {
    let date = |time: Option<DateTime<Utc>>| {
        time.map(|time| time.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let mut by_credential: std::collections::HashMap<&str, Vec<&FindingSummary>> =
        std::collections::HashMap::new();
    for finding in findings.iter().filter(|finding| finding.severity != "info") {
        if let Some(credential) = finding.credential.as_deref() {
            by_credential.entry(credential).or_default().push(finding);
        }
    }
    let mut last_review: std::collections::HashMap<&str, DateTime<Utc>> =
        std::collections::HashMap::new();
    for review in snapshot
        .reviews
        .iter()
        .filter(|review| review.subject_kind == "credential")
    {
        let entry = last_review
            .entry(review.subject.as_str())
            .or_insert(review.reviewed_at);
        *entry = (*entry).max(review.reviewed_at);
    }
    snapshot
        .credentials
        .iter()
        .map(|credential| {
            let mine: &[&FindingSummary] = by_credential
                .get(credential.name.as_str())
                .map_or(&[], Vec::as_slice);
            let grade = snapshot
                .posture
                .iter()
                .filter(|posture| {
                    posture.integration.is_some() && posture.integration == credential.integration
                })
                .map(|posture| posture.grade.as_str())
                .max_by_key(|grade| grade_rank(grade))
                .unwrap_or("")
                .to_owned();
            CredentialRow {
                workstation: snapshot.workstation.hostname.clone(),
                name: credential.name.clone(),
                kind: credential.kind.clone(),
                provider: credential.provider.clone().unwrap_or_default(),
                integration: credential.integration.clone().unwrap_or_default(),
                owner: credential.owner.clone().unwrap_or_default(),
                environment: credential.environment.clone().unwrap_or_default(),
                created: date(Some(credential.created_at)),
                rotated: date(Some(credential.rotated_at)),
                rotate_every_days: credential
                    .rotate_every_days
                    .map(|days| days.to_string())
                    .unwrap_or_default(),
                next_rotation: date(credential.next_rotation),
                rotation_overdue: credential.rotation_overdue,
                expires: date(credential.expires_at),
                grade,
                open_findings: mine.len() as u32,
                worst_severity: mine
                    .iter()
                    .map(|finding| finding.severity.as_str())
                    .min_by_key(|severity| severity_rank(severity))
                    .unwrap_or("")
                    .to_owned(),
                last_review: date(last_review.get(credential.name.as_str()).copied()),
            }
        })
        .collect()
}

/// For each of the last 12 month ends (the last one being now): how many scheduled
/// credentials were within their rotation period. The last rotation known at a month
/// end is the latest finished rotation up to then, else the creation time.
fn rotation_compliance(snapshots: &[Snapshot], now: DateTime<Utc>) -> Vec<MonthlyCompliance> {
    let mut month_ends = Vec::new();
    let mut cursor = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).expect("valid month");
    for _ in 0..11 {
        month_ends
            .push(cursor.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::seconds(1));
        cursor = cursor
            .checked_sub_months(chrono::Months::new(1))
            .expect("date range");
    }
    month_ends.reverse();
    month_ends.push(now);
    let mut done_rotations: std::collections::HashMap<(&str, &str), Vec<DateTime<Utc>>> =
        Default::default();
    for snapshot in snapshots {
        for rotation in snapshot
            .rotations
            .iter()
            .filter(|rotation| rotation.state == RotationState::Done)
        {
            if let Some(finished) = rotation.finished_at {
                done_rotations
                    .entry((
                        snapshot.workstation.id.as_str(),
                        rotation.credential.as_str(),
                    ))
                    .or_default()
                    .push(finished);
            }
        }
    }
    month_ends
        .into_iter()
        .map(|at| {
            let mut scheduled = 0;
            let mut compliant = 0;
            for snapshot in snapshots {
                for credential in &snapshot.credentials {
                    let Some(days) = credential.rotate_every_days else {
                        continue;
                    };
                    if credential.created_at > at {
                        continue;
                    }
                    scheduled += 1;
                    let mut last = credential.created_at;
                    if credential.rotated_at <= at {
                        last = last.max(credential.rotated_at);
                    }
                    for finished in done_rotations
                        .get(&(snapshot.workstation.id.as_str(), credential.name.as_str()))
                        .into_iter()
                        .flatten()
                    {
                        if *finished <= at {
                            last = last.max(*finished);
                        }
                    }
                    if last + Duration::days(i64::from(days)) >= at {
                        compliant += 1;
                    }
                }
            }
            MonthlyCompliance {
                month: at.format("%Y-%m").to_string(),
                compliant,
                scheduled,
            }
        })
        .collect()
}

impl Report {
    pub fn severity_counts(&self) -> BTreeMap<usize, (String, u32)> {
        let mut counts: BTreeMap<usize, (String, u32)> = SEVERITIES
            .iter()
            .enumerate()
            .map(|(rank, name)| (rank, ((*name).to_owned(), 0)))
            .collect();
        for finding in &self.findings {
            if let Some(entry) = counts.get_mut(&severity_rank(&finding.severity)) {
                entry.1 += 1;
            }
        }
        counts
    }

    pub fn grade_counts(&self) -> Vec<(String, u32)> {
        GRADES
            .iter()
            .map(|grade| {
                let count = self
                    .snapshots
                    .iter()
                    .flat_map(|snapshot| &snapshot.posture)
                    .filter(|posture| posture.grade == *grade)
                    .count() as u32;
                ((*grade).to_owned(), count)
            })
            .collect()
    }
}
