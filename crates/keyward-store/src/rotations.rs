//! The `rotations` table: one row per rotation attempt of a credential.

use chrono::{DateTime, Utc};
pub use keyward_model::rotation::RotationRecord;
use keyward_model::rotation::{RotationMethod, RotationState};
use rusqlite::{Connection, params};

use super::integrity::{self, Family};
use super::{Result, StoreError, from_db_time, to_db_time};

pub fn insert(connection: &Connection, record: &RotationRecord) -> Result<i64> {
    connection.execute(
        "INSERT INTO rotations (credential_id, credential, method, state, started_at, finished_at, detail)
         VALUES ((SELECT id FROM credentials WHERE name = ?1), ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            record.credential,
            record.method.as_str(),
            record.state.as_str(),
            to_db_time(record.started_at),
            record.finished_at.map(to_db_time),
            record.detail,
        ],
    )?;
    let id = connection.last_insert_rowid();
    integrity::seal(connection, Family::Rotations, &id)?;
    Ok(id)
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
            method: parse_method(&method)?,
            state: parse_state(&state)?,
            started_at: from_db_time(&started_at)?,
            finished_at: finished_at.as_deref().map(from_db_time).transpose()?,
            detail,
        });
    }
    Ok(records)
}

/// A rotation as the journal keeps it: everything needed to resume it after a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub id: i64,
    pub credential: String,
    pub method: RotationMethod,
    pub state: RotationState,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// JSON of what the user approved (files to rewrite); never a secret.
    pub plan: Option<String>,
    pub new_key_id: Option<String>,
    pub old_key_id: Option<String>,
    pub grace_until: Option<DateTime<Utc>>,
    /// Whether the replaced value still sits in the keychain.
    pub previous_kept: bool,
    pub error: Option<String>,
}

const JOURNAL_COLUMNS: &str =
    "id, credential, method, state, started_at, finished_at, plan, new_key_id,
    old_key_id, grace_until, previous_kept, error";

fn journal_rows(
    connection: &Connection,
    filter: &str,
    parameters: &[&dyn rusqlite::ToSql],
) -> Result<Vec<JournalRow>> {
    let mut statement =
        connection.prepare_cached(&format!("SELECT {JOURNAL_COLUMNS} FROM rotations {filter}"))?;
    let rows = statement.query_map(parameters, |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, Option<String>>(6)?,
            row.get::<_, Option<String>>(7)?,
            row.get::<_, Option<String>>(8)?,
            row.get::<_, Option<String>>(9)?,
            row.get::<_, bool>(10)?,
            row.get::<_, Option<String>>(11)?,
        ))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (
            id,
            credential,
            method,
            state,
            started_at,
            finished_at,
            plan,
            new_key_id,
            old_key_id,
            grace_until,
            previous_kept,
            error,
        ) = row?;
        found.push(JournalRow {
            id,
            credential,
            method: parse_method(&method)?,
            state: parse_state(&state)?,
            started_at: from_db_time(&started_at)?,
            finished_at: finished_at.as_deref().map(from_db_time).transpose()?,
            plan,
            new_key_id,
            old_key_id,
            grace_until: grace_until.as_deref().map(from_db_time).transpose()?,
            previous_kept,
            error,
        });
    }
    Ok(found)
}

fn parse_state(text: &str) -> Result<RotationState> {
    text.parse().map_err(|_| StoreError::Corrupt {
        field: "rotation state",
        detail: format!("`{text}` is not a rotation state"),
    })
}

fn parse_method(text: &str) -> Result<RotationMethod> {
    text.parse().map_err(|_| StoreError::Corrupt {
        field: "rotation method",
        detail: format!("`{text}` is not a rotation method"),
    })
}

/// Opens a rotation in state `planned` and journals that first step.
pub fn start(
    connection: &Connection,
    credential: &str,
    method: RotationMethod,
    plan: &str,
    old_key_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO rotations (credential_id, credential, method, state, started_at, updated_at, plan, old_key_id)
         VALUES ((SELECT id FROM credentials WHERE name = ?1), ?1, ?2, 'planned', ?3, ?3, ?4, ?5)",
        params![credential, method.as_str(), to_db_time(at), plan, old_key_id],
    )?;
    let id = connection.last_insert_rowid();
    integrity::seal(connection, Family::Rotations, &id)?;
    connection.execute(
        "INSERT INTO rotation_steps (rotation_id, state, at, message) VALUES (?1, 'planned', ?2, 'rotation planned')",
        params![id, to_db_time(at)],
    )?;
    Ok(id)
}

