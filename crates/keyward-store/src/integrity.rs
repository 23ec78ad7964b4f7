//! Row MACs: tamper evidence for the rows that decide where a secret may go.
//!
//! Someone who can write `keyward.db` but cannot read the keychain must not be able to
//! send a stored secret somewhere new by editing a row: an endpoint's URL, a
//! credential's allowed hosts, a rotation recipe, a pinned key. Each such row carries an
//! HMAC-SHA256 (in `row_macs`) under the home's integrity key, which lives in the
//! keychain. The MAC covers the table name, the row's id and the fields that matter
//! ([`Family`]), so a row's values cannot be moved to another row or another table.
//!
//! Every store function that writes a protected row seals it in the same transaction;
//! one that changes a row first [`check`]s it, so a legitimate edit never re-seals
//! values someone else put there. The service checks a row before it acts on it (see
//! `crates/keyward/src/service/integrity.rs`) and `audit verify` [`survey`]s them all.
//!
//! The key reaches SQLite as two functions registered on Keyward's own connection,
//! `keyward_mac(domain, id, field...)` and `keyward_mac_ok(mac, domain, id, field...)`.
//! They exist only in this process and are flagged DIRECTONLY, so no trigger, view or
//! generated column stored in the file can call them; the connection also runs with
//! triggers and views off (see `configure` in lib.rs), so nothing stored in the file can
//! change a row between Keyward's write and its seal. Until the service installs the
//! key, both functions fail rather than seal with nothing.
//!
//! Deleting a whole row can only take away a place a secret goes, never add one; a
//! deleted row whose MAC is still there is reported, one deleted together with its MAC
//! is not.

use std::sync::{Arc, Mutex};

use ring::hmac;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql};

use super::{Result, StoreError};

/// Settings whose change would weaken a check, sealed like the rows that decide where a
/// secret goes: how long a replaced value stays usable (`rotation.grace_hours`), which
/// leak findings later scans leave out (`scan.accepted`), the team database's CA file
/// (`team_database`, whose URL and password stay in the keychain). Settings with no
/// setter of their own, which users edit in the database (`policy.max_age_days`,
/// `review_every_days`), are not sealed.
pub const PROTECTED_SETTINGS: &[&str] = &["rotation.grace_hours", "scan.accepted", "team_database"];

/// Every MAC starts with this, so no other use of the key can produce the same input.
const DOMAIN: &[u8] = b"keyward inventory mac v1\n";

pub(crate) const MAC_FUNCTION: &str = "keyward_mac";
pub(crate) const CHECK_FUNCTION: &str = "keyward_mac_ok";

/// The integrity key of one open store, shared with the SQL functions.
#[derive(Clone, Default)]
pub(crate) struct KeySlot(Arc<Mutex<Option<hmac::Key>>>);

impl KeySlot {
    pub(crate) fn set(&self, key: &[u8]) {
        *self.0.lock().expect("integrity key lock") = Some(hmac::Key::new(hmac::HMAC_SHA256, key));
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.lock().expect("integrity key lock").is_some()
    }

    fn with<T>(&self, use_key: impl FnOnce(&hmac::Key) -> T) -> rusqlite::Result<T> {
        let guard = self.0.lock().expect("integrity key lock");
        let key = guard.as_ref().ok_or_else(|| {
            rusqlite::Error::UserFunctionError(
                "the inventory integrity key is not loaded from the keychain".into(),
            )
        })?;
        Ok(use_key(key))
    }
}

/// Registers `keyward_mac` and `keyward_mac_ok` on `connection`, computing with
/// whatever key `slot` holds when they are called.
pub(crate) fn register(connection: &Connection, slot: &KeySlot) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_DIRECTONLY;
    let key = slot.clone();
    connection.create_scalar_function(MAC_FUNCTION, -1, flags, move |context| {
        let message = material(context, 0)?;
        key.with(|key| hex::encode(hmac::sign(key, &message)))
    })?;
    let key = slot.clone();
    connection.create_scalar_function(CHECK_FUNCTION, -1, flags, move |context| {
        let Some(mac) = context
            .get_raw(0)
            .as_str_or_null()
            .map_err(|error| rusqlite::Error::UserFunctionError(error.into()))?
            .and_then(|text| hex::decode(text).ok())
        else {
            // No MAC, or not one Keyward wrote: the key is still required, so a check
            // without it fails instead of answering.
            return key.with(|_| false);
        };
        let message = material(context, 1)?;
        key.with(|key| hmac::verify(key, &message, &mac).is_ok())
    })?;
    Ok(())
}

