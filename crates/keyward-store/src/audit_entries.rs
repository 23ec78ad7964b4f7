//! The `audit_log` table. Rows are only ever inserted; the hash chain that makes edits
//! detectable is computed in `crate::audit`. Each row also carries a MAC of its hash
//! under the home's integrity key (integrity.rs), computed here as it is inserted, so an
//! entry cannot be added or rewritten without the keychain.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, integrity};

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
    /// Whether the row's MAC verifies under the integrity key: `None` when it was read
    /// without checking (listing), `Some(false)` for an entry Keyward did not write.
    pub authentic: Option<bool>,
}

/// The MAC domain of audit entries (a table name no row family uses).
const MAC_DOMAIN: &str = "audit_log";

/// Inserts `row` and its MAC (over domain, seq and hash); `authentic` is ignored.
pub fn insert(connection: &Connection, row: &AuditRow) -> Result<()> {
    let sql = format!(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash, mac)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {MAC}('{MAC_DOMAIN}', ?1, ?8))",
        MAC = integrity::MAC_FUNCTION
    );
    connection.prepare_cached(&sql)?.execute(params![
        row.seq,
        row.at,
        row.actor,
        row.action,
        row.subject,
        row.detail,
        row.prev_hash,
        row.hash
    ])?;
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

/// Every row in storage order with its MAC checked (needs the integrity key).
pub fn all_checked(connection: &Connection) -> Result<Vec<AuditRow>> {
    let mut statement = connection.prepare_cached(&format!("{SELECT_CHECKED} ORDER BY seq"))?;
    let rows = statement.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The rows from `seq` on, with their MACs checked: what a write looks at before it
/// extends the chain (the anchored entry and any newer one).
pub fn from_checked(connection: &Connection, seq: i64) -> Result<Vec<AuditRow>> {
    let mut statement =
        connection.prepare_cached(&format!("{SELECT_CHECKED} WHERE seq >= ?1 ORDER BY seq"))?;
    let rows = statement.query_map([seq], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// MACs every entry up to `through_seq` that has none: once, when a home from before
/// entry MACs gets its integrity key and the keychain anchor vouches for the chain up
/// to there. Returns how many entries were MACed.
pub fn seal_through(connection: &Connection, through_seq: i64) -> Result<u64> {
    Ok(connection.execute(
        &format!(
            "UPDATE audit_log SET mac = {MAC}('{MAC_DOMAIN}', seq, hash) WHERE seq <= ?1",
            MAC = integrity::MAC_FUNCTION
        ),
        [through_seq],
    )? as u64)
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
    "SELECT seq, at, actor, action, subject, detail, prev_hash, hash, NULL FROM audit_log";

const SELECT_CHECKED: &str = "SELECT seq, at, actor, action, subject, detail, prev_hash, hash,
    keyward_mac_ok(mac, 'audit_log', seq, hash) FROM audit_log";

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
        authentic: row.get(8)?,
    })
}
