//! The `review_workstations` table: trusted workstation keys and their latest snapshot.

use rusqlite::{Connection, OptionalExtension, params};

use super::integrity::{self, Family};
use super::{Result, from_db_time, to_db_time};

/// A workstation the reviewer trusts.
#[derive(Debug, Clone)]
pub struct TrustedWorkstation {
    pub id: String,
    /// Base64 Ed25519 public key the workstation is pinned to.
    pub public_key: String,
    pub hostname: String,
    pub user: String,
    pub trusted_at: chrono::DateTime<chrono::Utc>,
    pub last_sequence: u64,
    pub imported_at: chrono::DateTime<chrono::Utc>,
    /// The snapshot as JSON; the store does not know the report types above it.
    pub snapshot_json: String,
}

pub fn find(connection: &Connection, id: &str) -> Result<Option<TrustedWorkstation>> {
    let mut statement = connection.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?;
    statement.query_row([id], read).optional()?.transpose()
}

pub fn all(connection: &Connection) -> Result<Vec<TrustedWorkstation>> {
    let mut statement = connection.prepare_cached(&format!("{SELECT} ORDER BY hostname, id"))?;
    let rows = statement.query_map([], read)?;
    rows.map(|row| row?).collect()
}

/// Checks a workstation's pinned key against its MAC before a bundle is trusted on it:
/// `StoreError::Altered` if the key was replaced outside Keyward.
pub fn check(connection: &Connection, id: &str) -> Result<()> {
    integrity::check(connection, Family::Workstations, &id)
}

/// Inserts or replaces a workstation's row (trust and latest snapshot together). The
/// pinned key of a known workstation is kept, and checked first.
pub fn upsert(connection: &Connection, workstation: &TrustedWorkstation) -> Result<()> {
    check(connection, &workstation.id)?;
    connection.execute(
        "INSERT INTO review_workstations (id, public_key, hostname, user, trusted_at, last_sequence, imported_at, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET hostname = excluded.hostname, user = excluded.user,
             last_sequence = excluded.last_sequence, imported_at = excluded.imported_at,
             snapshot = excluded.snapshot",
        params![
            workstation.id,
            workstation.public_key,
            workstation.hostname,
            workstation.user,
            to_db_time(workstation.trusted_at),
            workstation.last_sequence as i64,
            to_db_time(workstation.imported_at),
            workstation.snapshot_json,
        ],
    )?;
    integrity::seal(connection, Family::Workstations, &workstation.id)
}

pub fn delete(connection: &Connection, id: &str) -> Result<bool> {
    let deleted = connection.execute("DELETE FROM review_workstations WHERE id = ?1", [id])? > 0;
    integrity::forget(connection, Family::Workstations, &id)?;
    Ok(deleted)
}

const SELECT: &str = "SELECT id, public_key, hostname, user, trusted_at, last_sequence, imported_at, snapshot FROM review_workstations";

fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<TrustedWorkstation>> {
    let trusted_at: String = row.get(4)?;
    let imported_at: String = row.get(6)?;
    let snapshot: String = row.get(7)?;
    let sequence: i64 = row.get(5)?;
    let (id, public_key, hostname, user): (String, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    Ok((|| {
        Ok(TrustedWorkstation {
            id,
            public_key,
            hostname,
            user,
            trusted_at: from_db_time(&trusted_at)?,
            last_sequence: sequence.max(0) as u64,
            imported_at: from_db_time(&imported_at)?,
            snapshot_json: snapshot,
        })
    })())
}
