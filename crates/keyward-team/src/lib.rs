//! The team inventory on PostgreSQL: every workstation upserts its snapshot rows into a
//! shared, versioned schema; a lead reads them back with each row's signature checked
//! against the workstation keys the lead pinned.
//!
//! Rows are tagged with the workstation and signed with its Ed25519 key over the exact
//! JSON text stored, so a row edited in the database no longer verifies. The database
//! also lists each workstation's public key, but whoever can edit rows can edit that
//! list too: a reader trusts only keys pinned on its own side ([`PinnedKeys`]), and the
//! database's key serves to name an unknown or changed key (see [`view`]). A sync is
//! one transaction under a per-workstation advisory lock: concurrent syncs of different
//! workstations touch disjoint rows, syncs of the same workstation queue, and rows of
//! credentials removed locally are deleted, so nothing is lost or duplicated.
//!
//! The connection is verified TLS unless the user explicitly asks for plain text, and
//! plain text is refused before the password is sent (see [`transport`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use keyward_model::SecretValue;
use keyward_report::Snapshot;
use keyward_report::bundle::key_fingerprint;

mod redact;
pub mod transport;
pub mod view;

pub use redact::{redact_text, redact_url};
pub use view::{
    KeyTrust, PinnedKeys, RowTrust, SignedRow, TeamCredential, TeamIntegration, TeamRows, TeamView,
    WorkstationKey,
};

use transport::{Place, Plan, Security};

/// Schema versions this build knows; migration `n` brings the schema to version `n`.
const MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE keyward_workstations (
        id              TEXT PRIMARY KEY,
        hostname        TEXT NOT NULL,
        username        TEXT NOT NULL,
        public_key      TEXT NOT NULL,
        key_fingerprint TEXT NOT NULL,
        first_sync      TIMESTAMPTZ NOT NULL,
        last_sync       TIMESTAMPTZ NOT NULL,
        sync_count      BIGINT NOT NULL
    );
    CREATE TABLE keyward_rows (
        workstation_id TEXT NOT NULL REFERENCES keyward_workstations(id) ON DELETE CASCADE,
        kind           TEXT NOT NULL CHECK (kind IN ('credential', 'integration')),
        name           TEXT NOT NULL,
        owner          TEXT,
        environment    TEXT,
        fingerprint    TEXT,
        overdue        BOOLEAN NOT NULL DEFAULT FALSE,
        row_json       TEXT NOT NULL,
        signature      TEXT NOT NULL,
        synced_at      TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (workstation_id, kind, name)
    );
    CREATE INDEX keyward_rows_by_fingerprint ON keyward_rows (fingerprint);
    CREATE INDEX keyward_rows_by_owner ON keyward_rows (owner);
"#];

pub const TEAM_SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;
pub(crate) const ROW_CONTEXT: &[u8] = b"keyward-team-row-v1\0";
/// Arbitrary constant naming Keyward's schema-migration advisory lock.
const MIGRATION_LOCK: i64 = 0x006b_6579_7761_7264;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("team database {target}: {reason}")]
    Connect { target: String, reason: String },

    #[error("team database {target}: {reason}")]
    Database { target: String, reason: String },

    #[error(
        "team database {target} has schema version {found}, newer than this Keyward supports ({supported}); upgrade Keyward"
    )]
    SchemaTooNew {
        target: String,
        found: i32,
        supported: i32,
    },

    #[error(
        "team database {target}: workstation {workstation} is registered with another signing key ({registered}); refusing to overwrite its rows"
    )]
    KeyConflict {
        target: String,
        workstation: String,
        registered: String,
    },

    #[error("{}: {reason}", path.display())]
    Ca { path: PathBuf, reason: String },

    #[error("`{0}` is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE)")]
    BadUrl(String),

    #[error(
        "team database {target}: unknown sslmode `{value}`; leave it out for verified TLS (verify-full), or use sslmode=disable for plain text"
    )]
    SslMode { target: String, value: String },

    #[error(
        "team database {target}: the server does not offer TLS, and Keyward sends the password and the inventory to a server off this machine only over verified TLS; nothing was sent. Turn on ssl in the server (with a certificate that chains to the platform trust store or to --ca), or, on a network you trust, add sslmode=disable to send them in clear"
    )]
    PlaintextRefused { target: String },
}

/// Where and how to connect. The password comes from the URL or `PGPASSWORD`.
pub struct TeamDatabase {
    config: tokio_postgres::Config,
    /// The URL with any password replaced, for messages.
    display: String,
    ca: Option<PathBuf>,
    /// What the URL's `sslmode` asked for.
    security: Security,
    /// Where each of its hosts is.
    places: Vec<Place>,
}

