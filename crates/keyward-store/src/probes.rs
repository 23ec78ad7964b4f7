//! The `probe_results` table: every probe of every target, newest last. The report is
//! kept as JSON text written and read by the probe layer; this module only knows the
//! columns that history, regressions and scheduling look things up by.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, from_db_time, to_db_time};

/// One stored probe result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRow {
    pub id: i64,
    pub target: String,
    pub integration: Option<String>,
    pub probed_at: DateTime<Utc>,
    pub grade: Option<String>,
    pub error: Option<String>,
    pub finding_ids: Vec<String>,
    /// The report, JSON.
    pub report: String,
    /// What got worse since the previous result, JSON (`[]` when nothing did).
    pub regressions: String,
}

/// A result to store; `integration` is a name that must exist, if given.
#[derive(Debug, Clone)]
pub struct NewProbeRow<'a> {
    pub target: &'a str,
    pub integration: Option<&'a str>,
    pub probed_at: DateTime<Utc>,
    pub grade: Option<&'a str>,
    pub error: Option<&'a str>,
    pub finding_ids: &'a [String],
    pub report: &'a str,
    pub regressions: &'a str,
}

const COLUMNS: &str =
    "p.id, p.target, i.name, p.probed_at, p.grade, p.error, p.finding_ids, p.report, p.regressions";

pub fn insert(connection: &Connection, row: &NewProbeRow<'_>) -> Result<i64> {
    let integration_id = match row.integration {
        Some(name) => Some(super::integrations::id_by_name(connection, name)?),
        None => None,
    };
    connection.execute(
        "INSERT INTO probe_results (target, integration_id, probed_at, grade, error, finding_ids, report, regressions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.target,
            integration_id,
            to_db_time(row.probed_at),
            row.grade,
            row.error,
            serde_json::to_string(row.finding_ids).expect("ids serialize"),
            row.report,
            row.regressions,
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

/// The newest result for `target` that completed (had no error): what a new result is
/// compared with.
pub fn latest_completed(connection: &Connection, target: &str) -> Result<Option<ProbeRow>> {
    connection
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM probe_results p LEFT JOIN integrations i ON i.id = p.integration_id
                 WHERE p.target = ?1 AND p.error IS NULL ORDER BY p.probed_at DESC, p.id DESC LIMIT 1"
            ),
            [target],
            read_row,
        )
        .optional()?
        .transpose()
}

/// Results for one integration's endpoints, newest first.
pub fn for_integration(
    connection: &Connection,
    integration: &str,
    limit: u32,
) -> Result<Vec<ProbeRow>> {
    query(
        connection,
        &format!(
            "SELECT {COLUMNS} FROM probe_results p JOIN integrations i ON i.id = p.integration_id
             WHERE i.name = ?1 ORDER BY p.probed_at DESC, p.id DESC LIMIT ?2"
        ),
        params![integration, limit],
    )
}

/// Results for one target URL, newest first.
pub fn for_target(connection: &Connection, target: &str, limit: u32) -> Result<Vec<ProbeRow>> {
    query(
        connection,
        &format!(
            "SELECT {COLUMNS} FROM probe_results p LEFT JOIN integrations i ON i.id = p.integration_id
             WHERE p.target = ?1 ORDER BY p.probed_at DESC, p.id DESC LIMIT ?2"
        ),
        params![target, limit],
    )
}

/// Results since `since` that recorded a regression, newest first.
pub fn regressions_since(connection: &Connection, since: DateTime<Utc>) -> Result<Vec<ProbeRow>> {
    query(
        connection,
        &format!(
            "SELECT {COLUMNS} FROM probe_results p LEFT JOIN integrations i ON i.id = p.integration_id
             WHERE p.probed_at >= ?1 AND p.regressions <> '[]' ORDER BY p.probed_at DESC, p.id DESC"
        ),
        params![to_db_time(since)],
    )
}

/// Every integration with at least one endpoint, with when it was last probed.
pub fn last_probed_by_integration(
    connection: &Connection,
) -> Result<Vec<(String, Option<DateTime<Utc>>)>> {
    let mut statement = connection.prepare(
        "SELECT i.name, (SELECT MAX(p.probed_at) FROM probe_results p WHERE p.integration_id = i.id)
         FROM integrations i WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.integration_id = i.id)
         ORDER BY i.name",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, at) = row?;
        out.push((name, at.as_deref().map(from_db_time).transpose()?));
    }
    Ok(out)
}

fn query(
    connection: &Connection,
    sql: &str,
    parameters: impl rusqlite::Params,
) -> Result<Vec<ProbeRow>> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map(parameters, read_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<ProbeRow>> {
    let probed_at: String = row.get(3)?;
    let finding_ids: String = row.get(6)?;
    let assembled = (|| {
        Ok(ProbeRow {
            id: row.get(0)?,
            target: row.get(1)?,
            integration: row.get(2)?,
            probed_at: from_db_time(&probed_at)?,
            grade: row.get(4)?,
            error: row.get(5)?,
            finding_ids: serde_json::from_str(&finding_ids).map_err(|error| {
                super::StoreError::Corrupt {
                    field: "probe finding ids",
                    detail: error.to_string(),
                }
            })?,
            report: row.get(7)?,
            regressions: row.get(8)?,
        })
    })();
    Ok(assembled)
}

/// The newest completed result of every target: what reports show as current posture.
pub fn latest_completed_per_target(connection: &Connection) -> Result<Vec<ProbeRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM probe_results p LEFT JOIN integrations i ON i.id = p.integration_id
         WHERE p.error IS NULL AND p.id = (
             SELECT q.id FROM probe_results q WHERE q.target = p.target AND q.error IS NULL
             ORDER BY q.probed_at DESC, q.id DESC LIMIT 1)
         ORDER BY p.target"
    ))?;
    let rows = statement.query_map([], read_row)?;
    rows.map(|row| row?).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn row<'a>(
        target: &'a str,
        at: DateTime<Utc>,
        grade: Option<&'a str>,
        error: Option<&'a str>,
    ) -> NewProbeRow<'a> {
        NewProbeRow {
            target,
            integration: None,
            probed_at: at,
            grade,
            error,
            finding_ids: &[],
            report: "{}",
            regressions: "[]",
        }
    }

    #[test]
    fn the_comparison_base_is_the_newest_completed_result() {
        let store = Store::open_in_memory().unwrap();
        let connection = store.connection();
        let t0 = Utc::now();
        insert(connection, &row("https://a.test/", t0, Some("A"), None)).unwrap();
        insert(
            connection,
            &row(
                "https://a.test/",
                t0 + chrono::Duration::hours(1),
                None,
                Some("timeout"),
            ),
        )
        .unwrap();
        insert(
            connection,
            &row(
                "https://b.test/",
                t0 + chrono::Duration::hours(2),
                Some("F"),
                None,
            ),
        )
        .unwrap();
        let latest = latest_completed(connection, "https://a.test/")
            .unwrap()
            .expect("a completed result");
        assert_eq!(
            latest.grade.as_deref(),
            Some("A"),
            "an errored probe says nothing about posture and must not become the base"
        );
        assert_eq!(
            for_target(connection, "https://a.test/", 10).unwrap().len(),
            2
        );
        assert!(
            latest_completed(connection, "https://c.test/")
                .unwrap()
                .is_none()
        );
    }
}
