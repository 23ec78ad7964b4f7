//! The `scan_findings` and `credential_verifications` tables: what scans found (redacted
//! and fingerprinted, never the secret) and what probes concluded about credentials.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError, from_db_time, to_db_time};
pub use keyward_model::leak::StoredFinding;
use keyward_model::leak::{CommitInfo, Finding, FindingKind, Verification, VerificationOutcome};

/// Which part of a root a scan covered; a scan only resolves findings of its own scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingScope {
    WorkingCopy,
    History,
}

/// A row with its times still as text; [`finish`] parses them.
type RawFinding = (StoredFinding, [String; 3], Option<String>, Option<String>);

const COLUMNS: &str = "id, fingerprint, rule, kind, provider, description, root, path, line, column_number,
    commit_id, commit_author, commit_date, redacted, vault_credential, credential_kind, first_seen, last_seen,
    resolved_at, confidence";

fn from_row(row: &Row<'_>) -> rusqlite::Result<RawFinding> {
    let commit_id: String = row.get(10)?;
    let commit_author: Option<String> = row.get(11)?;
    let commit_date: Option<String> = row.get(12)?;
    let kind: String = row.get(3)?;
    let credential_kind: String = row.get(15)?;
    let confidence: String = row.get(19)?;
    let finding = Finding {
        rule: row.get(2)?,
        kind: kind.parse().unwrap_or(FindingKind::Secret),
        provider: row.get(4)?,
        description: row.get(5)?,
        root: row.get(6)?,
        path: row.get(7)?,
        line: row.get(8)?,
        column: row.get(9)?,
        commit: (!commit_id.is_empty()).then(|| CommitInfo {
            id: commit_id,
            author: commit_author.unwrap_or_default(),
            date: DateTime::<Utc>::default(),
        }),
        redacted: row.get(13)?,
        fingerprint: row.get(1)?,
        vault_credential: row.get(14)?,
        credential_kind: credential_kind
            .parse()
            .unwrap_or(keyward_model::CredentialKind::Secret),
        confidence: confidence.parse().unwrap_or_default(),
    };
    let stored = StoredFinding {
        id: row.get(0)?,
        finding,
        first_seen: DateTime::<Utc>::default(),
        last_seen: DateTime::<Utc>::default(),
        resolved_at: None,
    };
    Ok((
        stored,
        [row.get(16)?, row.get(17)?, String::new()],
        row.get(18)?,
        commit_date,
    ))
}

fn finish(
    raw: (StoredFinding, [String; 3], Option<String>, Option<String>),
) -> Result<StoredFinding> {
    let (mut stored, [first, last, _], resolved, commit_date) = raw;
    stored.first_seen = from_db_time(&first)?;
    stored.last_seen = from_db_time(&last)?;
    stored.resolved_at = resolved.as_deref().map(from_db_time).transpose()?;
    if let (Some(commit), Some(date)) = (stored.finding.commit.as_mut(), commit_date) {
        commit.date = from_db_time(&date)?;
    }
    Ok(stored)
}

/// Records the findings of one scan of `root`: new ones are added, known ones refreshed
/// (and re-opened if they had been resolved), and open findings of the same root and
/// scope that this scan did not see are resolved.
pub fn record_scan(
    connection: &Connection,
    root: &str,
    scope: FindingScope,
    findings: &[Finding],
    now: DateTime<Utc>,
) -> Result<()> {
    let at = to_db_time(now);
    for finding in findings {
        let commit_id = finding
            .commit
            .as_ref()
            .map(|commit| commit.id.as_str())
            .unwrap_or("");
        connection.execute(
            "INSERT INTO scan_findings (fingerprint, rule, kind, provider, description, root, path, line, column_number,
                 commit_id, commit_author, commit_date, redacted, vault_credential, credential_kind, first_seen, last_seen,
                 confidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)
             ON CONFLICT (fingerprint, root, path, commit_id) DO UPDATE SET
                 line = excluded.line, column_number = excluded.column_number, kind = excluded.kind,
                 vault_credential = excluded.vault_credential, last_seen = excluded.last_seen, resolved_at = NULL,
                 redacted = excluded.redacted, confidence = excluded.confidence",
            params![
                finding.fingerprint,
                finding.rule,
                finding.kind.as_str(),
                finding.provider,
                finding.description,
                finding.root,
                finding.path,
                finding.line,
                finding.column,
                commit_id,
                finding.commit.as_ref().map(|commit| commit.author.as_str()),
                finding.commit.as_ref().map(|commit| to_db_time(commit.date)),
                finding.redacted,
                finding.vault_credential,
                finding.credential_kind.as_str(),
                at,
                finding.confidence.as_str(),
            ],
        )?;
    }
    let scope_condition = match scope {
        FindingScope::WorkingCopy => "commit_id = ''",
        FindingScope::History => "commit_id <> ''",
    };
    connection.execute(
        &format!(
            "UPDATE scan_findings SET resolved_at = ?1
             WHERE root = ?2 AND resolved_at IS NULL AND last_seen < ?1 AND {scope_condition}"
        ),
        params![at, root],
    )?;
    Ok(())
}

/// Findings, open ones only unless `include_resolved`.
pub fn list(connection: &Connection, include_resolved: bool) -> Result<Vec<StoredFinding>> {
    let filter = if include_resolved {
        ""
    } else {
        "WHERE resolved_at IS NULL"
    };
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM scan_findings {filter} ORDER BY root, path, line, id"
    ))?;
    let rows = statement.query_map([], from_row)?;
    rows.map(|row| finish(row?)).collect()
}

