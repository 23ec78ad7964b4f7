use chrono::{DateTime, SecondsFormat, Utc};

use super::StoreError;

/// Times are stored as RFC 3339 text in UTC with a fixed width, so they sort correctly
/// as strings and stay readable in the sqlite3 shell.
pub fn to_db_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_db_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| StoreError::Corrupt {
            field: "timestamp",
            detail: format!("`{text}`: {error}"),
        })
}