/// The MAC input: the domain, then every argument from `start` on, each with a type tag
/// and a length so no two different argument lists encode alike.
fn material(context: &Context<'_>, start: usize) -> rusqlite::Result<Vec<u8>> {
    if context.len() < start + 2 {
        return Err(rusqlite::Error::UserFunctionError(
            "a MAC needs a domain and an id".into(),
        ));
    }
    let mut message = DOMAIN.to_vec();
    for index in start..context.len() {
        let (tag, bytes): (u8, Vec<u8>) = match context.get_raw(index) {
            ValueRef::Null => (b'n', Vec::new()),
            ValueRef::Integer(value) => (b'i', value.to_string().into_bytes()),
            ValueRef::Real(value) => (b'r', value.to_bits().to_be_bytes().to_vec()),
            ValueRef::Text(text) => (b't', text.to_vec()),
            ValueRef::Blob(blob) => (b'b', blob.to_vec()),
        };
        message.push(tag);
        message.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        message.extend_from_slice(&bytes);
    }
    Ok(message)
}

/// The kinds of protected rows. Each names its table, its id column, the fields its MAC
/// covers, and what those fields are called in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A credential's keychain slot, kind, storage, provider (whose default host it may
    /// reach), allowed hosts, plain-HTTP permission, token URL and rotation method.
    Credentials,
    /// An endpoint's integration, URL, auth method and the credential it sends.
    Endpoints,
    /// A credential's rotation setup: method, base URL, recipe, CA file, propagation
    /// files, signing CA.
    RotationSetups,
    /// A journaled rotation's credential, method and approved plan (the files a resumed
    /// rotation rewrites).
    Rotations,
    /// A trusted workstation's pinned signing key.
    Workstations,
    /// Settings whose change would weaken a check ([`PROTECTED_SETTINGS`]).
    Settings,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Credentials,
        Family::Endpoints,
        Family::RotationSetups,
        Family::Rotations,
        Family::Workstations,
        Family::Settings,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Endpoints => "endpoints",
            Self::RotationSetups => "rotation_setups",
            Self::Rotations => "rotations",
            Self::Workstations => "review_workstations",
            Self::Settings => "settings",
        }
    }

    fn id_column(self) -> &'static str {
        match self {
            Self::RotationSetups => "credential_id",
            Self::Settings => "key",
            _ => "id",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Credentials => &[
                "slot_id",
                "kind",
                "storage",
                "provider",
                "allowed_hosts",
                "allow_insecure",
                "token_url",
                "rotation_method",
            ],
            Self::Endpoints => &["integration_id", "url", "auth", "credential_id"],
            Self::RotationSetups => &["setup"],
            Self::Rotations => &["credential", "method", "plan"],
            Self::Workstations => &["public_key"],
            Self::Settings => &["value"],
        }
    }

    /// What the MAC protects, as a message names it.
    pub fn covers(self) -> &'static str {
        match self {
            Self::Credentials => {
                "kind, keychain slot, storage, provider, allowed hosts, plain-HTTP permission, token URL or rotation method"
            }
            Self::Endpoints => "URL, auth method, integration or credential",
            Self::RotationSetups => {
                "rotation setup (method, base URL, recipe, CA file, propagation files)"
            }
            Self::Rotations => "credential, method or approved plan (files to rewrite)",
            Self::Workstations => "pinned signing key",
            Self::Settings => "value",
        }
    }

    /// SQL (over alias `t`) naming the row for people.
    fn label(self) -> &'static str {
        match self {
            Self::Credentials => "'credential `' || t.name || '`'",
            Self::Endpoints => {
                "'endpoint of integration `' || coalesce((SELECT name FROM integrations WHERE id = t.integration_id), '?') || '`'"
            }
            Self::RotationSetups => {
                "'rotation setup of credential `' || coalesce((SELECT name FROM credentials WHERE id = t.credential_id), '?') || '`'"
            }
            Self::Rotations => "'rotation #' || t.id || ' of credential `' || t.credential || '`'",
            Self::Workstations => "'workstation `' || t.hostname || '`'",
            Self::Settings => "'setting `' || t.key || '`'",
        }
    }

    /// Which rows of the table are protected.
    fn filter(self) -> String {
        match self {
            Self::Settings => {
                let keys: Vec<String> = PROTECTED_SETTINGS
                    .iter()
                    .map(|key| format!("'{}'", key.replace('\'', "''")))
                    .collect();
                format!("t.key IN ({})", keys.join(", "))
            }
            _ => "1".to_owned(),
        }
    }

    /// `keyward_mac`'s (or, after `mac`, `keyward_mac_ok`'s) arguments for row `t`.
    fn arguments(self) -> String {
        let mut arguments = format!("'{}', t.{}", self.table(), self.id_column());
        for field in self.fields() {
            arguments.push_str(", t.");
            arguments.push_str(field);
        }
        arguments
    }

    fn join(self) -> String {
        format!(
            "{table} t LEFT JOIN row_macs m ON m.row_table = '{table}' AND m.row_id = t.{id}",
            table = self.table(),
            id = self.id_column()
        )
    }
}

