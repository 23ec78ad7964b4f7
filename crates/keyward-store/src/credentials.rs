//! The `credentials` table: metadata of every credential, and for large values the
//! sealed ciphertext (never plaintext).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::integrity::{self, Family};
use super::{Result, StoreError, from_db_time, to_db_time};
use keyward_model::{CertificateInfo, Credential, CredentialKind, StorageKind};

/// A credential row with the fields only the service layer needs: the id of its keychain
/// slot and, for enveloped values, the sealed bytes.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub credential: Credential,
    pub slot_id: String,
    pub sealed_value: Option<Vec<u8>>,
}

const COLUMNS: &str = "c.id, c.name, c.kind, c.provider, i.name, c.created_at, c.rotated_at,
    c.expires_at, c.rotate_every_days, c.rotation_method, c.allowed_hosts, c.allow_insecure,
    c.token_url, c.fingerprint, c.value_length, c.storage, c.certificate, c.notes,
    c.slot_id, c.sealed_value";

fn select(filter: &str) -> String {
    format!(
        "SELECT {COLUMNS} FROM credentials c LEFT JOIN integrations i ON i.id = c.integration_id {filter}"
    )
}

/// Inserts a credential; `credential.id` is ignored and the new id returned.
pub fn insert(connection: &Connection, stored: &StoredCredential) -> Result<i64> {
    let credential = &stored.credential;
    let integration_id = match &credential.integration {
        Some(name) => Some(super::integrations::id_by_name(connection, name)?),
        None => None,
    };
    connection
        .execute(
            "INSERT INTO credentials (slot_id, name, kind, provider, integration_id, created_at,
                rotated_at, expires_at, rotate_every_days, rotation_method, allowed_hosts,
                allow_insecure, token_url, fingerprint, value_length, storage, sealed_value,
                certificate, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                stored.slot_id,
                credential.name,
                credential.kind.as_str(),
                credential.provider,
                integration_id,
                to_db_time(credential.created_at),
                to_db_time(credential.rotated_at),
                credential.expires_at.map(to_db_time),
                credential.rotate_every_days,
                credential.rotation_method,
                json(&credential.allowed_hosts),
                credential.allow_insecure,
                credential.token_url,
                credential.fingerprint,
                credential.value_length,
                credential.storage.as_str(),
                stored.sealed_value,
                credential.certificate.as_ref().map(json),
                credential.notes,
            ],
        )
        .map_err(|error| StoreError::from_insert(error, "credential", &credential.name))?;
    let id = connection.last_insert_rowid();
    integrity::seal(connection, Family::Credentials, &id)?;
    Ok(id)
}

/// Checks a stored credential's row against its MAC before its value is used:
/// `StoreError::Altered` if its allowed hosts, kind, slot or the other protected fields
/// were changed outside Keyward.
pub fn check(connection: &Connection, id: i64) -> Result<()> {
    integrity::check(connection, Family::Credentials, &id)
}

/// The id of the credential `name`, for the updates below (which are keyed by name).
fn id_of(connection: &Connection, name: &str) -> Result<i64> {
    connection
        .prepare_cached("SELECT id FROM credentials WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "credential",
            name: name.to_owned(),
        })
}

/// Runs `update` on credential `id` between a check of its MAC (so an edit never
/// re-seals values changed outside Keyward) and a new seal.
fn sealed_update(
    connection: &Connection,
    id: i64,
    update: impl FnOnce() -> Result<()>,
) -> Result<()> {
    integrity::check(connection, Family::Credentials, &id)?;
    update()?;
    integrity::seal(connection, Family::Credentials, &id)
}

pub fn list(connection: &Connection) -> Result<Vec<StoredCredential>> {
    let mut statement = connection.prepare_cached(&select("ORDER BY c.name"))?;
    let rows = statement.query_map([], read_row)?;
    rows.map(|row| row?).collect()
}

pub fn by_name(connection: &Connection, name: &str) -> Result<StoredCredential> {
    find_by_name(connection, name)?.ok_or_else(|| StoreError::NotFound {
        what: "credential",
        name: name.to_owned(),
    })
}

pub fn find_by_name(connection: &Connection, name: &str) -> Result<Option<StoredCredential>> {
    let mut statement = connection.prepare_cached(&select("WHERE c.name = ?1"))?;
    statement
        .query_row([name], read_row)
        .optional()?
        .transpose()
}

pub fn count(connection: &Connection) -> Result<u64> {
    let count: i64 =
        connection.query_row("SELECT count(*) FROM credentials", [], |row| row.get(0))?;
    Ok(count.max(0) as u64)
}

