//! The team board: one table of every credential a security lead can see (this
//! workstation, the workstations whose bundles this home imported, and the team
//! database as last pulled) and the saved connection to that database.
//!
//! The database URL may carry a password, so it is kept whole in the keychain, never in
//! SQLite; settings hold only its redacted form and the CA path. The team view last
//! pulled is kept in settings as JSON (metadata only, the same rows a bundle carries)
//! so the board opens without a network round trip; each row's signature was checked
//! when it was pulled and the outcome travels with the row.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bundles::SharedFingerprint;
use super::{Keyward, Team};
use crate::audit::{self, AuditAction};
use crate::model::SecretValue;
use crate::report::document::{CredentialRow, SEVERITIES};
use crate::report::{Snapshot, Workstation};
use crate::store::settings;
use crate::team::{SyncOutcome, TeamView, redact_url};
use crate::vault::Slot;
use crate::{Error, Result};

/// Settings key of the saved connection (redacted target and CA path, as JSON).
const TEAM_DATABASE_SETTING: &str = "team_database";
/// Settings key of the team view last pulled (JSON).
const TEAM_VIEW_SETTING: &str = "team_view";
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
    view: TeamView,
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
    /// False for a team-database row whose signature did not check out: shown, never
    /// trusted.
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
    /// Rows whose team-database signature failed.
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

/// A snapshot on the board with where it came from and which of its credential rows
/// failed their signature check.
pub(crate) struct BoardSnapshot {
    pub source: BoardSource,
    pub snapshot: Snapshot,
    pub altered: HashSet<String>,
}

/// What the rows of one snapshot share on the board.
struct RowOrigin {
    source: BoardSource,
    workstation: Workstation,
    altered: HashSet<String>,
    teams: BTreeMap<String, String>,
    count: usize,
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
        let view = self.team_view(text, ca)?;
        let info = TeamDatabaseInfo {
            target: redact_url(text),
            ca: ca.map(|path| path.display().to_string()),
            pulled_at: None,
        };
        self.vault.store(&team_database_slot(), &url)?;
        let pulled = PulledView {
            pulled_at: self.now(),
            view,
        };
        let setting = serde_json::to_string(&info).expect("settings serialize");
        let cached = serde_json::to_string(&pulled).expect("team views serialize");
        let detail = serde_json::json!({"target": info.target, "ca": info.ca, "rows": pulled.view.credentials.len()});
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
            view: self.team_view(text, ca)?,
        };
        let cached = serde_json::to_string(&pulled).expect("team views serialize");
        let detail =
            serde_json::json!({"target": info.target, "rows": pulled.view.credentials.len()});
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
                altered: entry.altered.clone(),
                teams: teams(&entry.snapshot),
                count: entry.snapshot.credentials.len(),
            })
            .collect();
        let shared_fingerprints = shared_fingerprints(&board);
        let report = self.report_from(board.into_iter().map(|entry| entry.snapshot).collect())?;
        // The report lists each snapshot's credentials in order, so its rows line up
        // with the snapshots they came from.
        let mut rows = Vec::with_capacity(report.rows.len());
        let mut report_rows = report.rows.into_iter();
        for origin in &sources {
            for row in report_rows.by_ref().take(origin.count) {
                rows.push(BoardRow {
                    source: origin.source,
                    workstation_id: origin.workstation.id.clone(),
                    user: origin.workstation.user.clone(),
                    team: origin
                        .teams
                        .get(&row.integration)
                        .cloned()
                        .unwrap_or_default(),
                    verified: !origin.altered.contains(&row.name),
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
            overdue_rotations: rows.iter().filter(|row| row.row.rotation_overdue).count() as u32,
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

impl Keyward {
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
            altered: HashSet::new(),
        }];
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(board[0].snapshot.workstation.id.clone());
        for snapshot in self.review().review_overview()?.snapshots {
            if seen.insert(snapshot.workstation.id.clone()) {
                board.push(BoardSnapshot {
                    source: BoardSource::Bundle,
                    snapshot,
                    altered: HashSet::new(),
                });
            }
        }
        if let Some(pulled) = self.pulled_view()? {
            board.extend(
                team_snapshots(pulled)
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
/// overdue facts, CSV rows) treats database rows like bundle rows.
fn team_snapshots(pulled: PulledView) -> Vec<BoardSnapshot> {
    let mut by_workstation: BTreeMap<String, BoardSnapshot> = BTreeMap::new();
    let at = pulled.pulled_at;
    for row in pulled.view.credentials {
        let board = workstation_entry(
            &mut by_workstation,
            at,
            &row.workstation,
            &row.hostname,
            &row.user,
        );
        if !row.verified {
            board.altered.insert(row.credential.name.clone());
        }
        board.snapshot.credentials.push(row.credential);
    }
    for row in pulled.view.integrations {
        workstation_entry(&mut by_workstation, at, &row.workstation, &row.hostname, "")
            .snapshot
            .integrations
            .push(row.integration);
    }
    by_workstation.into_values().collect()
}

fn workstation_entry<'a>(
    by_workstation: &'a mut BTreeMap<String, BoardSnapshot>,
    pulled_at: DateTime<Utc>,
    id: &str,
    hostname: &str,
    user: &str,
) -> &'a mut BoardSnapshot {
    by_workstation
        .entry(id.to_owned())
        .or_insert_with(|| BoardSnapshot {
            source: BoardSource::TeamDatabase,
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
            altered: HashSet::new(),
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