/// A protected row that no longer matches its MAC, or one that is gone while its MAC
/// stayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFinding {
    pub family: Family,
    /// The row's id (`key` for settings) as text.
    pub row: String,
    /// How people call it (`credential `payments``); `None` when the row is gone.
    pub label: Option<String>,
    /// Whether the row is gone (its MAC is left) rather than changed.
    pub deleted: bool,
}

impl RowFinding {
    /// The error that refuses to act on this row.
    pub fn refusal(&self) -> StoreError {
        StoreError::Altered {
            table: self.family.table(),
            row: self.row.clone(),
            label: self.label.clone().unwrap_or_else(|| "a deleted row".into()),
            covers: self.family.covers(),
        }
    }
}

/// Seals one row of `family` (after an insert or an update): its MAC over the values
/// now stored. A missing row seals nothing.
pub fn seal(connection: &Connection, family: Family, id: &dyn ToSql) -> Result<()> {
    let sql = format!(
        "INSERT INTO row_macs (row_table, row_id, mac)
         SELECT '{table}', t.{id}, {MAC_FUNCTION}({arguments}) FROM {table} t
         WHERE t.{id} = ?1 AND {filter}
         ON CONFLICT (row_table, row_id) DO UPDATE SET mac = excluded.mac",
        table = family.table(),
        id = family.id_column(),
        arguments = family.arguments(),
        filter = family.filter(),
    );
    connection.prepare_cached(&sql)?.execute([id])?;
    Ok(())
}

/// Checks one row of `family` against its MAC: `Err(StoreError::Altered)` naming it if
/// the row differs from what Keyward sealed (or was never sealed). A missing row, or one
/// the family does not protect, passes.
pub fn check(connection: &Connection, family: Family, id: &dyn ToSql) -> Result<()> {
    let sql = format!(
        "SELECT t.{id_column}, {label}, {CHECK_FUNCTION}(m.mac, {arguments})
         FROM {join} WHERE t.{id_column} = ?1 AND {filter}",
        id_column = family.id_column(),
        label = family.label(),
        arguments = family.arguments(),
        join = family.join(),
        filter = family.filter(),
    );
    let found = connection
        .prepare_cached(&sql)?
        .query_row([id], |row| {
            Ok((
                row_id_text(row.get_ref(0)?),
                row.get::<_, Option<String>>(1)?,
                row.get::<_, bool>(2)?,
            ))
        })
        .optional()?;
    match found {
        Some((row, label, false)) => Err(RowFinding {
            family,
            row,
            label,
            deleted: false,
        }
        .refusal()),
        _ => Ok(()),
    }
}

/// Checks every row of `family` that `filter` (SQL over alias `t`, one `?1` parameter)
/// selects; the first altered one is the error.
pub fn check_where(
    connection: &Connection,
    family: Family,
    filter: &str,
    parameter: &dyn ToSql,
) -> Result<()> {
    let sql = format!(
        "SELECT t.{id_column}, {label} FROM {join}
         WHERE ({filter}) AND {family_filter} AND NOT {CHECK_FUNCTION}(m.mac, {arguments})
         ORDER BY t.{id_column} LIMIT 1",
        id_column = family.id_column(),
        label = family.label(),
        arguments = family.arguments(),
        join = family.join(),
        family_filter = family.filter(),
    );
    let found = connection
        .prepare_cached(&sql)?
        .query_row([parameter], |row| {
            Ok((
                row_id_text(row.get_ref(0)?),
                row.get::<_, Option<String>>(1)?,
            ))
        })
        .optional()?;
    match found {
        Some((row, label)) => Err(RowFinding {
            family,
            row,
            label,
            deleted: false,
        }
        .refusal()),
        None => Ok(()),
    }
}

