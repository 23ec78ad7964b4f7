//! Key/value settings of a home: the vault id and user preferences.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::integrity::{self, Family};

/// The setting that names this home's keychain entries.
pub const VAULT_ID: &str = "vault_id";

/// Settings whose change would weaken a check, sealed like the rows that decide where a
/// secret goes: the list lives with the MACs (integrity.rs), which must know it without
/// depending on this module.
pub use super::integrity::PROTECTED_SETTINGS as PROTECTED;

pub fn is_protected(key: &str) -> bool {
    PROTECTED.contains(&key)
}

pub fn get(connection: &Connection, key: &str) -> Result<Option<String>> {
    Ok(connection
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

/// A [`PROTECTED`] setting, checked against its MAC first: `StoreError::Altered` if it
/// was changed outside Keyward. Other keys read as [`get`] does.
pub fn get_checked(connection: &Connection, key: &str) -> Result<Option<String>> {
    if is_protected(key) {
        integrity::check(connection, Family::Settings, &key)?;
    }
    get(connection, key)
}

pub fn set(connection: &Connection, key: &str, value: &str) -> Result<()> {
    connection.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    if is_protected(key) {
        integrity::seal(connection, Family::Settings, &key)?;
    }
    Ok(())
}

/// Removes a setting; removing one that is not set succeeds.
pub fn remove(connection: &Connection, key: &str) -> Result<()> {
    connection.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    if is_protected(key) {
        integrity::forget(connection, Family::Settings, &key)?;
    }
    Ok(())
}

pub fn all(connection: &Connection) -> Result<Vec<(String, String)>> {
    let mut statement = connection.prepare("SELECT key, value FROM settings ORDER BY key")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The settings whose key starts with `prefix` (caches kept per item, such as
/// `jwt-expiry:FINGERPRINT`).
pub fn with_prefix(connection: &Connection, prefix: &str) -> Result<Vec<(String, String)>> {
    let mut statement = connection
        .prepare_cached("SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1")?;
    let rows = statement.query_map([prefix], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
