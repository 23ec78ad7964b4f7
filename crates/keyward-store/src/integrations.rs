//! The `integrations` and `endpoints` tables.

use rusqlite::{Connection, OptionalExtension, params};

use super::integrity::{self, Family};
use super::{Result, StoreError, from_db_time, to_db_time};
use keyward_model::{AuthMethod, Endpoint, Environment, Integration, NewIntegration};

pub fn id_by_name(connection: &Connection, name: &str) -> Result<i64> {
    connection
        .query_row(
            "SELECT id FROM integrations WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "integration",
            name: name.to_owned(),
        })
}

/// Inserts an integration and its endpoints; run it inside a transaction so a bad
/// endpoint leaves no half-made integration.
pub fn insert(
    connection: &Connection,
    new: &NewIntegration,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    connection
        .execute(
            "INSERT INTO integrations (name, provider, owner, environment, tags, notes, issuer, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                new.name,
                new.provider,
                new.owner,
                new.environment.as_str(),
                serde_json::to_string(&new.tags).expect("tags serialize"),
                new.notes,
                new.issuer,
                to_db_time(now),
            ],
        )
        .map_err(|error| StoreError::from_insert(error, "integration", &new.name))?;
    let integration_id = connection.last_insert_rowid();
    for endpoint in &new.endpoints {
        add_endpoint(
            connection,
            integration_id,
            &endpoint.url,
            &endpoint.auth,
            endpoint.credential.as_deref(),
        )?;
    }
    Ok(integration_id)
}

/// Checks the endpoints of an integration against their MACs: `StoreError::Altered`
/// naming the first whose URL, auth method or credential was changed outside Keyward.
pub fn check_endpoints(connection: &Connection, integration_id: i64) -> Result<()> {
    integrity::check_where(
        connection,
        Family::Endpoints,
        "t.integration_id = ?1",
        &integration_id,
    )
}

/// Checks one endpoint against its MAC.
pub fn check_endpoint(connection: &Connection, endpoint_id: i64) -> Result<()> {
    integrity::check(connection, Family::Endpoints, &endpoint_id)
}

/// Replaces an integration's details and its endpoints; run it inside a transaction.
/// Refused when a current endpoint was changed outside Keyward: the edit was made from
/// a read of them and would seal what someone else wrote.
pub fn update(connection: &Connection, integration_id: i64, new: &NewIntegration) -> Result<()> {
    check_endpoints(connection, integration_id)?;
    connection.execute(
        "UPDATE integrations SET provider = ?2, owner = ?3, environment = ?4, tags = ?5, notes = ?6, issuer = ?7
         WHERE id = ?1",
        params![
            integration_id,
            new.provider,
            new.owner,
            new.environment.as_str(),
            serde_json::to_string(&new.tags).expect("tags serialize"),
            new.notes,
            new.issuer,
        ],
    )?;
    for endpoint in endpoint_ids(connection, integration_id)? {
        integrity::forget(connection, Family::Endpoints, &endpoint)?;
    }
    connection.execute(
        "DELETE FROM endpoints WHERE integration_id = ?1",
        [integration_id],
    )?;
    for endpoint in &new.endpoints {
        add_endpoint(
            connection,
            integration_id,
            &endpoint.url,
            &endpoint.auth,
            endpoint.credential.as_deref(),
        )?;
    }
    Ok(())
}

pub fn add_endpoint(
    connection: &Connection,
    integration_id: i64,
    url: &str,
    auth: &AuthMethod,
    credential: Option<&str>,
) -> Result<i64> {
    let credential_id: Option<i64> = match credential {
        Some(name) => Some(
            connection
                .query_row(
                    "SELECT id FROM credentials WHERE name = ?1",
                    [name],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    what: "credential",
                    name: name.to_owned(),
                })?,
        ),
        None => None,
    };
    connection
        .execute(
            "INSERT INTO endpoints (integration_id, url, auth, credential_id) VALUES (?1, ?2, ?3, ?4)",
            params![integration_id, url, auth.to_string(), credential_id],
        )
        .map_err(|error| StoreError::from_insert(error, "endpoint", url))?;
    let id = connection.last_insert_rowid();
    integrity::seal(connection, Family::Endpoints, &id)?;
    Ok(id)
}

pub fn count(connection: &Connection) -> Result<u64> {
    let count: i64 =
        connection.query_row("SELECT count(*) FROM integrations", [], |row| row.get(0))?;
    Ok(count as u64)
}

pub fn list(connection: &Connection) -> Result<Vec<Integration>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, name, provider, owner, environment, tags, notes, issuer, created_at
         FROM integrations ORDER BY name",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, Option<String>>(6)?,
            row.get::<_, Option<String>>(7)?,
            row.get::<_, String>(8)?,
        ))
    })?;
    let mut endpoints = all_endpoints(connection)?;
    let mut integrations = Vec::new();
    for row in rows {
        let (id, name, provider, owner, environment, tags, notes, issuer, created_at) = row?;
        integrations.push(Integration {
            id,
            name,
            provider,
            owner,
            environment: environment.parse::<Environment>().map_err(|detail| {
                StoreError::Corrupt {
                    field: "environment",
                    detail,
                }
            })?,
            tags: serde_json::from_str(&tags).map_err(|error| StoreError::Corrupt {
                field: "tags",
                detail: error.to_string(),
            })?,
            notes,
            issuer,
            created_at: from_db_time(&created_at)?,
            endpoints: endpoints.remove(&id).unwrap_or_default(),
        });
    }
    Ok(integrations)
}

pub fn by_name(connection: &Connection, name: &str) -> Result<Integration> {
    // Few integrations exist per home (tens to hundreds), so reading all and picking one
    // keeps a single row-decoding path.
    list(connection)?
        .into_iter()
        .find(|integration| integration.name == name)
        .ok_or_else(|| StoreError::NotFound {
            what: "integration",
            name: name.to_owned(),
        })
}

/// Deletes an integration; its endpoints (and their MACs) go with it.
pub fn delete(connection: &Connection, name: &str) -> Result<bool> {
    let id = match id_by_name(connection, name) {
        Ok(id) => id,
        Err(StoreError::NotFound { .. }) => return Ok(false),
        Err(error) => return Err(error),
    };
    for endpoint in endpoint_ids(connection, id)? {
        integrity::forget(connection, Family::Endpoints, &endpoint)?;
    }
    Ok(connection.execute("DELETE FROM integrations WHERE id = ?1", [id])? > 0)
}

fn endpoint_ids(connection: &Connection, integration_id: i64) -> Result<Vec<i64>> {
    let mut statement =
        connection.prepare_cached("SELECT id FROM endpoints WHERE integration_id = ?1")?;
    let ids = statement.query_map([integration_id], |row| row.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

fn all_endpoints(connection: &Connection) -> Result<std::collections::HashMap<i64, Vec<Endpoint>>> {
    let mut statement = connection.prepare_cached(
        "SELECT e.integration_id, e.id, e.url, e.auth, c.name
         FROM endpoints e LEFT JOIN credentials c ON c.id = e.credential_id ORDER BY e.id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut by_integration: std::collections::HashMap<i64, Vec<Endpoint>> = Default::default();
    for row in rows {
        let (integration_id, id, url, auth, credential) = row?;
        let auth = auth
            .parse::<AuthMethod>()
            .map_err(|detail| StoreError::Corrupt {
                field: "endpoint auth method",
                detail,
            })?;
        by_integration
            .entry(integration_id)
            .or_default()
            .push(Endpoint {
                id,
                url,
                auth,
                credential,
            });
    }
    Ok(by_integration)
}