/// Reseals the rows `filter` selects whose MAC verified before `change` ran: how a store
/// function keeps the seals of rows a cascade touched (a deleted credential's endpoints
/// lose their credential) without blessing rows that were already altered.
pub fn reseal_around(
    connection: &Connection,
    family: Family,
    filter: &str,
    parameter: &dyn ToSql,
    change: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT t.{id_column} FROM {join}
         WHERE ({filter}) AND {family_filter} AND {CHECK_FUNCTION}(m.mac, {arguments})",
        id_column = family.id_column(),
        arguments = family.arguments(),
        join = family.join(),
        family_filter = family.filter(),
    );
    let valid: Vec<Value> = connection
        .prepare_cached(&sql)?
        .query_map([parameter], |row| row.get::<_, Value>(0))?
        .collect::<rusqlite::Result<_>>()?;
    change()?;
    for id in &valid {
        seal(connection, family, id)?;
    }
    Ok(())
}

/// Drops the MAC of a row that was deleted.
pub fn forget(connection: &Connection, family: Family, id: &dyn ToSql) -> Result<()> {
    connection
        .prepare_cached("DELETE FROM row_macs WHERE row_table = ?1 AND row_id = ?2")?
        .execute(rusqlite::params![family.table(), id])?;
    Ok(())
}

/// Seals every protected row as it stands: once, when a home from before row MACs gets
/// its integrity key. Returns how many rows were sealed.
pub fn seal_all(connection: &Connection) -> Result<u64> {
    let mut sealed = 0;
    for family in Family::ALL {
        let sql = format!(
            "INSERT INTO row_macs (row_table, row_id, mac)
             SELECT '{table}', t.{id}, {MAC_FUNCTION}({arguments}) FROM {table} t WHERE {filter}
             ON CONFLICT (row_table, row_id) DO UPDATE SET mac = excluded.mac",
            table = family.table(),
            id = family.id_column(),
            arguments = family.arguments(),
            filter = family.filter(),
        );
        sealed += connection.execute(&sql, [])? as u64;
    }
    Ok(sealed)
}

/// Every protected row that fails its MAC, and every MAC left by a deleted row, in
/// family order.
pub fn survey(connection: &Connection) -> Result<Vec<RowFinding>> {
    let mut findings = Vec::new();
    for family in Family::ALL {
        let sql = format!(
            "SELECT t.{id_column}, {label} FROM {join}
             WHERE {filter} AND NOT {CHECK_FUNCTION}(m.mac, {arguments})
             ORDER BY t.{id_column}",
            id_column = family.id_column(),
            label = family.label(),
            arguments = family.arguments(),
            join = family.join(),
            filter = family.filter(),
        );
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok(RowFinding {
                family,
                row: row_id_text(row.get_ref(0)?),
                label: row.get(1)?,
                deleted: false,
            })
        })?;
        findings.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        let sql = format!(
            "SELECT m.row_id FROM row_macs m WHERE m.row_table = '{table}'
             AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{id} = m.row_id AND {filter})
             ORDER BY m.row_id",
            table = family.table(),
            id = family.id_column(),
            filter = family.filter(),
        );
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok(RowFinding {
                family,
                row: row_id_text(row.get_ref(0)?),
                label: None,
                deleted: true,
            })
        })?;
        findings.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    Ok(findings)
}

