//! The team board: one table of every credential a security lead can see (this
//! workstation, the workstations whose bundles this home imported, and the team
//! database as last pulled) and the saved connection to that database.
//!
//! The database URL may carry a password, so it is kept whole in the keychain, never in
//! SQLite; settings hold only its redacted form and the CA path. The team database's
//! rows last pulled are kept in settings as JSON (metadata only, the same rows a bundle
//! carries, with their signatures) so the board opens without a network round trip;
//! each time the board is built they are checked again against the workstation keys
//! pinned here, so a key pinned later counts at once and an edit to the cache does not.
//!
//! A row that does not verify under a pinned key is shown, flagged, and never evidence:
//! reports judge every workstation on its verified rows only, with a `team.unverified`
//! finding for each row left out, so a control cannot pass on what such a row claims.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bundles::SharedFingerprint;
use super::{Keyward, Team};
use crate::audit::{self, AuditAction};
use crate::model::SecretValue;
use crate::report::document::{CredentialRow, SEVERITIES};
use crate::report::{FindingSummary, Snapshot, Workstation};
use crate::store::settings;
use crate::team::{RowTrust, SyncOutcome, TeamRows, TeamView, redact_url};
use crate::vault::Slot;
use crate::{Error, Result};

/// Settings key of the saved connection (redacted target and CA path, as JSON).
const TEAM_DATABASE_SETTING: &str = "team_database";
/// Settings key of the team database's rows last pulled (JSON).
const TEAM_VIEW_SETTING: &str = "team_view";
/// The finding a team-database row that is not evidence stands for in reports (see
/// controls.toml): it fails every control in whose scope the row would have counted.
pub const UNVERIFIED_FACT: &str = "team.unverified";
/// Integration tag that names the team owning it: `team:payments`.
pub const TEAM_TAG_PREFIX: &str = "team:";

fn team_database_slot() -> Slot {
    Slot::Other("team-database-url".into())
}

/// The saved team database, as the UI may see it: never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamDatabaseInfo {
    /// The URL with any password replaced by `***`.
    pub target: String,
    pub ca: Option<String>,
    /// When the team view was last read from it.
    pub pulled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PulledView {
    pulled_at: DateTime<Utc>,
    /// The rows with their signatures, unjudged. `None` for a pull saved by an older
    /// Keyward, which kept only its own verdicts (judged against the database's keys):
    /// those are not shown; the next pull replaces them.
    #[serde(default)]
    rows: Option<TeamRows>,
}

/// Where a board row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum BoardSource {
    /// This workstation's own inventory.
    Local,
    /// A signed bundle imported into this home.
    Bundle,
    /// The team database, as last pulled.
    TeamDatabase,
}

/// One credential on one workstation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BoardRow {
    pub source: BoardSource,
    pub workstation_id: String,
    pub user: String,
    /// From the integration's `team:NAME` tag; empty without one.
    pub team: String,
    /// False for a team-database row not signed by the key pinned here for its
    /// workstation (a key never pinned, a changed key, an edited row): shown, never
    /// counted as evidence.
    pub verified: bool,
    /// The same row the CSV report carries.
    pub row: CredentialRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SeverityCount {
    pub severity: String,
    pub count: u32,
}

/// Figures over the whole board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BoardSummary {
    pub workstations: u32,
    pub credentials: u32,
    pub overdue_rotations: u32,
    /// Team-database rows shown but not verified against a pinned key.
    pub altered_rows: u32,
    /// Open findings (not `info`) by severity, worst first.
    pub findings: Vec<SeverityCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamBoard {
    pub rows: Vec<BoardRow>,
    pub summary: BoardSummary,
    /// The same secret on several workstations (by team fingerprint).
    pub shared_fingerprints: Vec<SharedFingerprint>,
    pub team_database: Option<TeamDatabaseInfo>,
}

/// A snapshot on the board with where it came from.
pub(crate) struct BoardSnapshot {
    pub source: BoardSource,
    /// What reports judge: the verified rows only, plus a [`UNVERIFIED_FACT`] finding
    /// for every row left out.
    pub snapshot: Snapshot,
    /// The team-database credential rows that did not verify, as a snapshot of their
    /// own: shown on the board, never evidence.
    pub unverified: Option<Snapshot>,
}

