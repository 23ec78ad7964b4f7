//! The `audit_log` table. Rows are only ever inserted; the hash chain that makes edits
//! detectable is computed in `crate::audit`.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// One audit row as stored. `at` stays text here: the chain hashes the exact stored
/// string, so re-formatting a time must never change what is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

pub fn insert(connection: &Connection, row: &AuditRow) -> Result<()> {
    connection.execute(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.subject,
            row.detail,
            row.prev_hash,
            row.hash
        ],
    )?;
    Ok(())
}

pub fn last(connection: &Connection) -> Result<Option<AuditRow>> {
    Ok(connection
        .query_row(&format!("{SELECT} ORDER BY seq DESC LIMIT 1"), [], read)
        .optional()?)
}

/// Every row in storage order (by `seq`), the order verification walks.
/// Whether any entry records `action` on a subject other than `except_subject`: a
/// question the dashboard asks on every refresh, answered without loading the log.
pub fn any_action(connection: &Connection, action: &str, except_subject: &str) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = ?1 AND subject <> ?2)",
        [action, except_subject],
        |row| row.get(0),
    )?)
}

pub fn all(connection: &Connection) -> Result<Vec<AuditRow>> {
    let mut statement = connection.prepare_cached(&format!("{SELECT} ORDER BY seq"))?;
    let rows = statement.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The entries one rotation wrote (its journaled steps), oldest first. Rotation entries
/// name their rotation in the detail's `rotation` field.
pub fn of_rotation(connection: &Connection, rotation_id: i64) -> Result<Vec<AuditRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "{SELECT} WHERE action = 'credential.rotate' AND json_extract(detail, '$.rotation') = ?1 ORDER BY seq"
    ))?;
    let rows = statement.query_map([rotation_id], read)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

const SELECT: &str =
    "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log";

fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        subject: row.get(4)?,
        detail: row.get(5)?,
        prev_hash: row.get(6)?,
        hash: row.get(7)?,
    })
}