fn row_id_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Integer(id) => id.to_string(),
        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
        ValueRef::Null => "NULL".into(),
        ValueRef::Real(value) => value.to_string(),
        ValueRef::Blob(blob) => hex::encode(blob),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn store() -> Store {
        let store = Store::open_in_memory().unwrap();
        store.install_integrity_key(&[7; 32]);
        store
    }

    fn credential(connection: &Connection, name: &str, hosts: &str) -> i64 {
        connection
            .execute(
                "INSERT INTO credentials (slot_id, name, kind, created_at, rotated_at, fingerprint, value_length, storage, allowed_hosts)
                 VALUES (?1, ?1, 'token', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'f', 4, 'keychain', ?2)",
                [name, hosts],
            )
            .unwrap();
        let id = connection.last_insert_rowid();
        seal(connection, Family::Credentials, &id).unwrap();
        id
    }

    #[test]
    fn a_sealed_row_checks_until_a_covered_field_changes() {
        let store = store();
        let connection = store.connection();
        let id = credential(connection, "ci", r#"["api.example.com"]"#);
        check(connection, Family::Credentials, &id).unwrap();
        connection
            .execute(
                "UPDATE credentials SET notes = 'not covered' WHERE id = ?1",
                [id],
            )
            .unwrap();
        check(connection, Family::Credentials, &id).expect("notes are not covered");
        connection
            .execute(
                r#"UPDATE credentials SET allowed_hosts = '["evil.example"]' WHERE id = ?1"#,
                [id],
            )
            .unwrap();
        let error = check(connection, Family::Credentials, &id).unwrap_err();
        assert!(
            matches!(&error, StoreError::Altered { table: "credentials", row, .. } if *row == id.to_string()),
            "{error}"
        );
        assert!(error.to_string().contains("credential `ci`"), "{error}");
        assert_eq!(survey(connection).unwrap().len(), 1);
    }

    #[test]
    fn a_mac_is_bound_to_its_row_and_table() {
        let store = store();
        let connection = store.connection();
        let a = credential(connection, "a", "[]");
        let b = credential(connection, "b", "[]");
        // Swap the two rows' keychain slots together with their MACs: each row then
        // holds values and a MAC that were sealed together, for the other row.
        connection
            .execute_batch(&format!(
                "UPDATE credentials SET slot_id = 'swap' WHERE id = {a};
                 UPDATE credentials SET slot_id = 'a' WHERE id = {b};
                 UPDATE credentials SET slot_id = 'b' WHERE id = {a};
                 UPDATE row_macs SET row_id = -1 WHERE row_table = 'credentials' AND row_id = {a};
                 UPDATE row_macs SET row_id = {a} WHERE row_table = 'credentials' AND row_id = {b};
                 UPDATE row_macs SET row_id = {b} WHERE row_table = 'credentials' AND row_id = -1;"
            ))
            .unwrap();
        assert!(check(connection, Family::Credentials, &a).is_err());
        assert!(check(connection, Family::Credentials, &b).is_err());
    }

    #[test]
    fn a_row_without_a_mac_or_without_the_key_is_not_vouched_for() {
        let store = store();
        let connection = store.connection();
        connection
            .execute(
                "INSERT INTO credentials (slot_id, name, kind, created_at, rotated_at, fingerprint, value_length, storage)
                 VALUES ('s', 'by-hand', 'token', 't', 't', 'f', 4, 'keychain')",
                [],
            )
            .unwrap();
        let id = connection.last_insert_rowid();
        assert!(check(connection, Family::Credentials, &id).is_err());

        let keyless = Store::open_in_memory().unwrap();
        keyless
            .connection()
            .execute(
                "INSERT INTO credentials (slot_id, name, kind, created_at, rotated_at, fingerprint, value_length, storage)
                 VALUES ('s', 'x', 'token', 't', 't', 'f', 4, 'keychain')",
                [],
            )
            .unwrap();
        let id = keyless.connection().last_insert_rowid();
        let error = seal(keyless.connection(), Family::Credentials, &id).unwrap_err();
        assert!(
            error.to_string().contains("integrity key is not loaded"),
            "without the key nothing is sealed: {error}"
        );
    }

    #[test]
    fn triggers_stored_in_the_file_do_not_run_but_foreign_keys_still_cascade() {
        let store = store();
        let connection = store.connection();
        let id = credential(connection, "ci", "[]");
        connection
            .execute_batch(
                r#"CREATE TRIGGER rewrite AFTER UPDATE ON credentials BEGIN
                     UPDATE credentials SET allowed_hosts = '["evil.example"]' WHERE id = NEW.id;
                   END;"#,
            )
            .unwrap();
        connection
            .execute(
                "UPDATE credentials SET rotate_every_days = 9 WHERE id = ?1",
                [id],
            )
            .unwrap();
        let hosts: String = connection
            .query_row(
                "SELECT allowed_hosts FROM credentials WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(
            hosts, "[]",
            "a trigger in the file ran on Keyward's connection"
        );
        connection
            .execute(
                "INSERT INTO rotation_setups (credential_id, setup) VALUES (?1, '{}')",
                [id],
            )
            .unwrap();
        connection
            .execute("DELETE FROM credentials WHERE id = ?1", [id])
            .unwrap();
        let setups: i64 = connection
            .query_row("SELECT count(*) FROM rotation_setups", [], |row| row.get(0))
            .unwrap();
        assert_eq!(setups, 0, "ON DELETE CASCADE still works");
    }

    #[test]
    fn the_mac_functions_cannot_be_called_from_the_schema() {
        let store = store();
        let connection = store.connection();
        let error = connection
            .execute_batch(
                "CREATE TABLE t (a TEXT, b TEXT GENERATED ALWAYS AS (keyward_mac('x', a)) VIRTUAL);
                 INSERT INTO t (a) VALUES ('1');
                 SELECT b FROM t;",
            )
            .and_then(|()| {
                connection
                    .query_row("SELECT b FROM t", [], |row| row.get::<_, String>(0))
                    .map(|_| ())
            });
        assert!(error.is_err(), "a generated column computed a MAC");
    }
}