/// What the rows of one snapshot share on the board.
struct RowOrigin {
    source: BoardSource,
    workstation: Workstation,
    teams: BTreeMap<String, String>,
    count: usize,
    unverified: usize,
}

impl Team<'_> {
    /// The saved team database, if any.
    pub fn team_database(&self) -> Result<Option<TeamDatabaseInfo>> {
        let connection = self.store.connection();
        let Some(json) = settings::get(connection, TEAM_DATABASE_SETTING)? else {
            return Ok(None);
        };
        let mut info: TeamDatabaseInfo =
            serde_json::from_str(&json).map_err(|error| crate::store::StoreError::Corrupt {
                field: "team database setting",
                detail: error.to_string(),
            })?;
        info.pulled_at = self.pulled_view()?.map(|pulled| pulled.pulled_at);
        Ok(Some(info))
    }

    /// Checks that the database answers with `url` (plus `password`, when given apart
    /// from the URL) and `ca`, then saves the connection and the team view it read.
    /// Nothing is saved when the connection fails.
    pub fn connect_team_database(
        &mut self,
        url: &str,
        password: Option<SecretValue>,
        ca: Option<&Path>,
    ) -> Result<TeamDatabaseInfo> {
        let url = url_with_password(url.trim(), password)?;
        let text = url.expose_str().expect("URLs are text");
        let rows = self.fetch_team_rows(text, ca)?;
        let info = TeamDatabaseInfo {
            target: redact_url(text),
            ca: ca.map(|path| path.display().to_string()),
            pulled_at: None,
        };
        self.vault.store(&team_database_slot(), &url)?;
        let pulled = PulledView {
            pulled_at: self.now(),
            rows: Some(rows),
        };
        let setting = serde_json::to_string(&info).expect("settings serialize");
        let cached = serde_json::to_string(&pulled).expect("team views serialize");
        let detail = serde_json::json!({"target": info.target, "ca": info.ca, "rows": pulled.credential_rows()});
        self.write(|connection, at, actor| {
            settings::set(connection, TEAM_DATABASE_SETTING, &setting)?;
            settings::set(connection, TEAM_VIEW_SETTING, &cached)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::TeamDatabase,
                "team database",
                detail,
            )?;
            Ok(((), row))
        })?;
        Ok(TeamDatabaseInfo {
            pulled_at: Some(pulled.pulled_at),
            ..info
        })
    }

    /// Forgets the team database: its keychain entry and the pulled view.
    pub fn disconnect_team_database(&mut self) -> Result<()> {
        self.vault.delete(&team_database_slot())?;
        self.write(|connection, at, actor| {
            settings::remove(connection, TEAM_DATABASE_SETTING)?;
            settings::remove(connection, TEAM_VIEW_SETTING)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::TeamDatabase,
                "team database",
                serde_json::json!({"disconnected": true}),
            )?;
            Ok(((), row))
        })
    }

    /// Pushes this workstation's inventory to the saved team database, then pulls the
    /// team view and keeps it for the board.
    pub fn sync_saved_team_database(&mut self) -> Result<SyncOutcome> {
        let info = self.team_database()?.ok_or_else(|| {
            Error::invalid(
                "team database",
                "none is connected; connect one with its PostgreSQL URL first",
            )
        })?;
        // Its CA file decides whom the URL and password are sent to (integrity.rs).
        self.integrity()?;
        settings::get_checked(self.store.connection(), TEAM_DATABASE_SETTING)?;
        let url = self.vault.read(&team_database_slot())?.ok_or_else(|| {
            Error::invalid(
                "team database",
                "its URL is missing from the keychain; connect again",
            )
        })?;
        let text = url.expose_str().expect("URLs are text");
        let ca = info.ca.as_deref().map(Path::new);
        let outcome = self.sync_team(text, ca)?;
        let pulled = PulledView {
            pulled_at: self.now(),
            rows: Some(self.fetch_team_rows(text, ca)?),
        };
        let cached = serde_json::to_string(&pulled).expect("team views serialize");
        let detail = serde_json::json!({"target": info.target, "rows": pulled.credential_rows()});
        self.write(|connection, at, actor| {
            settings::set(connection, TEAM_VIEW_SETTING, &cached)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Import,
                "team view",
                detail,
            )?;
            Ok(((), row))
        })?;
        Ok(outcome)
    }

    /// The board a security lead reads: one row per credential per workstation.
    pub fn team_board(&mut self) -> Result<TeamBoard> {
        let board = self.board_snapshots()?;
        let sources: Vec<RowOrigin> = board
            .iter()
            .map(|entry| RowOrigin {
                source: entry.source,
                workstation: entry.snapshot.workstation.clone(),
                teams: teams(&entry.snapshot),
                count: entry.snapshot.credentials.len(),
                unverified: entry
                    .unverified
                    .as_ref()
                    .map_or(0, |shown| shown.credentials.len()),
            })
            .collect();
        let shared_fingerprints = shared_fingerprints(&board);
        let (evidence, shown): (Vec<Snapshot>, Vec<Snapshot>) = board
            .into_iter()
            .map(|entry| (entry.snapshot, entry.unverified))
            .fold(
                (Vec::new(), Vec::new()),
                |(mut evidence, mut shown), (snapshot, unverified)| {
                    evidence.push(snapshot);
                    shown.extend(unverified);
                    (evidence, shown)
                },
            );
        let report = self.report_from(evidence)?;
        let shown_rows = if shown.is_empty() {
            Vec::new()
        } else {
            self.report_from(shown)?.rows
        };
        // The reports list each snapshot's credentials in order, so their rows line up
        // with the snapshots they came from: each workstation's verified rows, then the
        // ones shown but not trusted.
        let mut rows = Vec::with_capacity(report.rows.len() + shown_rows.len());
        let mut report_rows = report.rows.into_iter();
        let mut shown_rows = shown_rows.into_iter();
        for origin in &sources {
            let verified = report_rows
                .by_ref()
                .take(origin.count)
                .map(|row| (true, row));
            let unverified = shown_rows
                .by_ref()
                .take(origin.unverified)
                .map(|row| (false, row));
            for (verified, row) in verified.collect::<Vec<_>>().into_iter().chain(unverified) {
                rows.push(BoardRow {
                    source: origin.source,
                    workstation_id: origin.workstation.id.clone(),
                    user: origin.workstation.user.clone(),
                    team: origin
                        .teams
                        .get(&row.integration)
                        .cloned()
                        .unwrap_or_default(),
                    verified,
                    row,
                });
            }
        }
        let mut by_severity: BTreeMap<usize, u32> = BTreeMap::new();
        for finding in report
            .findings
            .iter()
            .filter(|finding| finding.severity != "info")
        {
            *by_severity
                .entry(crate::report::document::severity_rank(&finding.severity))
                .or_default() += 1;
        }
        let summary = BoardSummary {
            workstations: sources.len() as u32,
            credentials: rows.len() as u32,
            // What an unverified row claims is not counted, overdue or not.
            overdue_rotations: rows
                .iter()
                .filter(|row| row.verified && row.row.rotation_overdue)
                .count() as u32,
            altered_rows: rows.iter().filter(|row| !row.verified).count() as u32,
            findings: SEVERITIES
                .iter()
                .enumerate()
                .filter(|(_, severity)| **severity != "info")
                .map(|(rank, severity)| SeverityCount {
                    severity: (*severity).to_owned(),
                    count: by_severity.get(&rank).copied().unwrap_or(0),
                })
                .collect(),
        };
        Ok(TeamBoard {
            rows,
            summary,
            shared_fingerprints,
            team_database: self.team_database()?,
        })
    }
}