impl TeamDatabase {
    /// Reads `url` (a `postgres://` URL or a `key=value` string) and its `sslmode`;
    /// connects to nothing yet.
    pub fn new(url: &str, ca: Option<&Path>) -> Result<Self, SyncError> {
        let display = redact_url(url);
        let (url, security) = transport::read_sslmode(url).map_err(|value| SyncError::SslMode {
            target: display.clone(),
            value,
        })?;
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| SyncError::BadUrl(display.clone()))?;
        if config.get_password().is_none()
            && let Ok(password) = std::env::var("PGPASSWORD")
        {
            config.password(password);
        }
        config.connect_timeout(Duration::from_secs(10));
        config.application_name("keyward");
        let places = transport::places(&config);
        Ok(Self {
            config,
            display,
            ca: ca.map(Path::to_owned),
            security,
            places,
        })
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    /// What to tell the user before connecting: `sslmode=disable` to a host that is not
    /// this machine sends the password and every row in clear.
    pub fn plaintext_warning(&self) -> Option<String> {
        let remote = transport::remote_hosts(&self.places);
        (self.security == Security::Plain && !remote.is_empty()).then(|| {
            format!(
                "sslmode=disable: the password and the inventory go to {} unencrypted, readable and alterable by anyone on the network path; leave sslmode out for verified TLS",
                remote.join(", ")
            )
        })
    }

    /// Whether this target is spoken to in plain text by request (`sslmode=disable`).
    pub fn plaintext_requested(&self) -> bool {
        self.security == Security::Plain
    }

    async fn connect(&self) -> Result<tokio_postgres::Client, SyncError> {
        let failed = |reason: String| SyncError::Connect {
            target: self.display.clone(),
            reason,
        };
        let plan = transport::plan(
            self.security,
            &self.places,
            self.local_names_resolve_locally().await,
        );
        let mut config = self.config.clone();
        config.ssl_mode(plan.ssl_mode());
        let client = if plan == Plan::Plain {
            let (client, connection) = config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|error| failed(describe(&error)))?;
            tokio::spawn(connection);
            client
        } else {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(self.tls_config()?);
            let (client, connection) = config.connect(tls).await.map_err(|error| {
                if plan == Plan::Tls && offers_no_tls(&error) {
                    SyncError::PlaintextRefused {
                        target: self.display.clone(),
                    }
                } else {
                    failed(describe(&error))
                }
            })?;
            tokio::spawn(connection);
            client
        };
        Ok(client)
    }

    /// Whether every `localhost` among the hosts resolves to loopback addresses only
    /// (one redirected elsewhere is not this machine).
    async fn local_names_resolve_locally(&self) -> bool {
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        for place in &self.places {
            if let Place::LocalName(name) = place {
                let Ok(addresses) = tokio::net::lookup_host((name.as_str(), port)).await else {
                    return false;
                };
                let addresses: Vec<_> = addresses.collect();
                if addresses.is_empty()
                    || !addresses
                        .iter()
                        .all(|address| address.ip().to_canonical().is_loopback())
                {
                    return false;
                }
            }
        }
        true
    }

    /// The outbound policy's TLS: the platform trust store (corporate CAs included)
    /// plus the given CA, rustls with ring; the same roots the HTTP clients use.
    fn tls_config(&self) -> Result<rustls::ClientConfig, SyncError> {
        let trust =
            keyward_outbound::Trust::platform_or_file(self.ca.as_deref()).map_err(|error| {
                SyncError::Ca {
                    path: self.ca.clone().unwrap_or_default(),
                    reason: error.to_string(),
                }
            })?;
        keyward_outbound::tls::client_config(&trust, None).map_err(|error| SyncError::Connect {
            target: self.display.clone(),
            reason: error.to_string(),
        })
    }

    fn database_error(&self, error: tokio_postgres::Error) -> SyncError {
        SyncError::Database {
            target: self.display.clone(),
            reason: describe(&error),
        }
    }
}

/// What one sync changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncOutcome {
    pub target: String,
    pub workstation: String,
    /// Fingerprint of the key the rows were signed with, for the reviewer to pin
    /// (`keyward team-key trust WORKSTATION --fingerprint FP`).
    pub key_fingerprint: String,
    pub credentials: u32,
    pub integrations: u32,
    pub removed: u32,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread tokio runtime")
}

/// Upserts `snapshot` as the rows of its workstation, signed with `signing_key`.
pub fn sync(
    database: &TeamDatabase,
    snapshot: &Snapshot,
    signing_key: &SecretValue,
) -> Result<SyncOutcome, SyncError> {
    runtime().block_on(sync_async(database, snapshot, signing_key))
}

