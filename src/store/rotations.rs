//! The `rotations` table: one row per rotation attempt of a credential.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::{Result, from_db_time, to_db_time};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationRecord {
    pub id: i64,
    pub credential: String,
    pub method: String,
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}

pub fn insert(connection: &Connection, record: &RotationRecord) -> Result<i64> {
    connection.execute(
        "INSERT INTO rotations (credential_id, credential, method, state, started_at, finished_at, detail)
         VALUES ((SELECT id FROM credentials WHERE name = ?1), ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            record.credential,
            record.method,
            record.state,
            to_db_time(record.started_at),
            record.finished_at.map(to_db_time),
            record.detail,
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

pub fn for_credential(connection: &Connection, credential: &str) -> Result<Vec<RotationRecord>> {
    read(
        connection,
        "WHERE credential = ?1 ORDER BY id DESC",
        [credential],
    )
}

/// Every rotation of every credential, oldest first.
pub fn all(connection: &Connection) -> Result<Vec<RotationRecord>> {
    read(connection, "ORDER BY id", [])
}

fn read(
    connection: &Connection,
    filter: &str,
    parameters: impl rusqlite::Params,
) -> Result<Vec<RotationRecord>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT id, credential, method, state, started_at, finished_at, detail FROM rotations {filter}"
    ))?;
    let rows = statement.query_map(parameters, |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut records = Vec::new();
    for row in rows {
        let (id, credential, method, state, started_at, finished_at, detail) = row?;
        records.push(RotationRecord {
            id,
            credential,
            method,
            state,
            started_at: from_db_time(&started_at)?,
            finished_at: finished_at.as_deref().map(from_db_time).transpose()?,
            detail,
        });
    }
    Ok(records)
}