impl PulledView {
    fn credential_rows(&self) -> usize {
        self.rows.as_ref().map_or(0, |rows| {
            rows.rows
                .iter()
                .filter(|row| row.kind == "credential")
                .count()
        })
    }
}

impl Keyward {
    /// The team database's rows as last pulled, unjudged.
    pub(crate) fn pulled_rows(&self) -> Result<Option<TeamRows>> {
        Ok(self.pulled_view()?.and_then(|pulled| pulled.rows))
    }

    fn pulled_view(&self) -> Result<Option<PulledView>> {
        let Some(json) = settings::get(self.store.connection(), TEAM_VIEW_SETTING)? else {
            return Ok(None);
        };
        serde_json::from_str(&json).map(Some).map_err(|error| {
            crate::store::StoreError::Corrupt {
                field: "pulled team view",
                detail: error.to_string(),
            }
            .into()
        })
    }

    /// This workstation, then every imported bundle, then the team database's other
    /// workstations. A workstation appears once: its most detailed source wins (its own
    /// inventory, else its bundle, which carries findings and posture the database rows
    /// do not).
    pub(crate) fn board_snapshots(&mut self) -> Result<Vec<BoardSnapshot>> {
        let mut board = vec![BoardSnapshot {
            source: BoardSource::Local,
            snapshot: self.review().snapshot()?,
            unverified: None,
        }];
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(board[0].snapshot.workstation.id.clone());
        for snapshot in self.review().review_overview()?.snapshots {
            if seen.insert(snapshot.workstation.id.clone()) {
                board.push(BoardSnapshot {
                    source: BoardSource::Bundle,
                    snapshot,
                    unverified: None,
                });
            }
        }
        if let Some(pulled) = self.pulled_view()?
            && let Some(rows) = &pulled.rows
        {
            let view = rows.check(&self.pinned_team_keys()?, false);
            board.extend(
                team_snapshots(view, pulled.pulled_at)
                    .into_iter()
                    .filter(|entry| seen.insert(entry.snapshot.workstation.id.clone())),
            );
        }
        Ok(board)
    }
}