async fn sync_async(
    database: &TeamDatabase,
    snapshot: &Snapshot,
    signing_key: &SecretValue,
) -> Result<SyncOutcome, SyncError> {
    let pair =
        Ed25519KeyPair::from_pkcs8(signing_key.expose()).map_err(|error| SyncError::Database {
            target: database.display.clone(),
            reason: format!("unusable workstation key: {error}"),
        })?;
    let public_key = BASE64.encode(pair.public_key().as_ref());
    let mut client = database.connect().await?;
    migrate(database, &mut client).await?;
    let workstation = &snapshot.workstation;
    let db = |error| database.database_error(error);
    let transaction = client.transaction().await.map_err(db)?;
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&workstation.id],
        )
        .await
        .map_err(db)?;
    let registered = transaction
        .query_opt(
            "SELECT public_key FROM keyward_workstations WHERE id = $1",
            &[&workstation.id],
        )
        .await
        .map_err(db)?
        .map(|row| row.get::<_, String>(0));
    if let Some(registered) = registered.filter(|registered| *registered != public_key) {
        return Err(SyncError::KeyConflict {
            target: database.display.clone(),
            workstation: workstation.id.clone(),
            registered: key_fingerprint(&BASE64.decode(registered).unwrap_or_default()),
        });
    }
    transaction
        .execute(
            "INSERT INTO keyward_workstations (id, hostname, username, public_key, key_fingerprint, first_sync, last_sync, sync_count)
             VALUES ($1, $2, $3, $4, $5, $6, $6, 1)
             ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, username = excluded.username,
                 last_sync = excluded.last_sync, sync_count = keyward_workstations.sync_count + 1",
            &[
                &workstation.id,
                &workstation.hostname,
                &workstation.user,
                &public_key,
                &key_fingerprint(pair.public_key().as_ref()),
                &snapshot.generated_at,
            ],
        )
        .await
        .map_err(db)?;

    let mut rows = RowBatch::default();
    for credential in &snapshot.credentials {
        rows.push(
            &pair,
            workstation.id.as_str(),
            "credential",
            &credential.name,
            credential,
            Some(&credential.fingerprint),
            credential.owner.as_deref(),
            credential.environment.as_deref(),
            credential.rotation_overdue,
        );
    }
    for integration in &snapshot.integrations {
        rows.push(
            &pair,
            workstation.id.as_str(),
            "integration",
            &integration.name,
            integration,
            None,
            Some(&integration.owner),
            Some(&integration.environment),
            false,
        );
    }
    transaction
        .execute(
            "INSERT INTO keyward_rows (workstation_id, kind, name, owner, environment, fingerprint, overdue, row_json, signature, synced_at)
             SELECT $1, * , $10 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[], $9::text[])
             ON CONFLICT (workstation_id, kind, name) DO UPDATE SET owner = excluded.owner,
                 environment = excluded.environment, fingerprint = excluded.fingerprint,
                 overdue = excluded.overdue, row_json = excluded.row_json,
                 signature = excluded.signature, synced_at = excluded.synced_at",
            &[
                &workstation.id,
                &rows.kinds,
                &rows.names,
                &rows.owners,
                &rows.environments,
                &rows.fingerprints,
                &rows.overdue,
                &rows.json,
                &rows.signatures,
                &snapshot.generated_at,
            ],
        )
        .await
        .map_err(db)?;
    let removed = transaction
        .execute(
            "DELETE FROM keyward_rows WHERE workstation_id = $1
                 AND (kind, name) NOT IN (SELECT * FROM UNNEST($2::text[], $3::text[]))",
            &[&workstation.id, &rows.kinds, &rows.names],
        )
        .await
        .map_err(db)?;
    transaction.commit().await.map_err(db)?;
    Ok(SyncOutcome {
        target: database.display.clone(),
        workstation: workstation.id.clone(),
        key_fingerprint: key_fingerprint(pair.public_key().as_ref()),
        credentials: snapshot.credentials.len() as u32,
        integrations: snapshot.integrations.len() as u32,
        removed: removed as u32,
    })
}

/// Column arrays for one `UNNEST` insert: a single round trip however many rows.
#[derive(Default)]
struct RowBatch {
    kinds: Vec<&'static str>,
    names: Vec<String>,
    owners: Vec<Option<String>>,
    environments: Vec<Option<String>>,
    fingerprints: Vec<Option<String>>,
    overdue: Vec<bool>,
    json: Vec<String>,
    signatures: Vec<String>,
}

