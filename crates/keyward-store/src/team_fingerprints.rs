//! The `team_fingerprints` table: vault fingerprint -> team fingerprint.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::Result;

pub fn upsert(connection: &Connection, fingerprint: &str, team_fingerprint: &str) -> Result<()> {
    connection.execute(
        "INSERT INTO team_fingerprints (fingerprint, team_fingerprint) VALUES (?1, ?2)
         ON CONFLICT(fingerprint) DO UPDATE SET team_fingerprint = excluded.team_fingerprint",
        params![fingerprint, team_fingerprint],
    )?;
    Ok(())
}

pub fn all(connection: &Connection) -> Result<HashMap<String, String>> {
    let mut statement =
        connection.prepare_cached("SELECT fingerprint, team_fingerprint FROM team_fingerprints")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets every mapping (the team key changed).
pub fn clear(connection: &Connection) -> Result<()> {
    connection.execute("DELETE FROM team_fingerprints", [])?;
    Ok(())
}