pub fn by_id(connection: &Connection, id: i64) -> Result<StoredFinding> {
    let raw = connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM scan_findings WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "finding",
            name: id.to_string(),
        })?;
    finish(raw)
}

/// Every distinct fingerprint stored, resolved findings included.
pub fn fingerprints(connection: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut statement = connection.prepare("SELECT DISTINCT fingerprint FROM scan_findings")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives every finding stored under fingerprint `from` the fingerprint `to` (the same
/// secret under a new key), keeping its id, times and state. Where a finding under `to`
/// is already stored at the same place, that one stays and the one under `from` goes.
/// Returns how many findings were re-keyed.
pub fn rekey(connection: &Connection, from: &str, to: &str) -> Result<usize> {
    let changed = connection.execute(
        "UPDATE OR IGNORE scan_findings SET fingerprint = ?2 WHERE fingerprint = ?1",
        params![from, to],
    )?;
    connection.execute("DELETE FROM scan_findings WHERE fingerprint = ?1", [from])?;
    Ok(changed)
}

pub fn resolve(connection: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        "UPDATE scan_findings SET resolved_at = ?1 WHERE id = ?2",
        params![to_db_time(now), id],
    )?;
    Ok(())
}

/// Stores a probe's verdict on a credential.
pub fn record_verification(connection: &Connection, verification: &Verification) -> Result<()> {
    let credential_id: i64 = connection
        .query_row(
            "SELECT id FROM credentials WHERE name = ?1",
            [&verification.credential],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "credential",
            name: verification.credential.clone(),
        })?;
    connection.execute(
        "INSERT INTO credential_verifications (credential_id, at, outcome, detail) VALUES (?1, ?2, ?3, ?4)",
        params![credential_id, to_db_time(verification.at), verification.outcome.as_str(), verification.detail],
    )?;
    Ok(())
}

/// The latest verification of each credential.
pub fn latest_verifications(connection: &Connection) -> Result<Vec<Verification>> {
    let mut statement = connection.prepare(
        "SELECT c.name, v.at, v.outcome, v.detail FROM credential_verifications v
         JOIN credentials c ON c.id = v.credential_id
         WHERE v.id = (SELECT id FROM credential_verifications w WHERE w.credential_id = v.credential_id
                       ORDER BY w.at DESC, w.id DESC LIMIT 1)",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (credential, at, outcome, detail) = row?;
        Ok(Verification {
            credential,
            at: from_db_time(&at)?,
            outcome: outcome.parse().unwrap_or(VerificationOutcome::Accepted),
            detail,
        })
    })
    .collect()
}

/// Names of credentials some integration endpoint uses.
pub fn credentials_bound_to_endpoints(connection: &Connection) -> Result<Vec<String>> {
    let mut statement = connection.prepare(
        "SELECT DISTINCT c.name FROM endpoints e JOIN credentials c ON c.id = e.credential_id ORDER BY c.name",
    )?;
    let rows = statement.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn finding(path: &str, fingerprint: &str) -> Finding {
        Finding {
            rule: "github-pat".into(),
            kind: FindingKind::Secret,
            provider: Some("GitHub".into()),
            description: "GitHub personal access token (classic)".into(),
            root: "/repo".into(),
            path: path.into(),
            line: 3,
            column: 7,
            commit: None,
            redacted: "ghp_abc…(40)".into(),
            fingerprint: fingerprint.into(),
            vault_credential: None,
            credential_kind: keyward_model::CredentialKind::Token,
            confidence: keyward_model::leak::Confidence::High,
        }
    }

    #[test]
    fn a_rescan_keeps_known_findings_and_resolves_vanished_ones() {
        let store = Store::open_in_memory().unwrap();
        let connection = store.connection();
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t1 = t0 + chrono::Duration::hours(1);
        record_scan(
            connection,
            "/repo",
            FindingScope::WorkingCopy,
            &[finding("a.env", "f1"), finding("b.env", "f2")],
            t0,
        )
        .unwrap();
        record_scan(
            connection,
            "/repo",
            FindingScope::WorkingCopy,
            &[finding("a.env", "f1")],
            t1,
        )
        .unwrap();
        let open = list(connection, false).unwrap();
        assert_eq!(open.len(), 1, "the finding no longer seen must be resolved");
        assert_eq!(
            open[0].first_seen, t0,
            "first_seen survives a rescan so the age of a leak is known"
        );
        assert_eq!(open[0].last_seen, t1);
        assert_eq!(list(connection, true).unwrap().len(), 2);
    }

    #[test]
    fn rekeying_keeps_a_findings_identity_and_state() {
        let store = Store::open_in_memory().unwrap();
        let connection = store.connection();
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // c.env is also stored under the new key already: that one stays.
        record_scan(
            connection,
            "/repo",
            FindingScope::WorkingCopy,
            &[
                finding("a.env", "old"),
                finding("b.env", "old"),
                finding("c.env", "old"),
                finding("c.env", "new"),
            ],
            t0,
        )
        .unwrap();
        let before = list(connection, true).unwrap();
        assert_eq!(before[1].finding.path, "b.env");
        resolve(connection, before[1].id, t0).unwrap();
        assert_eq!(rekey(connection, "old", "new").unwrap(), 2);
        let after = list(connection, true).unwrap();
        assert_eq!(after.len(), 3);
        assert!(
            after
                .iter()
                .all(|stored| stored.finding.fingerprint == "new")
        );
        let resolved = after
            .iter()
            .find(|stored| stored.id == before[1].id)
            .unwrap();
        assert_eq!(
            resolved.resolved_at,
            Some(t0),
            "the state moves with the finding"
        );
        assert_eq!(fingerprints(connection).unwrap(), ["new".to_owned()].into());
    }
}