/// Checks a journaled rotation against its MAC before it is resumed:
/// `StoreError::Altered` if its credential, method or approved plan (the files it
/// rewrites) were changed outside Keyward.
pub fn check(connection: &Connection, id: i64) -> Result<()> {
    integrity::check(connection, Family::Rotations, &id)
}

pub fn by_id(connection: &Connection, id: i64) -> Result<JournalRow> {
    journal_rows(connection, "WHERE id = ?1", &[&id])?
        .pop()
        .ok_or_else(|| super::StoreError::NotFound {
            what: "rotation",
            name: format!("#{id}"),
        })
}

/// Rotations that neither finished nor rolled back, oldest first.
pub fn unfinished(connection: &Connection) -> Result<Vec<JournalRow>> {
    journal_rows(
        connection,
        "WHERE state NOT IN ('done', 'rolled-back') ORDER BY id",
        &[],
    )
}

/// A credential's rotation history, newest first.
pub fn history(connection: &Connection, credential: &str) -> Result<Vec<JournalRow>> {
    journal_rows(
        connection,
        "WHERE credential = ?1 ORDER BY id DESC",
        &[&credential],
    )
}

/// Finished rotations whose replaced value is still kept in the keychain.
pub fn keeping_previous(connection: &Connection) -> Result<Vec<JournalRow>> {
    journal_rows(
        connection,
        "WHERE previous_kept = 1 AND state = 'done' ORDER BY id",
        &[],
    )
}

/// Moves a rotation to `state` and journals the step. `new_key_id` and `error` are kept
/// when `None` is passed.
pub fn record_step(
    connection: &Connection,
    id: i64,
    state: RotationState,
    at: DateTime<Utc>,
    message: &str,
    new_key_id: Option<&str>,
    error: Option<&str>,
) -> Result<()> {
    let finished = state.is_final().then(|| to_db_time(at));
    connection.execute(
        "UPDATE rotations SET state = ?2, updated_at = ?3, finished_at = COALESCE(?4, finished_at),
            new_key_id = COALESCE(?5, new_key_id), error = COALESCE(?6, error), detail = ?7
         WHERE id = ?1",
        params![
            id,
            state.as_str(),
            to_db_time(at),
            finished,
            new_key_id,
            error,
            message
        ],
    )?;
    connection.execute(
        "INSERT INTO rotation_steps (rotation_id, state, at, message) VALUES (?1, ?2, ?3, ?4)",
        params![id, state.as_str(), to_db_time(at), message],
    )?;
    Ok(())
}

/// Records whether the replaced value is kept, and until when.
pub fn set_previous(
    connection: &Connection,
    id: i64,
    kept: bool,
    grace_until: Option<DateTime<Utc>>,
) -> Result<()> {
    connection.execute(
        "UPDATE rotations SET previous_kept = ?2, grace_until = COALESCE(?3, grace_until) WHERE id = ?1",
        params![id, kept, grace_until.map(to_db_time)],
    )?;
    Ok(())
}

/// The journaled steps of one rotation, in order: `(state, at, message)`.
pub fn steps(
    connection: &Connection,
    id: i64,
) -> Result<Vec<(RotationState, DateTime<Utc>, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT state, at, message FROM rotation_steps WHERE rotation_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (state, at, message) = row?;
        found.push((parse_state(&state)?, from_db_time(&at)?, message));
    }
    Ok(found)
}

/// The rotation setup (JSON) of a credential, if it has one.
pub fn setup(connection: &Connection, credential: &str) -> Result<Option<String>> {
    Ok(setup_row(connection, credential)?.map(|(_, setup)| setup))
}