/// Deletes by name; returns whether a row was there. Its rotation setup goes with it;
/// endpoints that sent it keep their seal (if they had a valid one) without it.
pub fn delete(connection: &Connection, name: &str) -> Result<bool> {
    let Some(id) = connection
        .prepare_cached("SELECT id FROM credentials WHERE name = ?1")?
        .query_row([name], |row| row.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(false);
    };
    let mut deleted = false;
    integrity::reseal_around(
        connection,
        Family::Endpoints,
        "t.credential_id = ?1",
        &id,
        || {
            deleted = connection.execute("DELETE FROM credentials WHERE id = ?1", [id])? > 0;
            Ok(())
        },
    )?;
    integrity::forget(connection, Family::Credentials, &id)?;
    integrity::forget(connection, Family::RotationSetups, &id)?;
    Ok(deleted)
}

/// Renames a credential, carrying its rotation history and the leak findings that name
/// it along, so a rename (the way out for a name stored before the naming rule) loses
/// nothing. The id, keychain slot and every id-keyed row stay as they are.
pub fn rename(connection: &Connection, id: i64, old: &str, new: &str) -> Result<()> {
    let changed = connection.execute(
        "UPDATE credentials SET name = ?2 WHERE id = ?1",
        params![id, new],
    )?;
    require_changed(changed, old)?;
    // The journal names its credential, and that name is sealed with it.
    let rotations: Vec<i64> = connection
        .prepare_cached("SELECT id FROM rotations WHERE credential_id = ?1")?
        .query_map([id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for rotation in &rotations {
        integrity::check(connection, Family::Rotations, rotation)?;
    }
    connection.execute(
        "UPDATE rotations SET credential = ?2 WHERE credential_id = ?1",
        params![id, new],
    )?;
    for rotation in &rotations {
        integrity::seal(connection, Family::Rotations, rotation)?;
    }
    connection.execute(
        "UPDATE scan_findings SET vault_credential = ?2 WHERE vault_credential = ?1",
        params![old, new],
    )?;
    Ok(())
}

/// Records a new current value: its fingerprint, length, storage and the time it was set.
pub fn update_value(
    connection: &Connection,
    name: &str,
    fingerprint: &str,
    value_length: u32,
    storage: StorageKind,
    sealed_value: Option<&[u8]>,
    rotated_at: DateTime<Utc>,
) -> Result<()> {
    let id = id_of(connection, name)?;
    sealed_update(connection, id, || {
        connection.execute(
            "UPDATE credentials SET fingerprint = ?2, value_length = ?3, storage = ?4,
                sealed_value = ?5, rotated_at = ?6 WHERE id = ?1",
            params![
                id,
                fingerprint,
                value_length,
                storage.as_str(),
                sealed_value,
                to_db_time(rotated_at)
            ],
        )?;
        Ok(())
    })
}

/// Sets the rotation period and method.
pub fn update_rotation(
    connection: &Connection,
    name: &str,
    rotate_every_days: Option<u32>,
    rotation_method: Option<&str>,
) -> Result<()> {
    let id = id_of(connection, name)?;
    sealed_update(connection, id, || {
        connection.execute(
            "UPDATE credentials SET rotate_every_days = ?2, rotation_method = ?3 WHERE id = ?1",
            params![id, rotate_every_days, rotation_method],
        )?;
        Ok(())
    })
}

/// Updates the fields a user edits by hand.
pub fn update_details(connection: &Connection, credential: &Credential) -> Result<()> {
    let integration_id = match &credential.integration {
        Some(name) => Some(super::integrations::id_by_name(connection, name)?),
        None => None,
    };
    // Checked first even though every protected field it writes is given: the caller
    // built `credential` from a read of this row, and the kind and slot stay as stored.
    integrity::check(connection, Family::Credentials, &credential.id)?;
    let changed = connection.execute(
        "UPDATE credentials SET provider = ?2, integration_id = ?3, expires_at = ?4,
            rotate_every_days = ?5, allowed_hosts = ?6, allow_insecure = ?7, token_url = ?8,
            notes = ?9 WHERE id = ?1",
        params![
            credential.id,
            credential.provider,
            integration_id,
            credential.expires_at.map(to_db_time),
            credential.rotate_every_days,
            json(&credential.allowed_hosts),
            credential.allow_insecure,
            credential.token_url,
            credential.notes,
        ],
    )?;
    require_changed(changed, &credential.name)?;
    integrity::seal(connection, Family::Credentials, &credential.id)
}

fn require_changed(changed: usize, name: &str) -> Result<()> {
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "credential",
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("inventory metadata serializes to JSON")
}

fn corrupt(field: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        field,
        detail: detail.to_string(),
    }
}

/// Reads one row. The outer `rusqlite::Result` is SQLite's; the inner one reports values
/// SQLite returned but Keyward cannot interpret.
fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredCredential>> {
    let kind: String = row.get(2)?;
    let created_at: String = row.get(5)?;
    let rotated_at: String = row.get(6)?;
    let expires_at: Option<String> = row.get(7)?;
    let allowed_hosts: String = row.get(10)?;
    let storage: String = row.get(15)?;
    let certificate: Option<String> = row.get(16)?;
    let raw = (
        row.get::<_, i64>(0)?,
        row.get::<_, String>(1)?,
        row.get::<_, Option<String>>(3)?,
        row.get::<_, Option<String>>(4)?,
        row.get::<_, Option<u32>>(8)?,
        row.get::<_, Option<String>>(9)?,
        row.get::<_, bool>(11)?,
        row.get::<_, Option<String>>(12)?,
        row.get::<_, String>(13)?,
        row.get::<_, u32>(14)?,
        row.get::<_, Option<String>>(17)?,
        row.get::<_, String>(18)?,
        row.get::<_, Option<Vec<u8>>>(19)?,
    );
    Ok((|| {
        let (
            id,
            name,
            provider,
            integration,
            rotate_every_days,
            rotation_method,
            allow_insecure,
            token_url,
            fingerprint,
            value_length,
            notes,
            slot_id,
            sealed_value,
        ) = raw;
        let credential = Credential {
            id,
            kind: kind
                .parse::<CredentialKind>()
                .map_err(|error| corrupt("credential kind", error))?,
            provider,
            integration,
            created_at: from_db_time(&created_at)?,
            rotated_at: from_db_time(&rotated_at)?,
            expires_at: expires_at.as_deref().map(from_db_time).transpose()?,
            rotate_every_days,
            rotation_method,
            allowed_hosts: serde_json::from_str(&allowed_hosts)
                .map_err(|error| corrupt("allowed hosts", error))?,
            allow_insecure,
            token_url,
            fingerprint,
            value_length,
            storage: storage
                .parse::<StorageKind>()
                .map_err(|_| corrupt("storage kind", &storage))?,
            certificate: certificate
                .as_deref()
                .map(serde_json::from_str::<CertificateInfo>)
                .transpose()
                .map_err(|error| corrupt("certificate details", error))?,
            notes,
            name,
        };
        Ok(StoredCredential {
            credential,
            slot_id,
            sealed_value,
        })
    })())
}

/// Replaces the certificate details after a client certificate was renewed.
pub fn update_certificate(
    connection: &Connection,
    name: &str,
    certificate: &CertificateInfo,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let changed = connection.execute(
        "UPDATE credentials SET certificate = ?2, expires_at = ?3 WHERE name = ?1",
        params![name, json(certificate), to_db_time(expires_at)],
    )?;
    require_changed(changed, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn credential(connection: &Connection, name: &str, hosts: &str) -> i64 {
        connection
            .execute(
                "INSERT INTO credentials (slot_id, name, kind, created_at, rotated_at, fingerprint, value_length, storage, allowed_hosts)
                 VALUES (?1, ?1, 'token', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'f', 4, 'keychain', ?2)",
                [name, hosts],
            )
            .unwrap();
        let id = connection.last_insert_rowid();
        integrity::seal(connection, Family::Credentials, &id).unwrap();
        id
    }

    #[test]
    fn a_cascade_reseals_only_rows_that_were_valid() {
        let store = Store::open_in_memory().unwrap();
        store.install_integrity_key(&[7; 32]);
        let connection = store.connection();
        let credential_id = credential(connection, "ci", "[]");
        connection
            .execute(
                "INSERT INTO integrations (name, provider, owner, environment, created_at) VALUES ('i', 'p', 'o', 'prod', 't')",
                [],
            )
            .unwrap();
        let integration = connection.last_insert_rowid();
        let mut endpoints = Vec::new();
        for url in ["https://a.example", "https://b.example"] {
            connection
                .execute(
                    "INSERT INTO endpoints (integration_id, url, auth, credential_id) VALUES (?1, ?2, 'bearer', ?3)",
                    rusqlite::params![integration, url, credential_id],
                )
                .unwrap();
            let id = connection.last_insert_rowid();
            integrity::seal(connection, Family::Endpoints, &id).unwrap();
            endpoints.push(id);
        }
        connection
            .execute(
                "UPDATE endpoints SET url = 'https://evil.example' WHERE id = ?1",
                [endpoints[1]],
            )
            .unwrap();
        delete(connection, "ci").unwrap();
        integrity::check(connection, Family::Endpoints, &endpoints[0])
            .expect("resealed without its credential");
        assert!(
            integrity::check(connection, Family::Endpoints, &endpoints[1]).is_err(),
            "an altered row stays altered through a cascade"
        );
    }
}