/// `url` with `password` set in it, when one is given apart from the URL.
fn url_with_password(url: &str, password: Option<SecretValue>) -> Result<SecretValue> {
    let bad_url = || {
        Error::invalid(
            "team database URL",
            format!(
                "`{}` is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE)",
                redact_url(url)
            ),
        )
    };
    let mut parsed = url::Url::parse(url).map_err(|_| bad_url())?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") || parsed.host_str().is_none() {
        return Err(bad_url());
    }
    if let Some(password) = password.filter(|password| !password.is_empty()) {
        let text = password.expose_str().ok_or_else(|| {
            Error::invalid("team database password", "must be text, not binary data")
        })?;
        parsed.set_password(Some(text)).map_err(|()| bad_url())?;
    }
    Ok(SecretValue::from_string(parsed.to_string()))
}

/// The `team:NAME` tag of each integration, by integration name.
fn teams(snapshot: &Snapshot) -> BTreeMap<String, String> {
    snapshot
        .integrations
        .iter()
        .filter_map(|integration| {
            integration
                .tags
                .iter()
                .find_map(|tag| tag.strip_prefix(TEAM_TAG_PREFIX))
                .map(|team| (integration.name.clone(), team.to_owned()))
        })
        .collect()
}

/// The team view regrouped as one snapshot per workstation, so the report model (grades,
/// overdue facts, CSV rows) treats database rows like bundle rows: verified rows as
/// evidence, the others apart and stood for by a [`UNVERIFIED_FACT`] finding.
fn team_snapshots(view: TeamView, at: DateTime<Utc>) -> Vec<BoardSnapshot> {
    let mut by_workstation: BTreeMap<String, Grouped> = BTreeMap::new();
    for row in view.credentials {
        let entry = group(
            &mut by_workstation,
            at,
            &row.workstation,
            &row.hostname,
            &row.user,
        );
        if row.verified {
            entry.snapshot.credentials.push(row.credential);
        } else {
            entry
                .unverified_credentials
                .push((row.credential, row.trust));
        }
    }
    for row in view.integrations {
        let entry = group(&mut by_workstation, at, &row.workstation, &row.hostname, "");
        if row.verified {
            entry.snapshot.integrations.push(row.integration);
        } else {
            entry
                .unverified_integrations
                .push((row.integration.name, row.trust));
        }
    }
    by_workstation.into_values().map(Grouped::finish).collect()
}

/// One workstation's rows from the team database, sorted by trust.
struct Grouped {
    snapshot: Snapshot,
    unverified_credentials: Vec<(crate::report::CredentialSummary, RowTrust)>,
    unverified_integrations: Vec<(String, RowTrust)>,
}