/// [`setup`], checked against its MAC first: `StoreError::Altered` if the recipe, base
/// URL, CA file or propagation files were changed outside Keyward.
pub fn setup_checked(connection: &Connection, credential: &str) -> Result<Option<String>> {
    let Some((id, setup)) = setup_row(connection, credential)? else {
        return Ok(None);
    };
    integrity::check(connection, Family::RotationSetups, &id)?;
    Ok(Some(setup))
}

fn setup_row(connection: &Connection, credential: &str) -> Result<Option<(i64, String)>> {
    use rusqlite::OptionalExtension;
    Ok(connection
        .query_row(
            "SELECT s.credential_id, s.setup FROM rotation_setups s JOIN credentials c ON c.id = s.credential_id WHERE c.name = ?1",
            [credential],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

/// Stores a credential's rotation setup (JSON), replacing any earlier one. Every field
/// is given, so an earlier setup is replaced whole and not checked first.
pub fn set_setup(connection: &Connection, credential: &str, setup: &str) -> Result<()> {
    let changed = connection.execute(
        "INSERT INTO rotation_setups (credential_id, setup) SELECT id, ?2 FROM credentials WHERE name = ?1
         ON CONFLICT(credential_id) DO UPDATE SET setup = excluded.setup",
        params![credential, setup],
    )?;
    if changed == 0 {
        return Err(super::StoreError::NotFound {
            what: "credential",
            name: credential.to_owned(),
        });
    }
    let id: i64 = connection.query_row(
        "SELECT id FROM credentials WHERE name = ?1",
        [credential],
        |row| row.get(0),
    )?;
    integrity::seal(connection, Family::RotationSetups, &id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn credential(connection: &Connection, name: &str) {
        connection
            .execute(
                "INSERT INTO credentials (slot_id, name, kind, created_at, rotated_at, fingerprint, value_length, storage)
                 VALUES (?1, ?1, 'token', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'f', 4, 'keychain')",
                [name],
            )
            .unwrap();
    }

    #[test]
    fn a_rotation_is_unfinished_until_done_and_keeps_every_step() {
        let store = Store::open_in_memory().unwrap();
        store.install_integrity_key(&[7; 32]);
        let connection = store.connection();
        credential(connection, "ci");
        let at = Utc::now();
        let id = start(connection, "ci", RotationMethod::Generate, "{}", None, at).unwrap();
        assert_eq!(unfinished(connection).unwrap().len(), 1);
        record_step(
            connection,
            id,
            RotationState::Created,
            at,
            "made",
            Some("k2"),
            None,
        )
        .unwrap();
        record_step(
            connection,
            id,
            RotationState::Done,
            at,
            "finished",
            None,
            None,
        )
        .unwrap();
        assert!(
            unfinished(connection).unwrap().is_empty(),
            "a done rotation is not resumed"
        );
        let row = by_id(connection, id).unwrap();
        assert_eq!(
            row.new_key_id.as_deref(),
            Some("k2"),
            "a later step must not erase the new key's id"
        );
        assert!(row.finished_at.is_some());
        let states: Vec<RotationState> = steps(connection, id)
            .unwrap()
            .into_iter()
            .map(|(state, _, _)| state)
            .collect();
        assert_eq!(
            states,
            [
                RotationState::Planned,
                RotationState::Created,
                RotationState::Done
            ]
        );
    }

    #[test]
    fn setups_follow_their_credential() {
        let store = Store::open_in_memory().unwrap();
        store.install_integrity_key(&[7; 32]);
        let connection = store.connection();
        credential(connection, "ci");
        set_setup(connection, "ci", r#"{"method":"generate"}"#).unwrap();
        set_setup(connection, "ci", r#"{"method":"http"}"#).unwrap();
        assert_eq!(
            setup(connection, "ci").unwrap().as_deref(),
            Some(r#"{"method":"http"}"#)
        );
        assert!(matches!(
            set_setup(connection, "nope", "{}"),
            Err(super::super::StoreError::NotFound { .. })
        ));
        connection
            .execute("DELETE FROM credentials WHERE name = 'ci'", [])
            .unwrap();
        assert_eq!(
            setup(connection, "ci").unwrap(),
            None,
            "a deleted credential's setup goes with it"
        );
    }
}
