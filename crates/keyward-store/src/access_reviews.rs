//! The `access_reviews` table: a reviewer's keep/rotate/revoke decisions.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{Result, from_db_time, to_db_time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessReviewRow {
    pub subject_kind: String,
    pub subject: String,
    pub decision: String,
    pub note: Option<String>,
    pub reviewer: String,
    pub reviewed_at: DateTime<Utc>,
}

pub fn insert(connection: &Connection, row: &AccessReviewRow) -> Result<()> {
    connection.execute(
        "INSERT INTO access_reviews (subject_kind, subject, decision, note, reviewer, reviewed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            row.subject_kind,
            row.subject,
            row.decision,
            row.note,
            row.reviewer,
            to_db_time(row.reviewed_at)
        ],
    )?;
    Ok(())
}

/// Every decision, oldest first.
pub fn all(connection: &Connection) -> Result<Vec<AccessReviewRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT subject_kind, subject, decision, note, reviewer, reviewed_at FROM access_reviews ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut reviews = Vec::new();
    for row in rows {
        let (subject_kind, subject, decision, note, reviewer, reviewed_at) = row?;
        reviews.push(AccessReviewRow {
            subject_kind,
            subject,
            decision,
            note,
            reviewer,
            reviewed_at: from_db_time(&reviewed_at)?,
        });
    }
    Ok(reviews)
}