impl RowBatch {
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per row type; the columns are the row"
    )]
    fn push<T: Serialize>(
        &mut self,
        pair: &Ed25519KeyPair,
        workstation: &str,
        kind: &'static str,
        name: &str,
        row: &T,
        fingerprint: Option<&str>,
        owner: Option<&str>,
        environment: Option<&str>,
        overdue: bool,
    ) {
        let json = serde_json::to_string(row).expect("rows serialize");
        let signature = pair.sign(&row_message(workstation, kind, &json));
        self.kinds.push(kind);
        self.names.push(name.to_owned());
        self.owners.push(owner.map(str::to_owned));
        self.environments.push(environment.map(str::to_owned));
        self.fingerprints.push(fingerprint.map(str::to_owned));
        self.overdue.push(overdue);
        self.json.push(json);
        self.signatures.push(BASE64.encode(signature.as_ref()));
    }
}

pub(crate) fn row_message(workstation: &str, kind: &str, json: &str) -> Vec<u8> {
    let mut message = ROW_CONTEXT.to_vec();
    for part in [workstation, kind, json] {
        message.extend_from_slice(part.as_bytes());
        message.push(0);
    }
    message
}

async fn migrate(
    database: &TeamDatabase,
    client: &mut tokio_postgres::Client,
) -> Result<(), SyncError> {
    let db = |error| database.database_error(error);
    let transaction = client.transaction().await.map_err(db)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS keyward_schema (version INTEGER NOT NULL)")
        .await
        .map_err(db)?;
    let found: i32 = transaction
        .query_opt("SELECT version FROM keyward_schema", &[])
        .await
        .map_err(db)?
        .map_or(0, |row| row.get(0));
    if found > TEAM_SCHEMA_VERSION {
        return Err(SyncError::SchemaTooNew {
            target: database.display.clone(),
            found,
            supported: TEAM_SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        transaction.batch_execute(sql).await.map_err(db)?;
        let version = index as i32 + 1;
        transaction
            .execute("DELETE FROM keyward_schema", &[])
            .await
            .map_err(db)?;
        transaction
            .execute(
                "INSERT INTO keyward_schema (version) VALUES ($1)",
                &[&version],
            )
            .await
            .map_err(db)?;
    }
    transaction.commit().await.map_err(db)
}

/// Reads every workstation's key and row as the database holds them; nothing is
/// trusted yet ([`TeamRows::check`] decides that against the reader's pins).
pub fn fetch(database: &TeamDatabase) -> Result<TeamRows, SyncError> {
    runtime().block_on(async {
        let mut client = database.connect().await?;
        migrate(database, &mut client).await?;
        let db = |error| database.database_error(error);
        let workstations = client
            .query(
                "SELECT id, hostname, username, public_key FROM keyward_workstations ORDER BY hostname, id",
                &[],
            )
            .await
            .map_err(db)?
            .into_iter()
            .map(|row| view::RegisteredWorkstation {
                id: row.get(0),
                hostname: row.get(1),
                user: row.get(2),
                public_key: row.get(3),
            })
            .collect();
        let rows = client
            .query(
                "SELECT r.workstation_id, r.kind, r.row_json, r.signature
                 FROM keyward_rows r JOIN keyward_workstations w ON w.id = r.workstation_id
                 ORDER BY w.hostname, r.workstation_id, r.kind, r.name",
                &[],
            )
            .await
            .map_err(db)?
            .into_iter()
            .map(|row| SignedRow {
                workstation: row.get(0),
                kind: row.get(1),
                json: row.get(2),
                signature: row.get(3),
            })
            .collect();
        Ok(TeamRows {
            target: database.display.clone(),
            workstations,
            rows,
        })
    })
}

/// Reads the team view, each row checked against the key pinned for its workstation
/// (`trust_new`: pinning the database's key for workstations without a pin first).
pub fn team_view(
    database: &TeamDatabase,
    pins: &PinnedKeys,
    trust_new: bool,
) -> Result<TeamView, SyncError> {
    Ok(fetch(database)?.check(pins, trust_new))
}

/// Whether connecting failed because the server answered the TLS request with "no".
fn offers_no_tls(error: &tokio_postgres::Error) -> bool {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text.contains("server does not support TLS")
}

/// A database error without the SQL text (which could quote data): the server's message
/// and code where there is one.
fn describe(error: &tokio_postgres::Error) -> String {
    let text = match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                text.push_str(": ");
                text.push_str(&inner.to_string());
                source = inner.source();
            }
            text
        }
    };
    redact_text(&text)
}