impl Grouped {
    fn finish(self) -> BoardSnapshot {
        let Grouped {
            mut snapshot,
            unverified_credentials,
            unverified_integrations,
        } = self;
        let hostname = snapshot.workstation.hostname.clone();
        let mut findings = Vec::new();
        for (credential, trust) in &unverified_credentials {
            // Every scope the row could have counted in: a verified integration that
            // lists it or that it names (what it names is the attacker's to choose, so
            // never only that), else the workstation.
            let scopes: Vec<Option<String>> = snapshot
                .integrations
                .iter()
                .filter(|integration| {
                    integration.credentials.contains(&credential.name)
                        || credential.integration.as_deref() == Some(integration.name.as_str())
                })
                .map(|integration| Some(integration.name.clone()))
                .collect();
            let scopes = if scopes.is_empty() {
                vec![None]
            } else {
                scopes
            };
            for scope in scopes {
                findings.push(unverified_finding(
                    &hostname,
                    "credential",
                    &credential.name,
                    scope,
                    *trust,
                ));
            }
        }
        for (name, trust) in &unverified_integrations {
            findings.push(unverified_finding(
                &hostname,
                "integration",
                name,
                None,
                *trust,
            ));
        }
        snapshot.findings.extend(findings.iter().cloned());
        let unverified = (!unverified_credentials.is_empty()).then(|| Snapshot {
            credentials: unverified_credentials
                .into_iter()
                .map(|(credential, _)| credential)
                .collect(),
            findings,
            ..snapshot.clone()
        });
        BoardSnapshot {
            source: BoardSource::TeamDatabase,
            snapshot,
            unverified,
        }
    }
}

fn unverified_finding(
    hostname: &str,
    kind: &str,
    name: &str,
    integration: Option<String>,
    trust: RowTrust,
) -> FindingSummary {
    FindingSummary {
        source: "team".into(),
        id: UNVERIFIED_FACT.into(),
        severity: "high".into(),
        integration,
        credential: (kind == "credential").then(|| name.to_owned()),
        subject: format!("{kind} {name}"),
        message: format!(
            "the team database's {kind} row {name} of {hostname} is not evidence: {}",
            trust.describe()
        ),
        fix: Some(
            "confirm the workstation's key fingerprint with its owner and pin it (`keyward team-key trust WORKSTATION --fingerprint FP`) or import its signed bundle; an edited row verifies again after the workstation's next sync"
                .into(),
        ),
    }
}

fn group<'a>(
    by_workstation: &'a mut BTreeMap<String, Grouped>,
    pulled_at: DateTime<Utc>,
    id: &str,
    hostname: &str,
    user: &str,
) -> &'a mut Grouped {
    by_workstation
        .entry(id.to_owned())
        .or_insert_with(|| Grouped {
            snapshot: database_snapshot(Snapshot::build(
                Workstation {
                    id: id.to_owned(),
                    hostname: hostname.to_owned(),
                    user: user.to_owned(),
                },
                pulled_at,
                &[],
                &[],
                Vec::new(),
                0,
                true,
            )),
            unverified_credentials: Vec::new(),
            unverified_integrations: Vec::new(),
        })
}

/// A workstation known only from the team database: its rows carry no audit log, so
/// reports must not count its audit controls as passed.
fn database_snapshot(mut snapshot: Snapshot) -> Snapshot {
    snapshot.audit_unverified =
        Some("known only from the team database, which holds no audit log".into());
    snapshot
}

/// Credentials whose team fingerprint is held on more than one workstation.
fn shared_fingerprints(board: &[BoardSnapshot]) -> Vec<SharedFingerprint> {
    let mut holders: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for entry in board {
        for credential in &entry.snapshot.credentials {
            if let Some(fingerprint) = credential.team_fingerprint.as_deref() {
                holders.entry(fingerprint).or_default().push(format!(
                    "{}: {}",
                    entry.snapshot.workstation.hostname, credential.name
                ));
            }
        }
    }
    holders
        .into_iter()
        .filter(|(_, holders)| holders.len() > 1)
        .map(|(fingerprint, holders)| SharedFingerprint {
            fingerprint: fingerprint.to_owned(),
            holders,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_given_apart_joins_the_url_and_never_shows_in_the_error() {
        let url = url_with_password(
            "postgres://lead@db.example:5432/team",
            Some(SecretValue::from_string("hunter2".into())),
        )
        .unwrap();
        assert_eq!(
            url.expose_str(),
            Some("postgres://lead:hunter2@db.example:5432/team"),
            "the keychain keeps one URL that connects on its own"
        );
        let error = url_with_password("mysql://lead:hunter2@db/team", None)
            .err()
            .unwrap()
            .to_string();
        assert!(
            !error.contains("hunter2") && error.contains("***"),
            "a refused URL is named with its password redacted: {error}"
        );
        assert!(url_with_password("not a url", None).is_err());
    }
}
