//! The inventory database: one SQLite file per home, holding metadata and never a secret
//! value. All SQL in Keyward lives below this module, one submodule per table family;
//! each function takes a `&Connection` so callers can group writes in one transaction.

pub mod access_reviews;
pub mod audit_entries;
pub mod credentials;
mod error;
pub mod findings;
pub mod integrations;
pub mod integrity;
pub mod probes;
pub mod rotations;
mod schema;
pub mod settings;
pub mod team_fingerprints;
mod time;
pub mod trusted_workstations;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, Transaction};

pub use error::StoreError;
pub use schema::SCHEMA_VERSION;
pub use time::{from_db_time, to_db_time};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The file name of the inventory inside a home.
pub const DATABASE_FILE: &str = "keyward.db";

/// An open inventory database, migrated to [`SCHEMA_VERSION`].
pub struct Store {
    connection: Connection,
    path: PathBuf,
    integrity: integrity::KeySlot,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A database written by a newer Keyward is refused rather than guessed at.
    pub fn open(path: &Path) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut connection =
            Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        let integrity = integrity::KeySlot::default();
        configure(&connection, &integrity).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        schema::migrate(&mut connection, path)?;
        Ok(Self {
            connection,
            path: path.to_owned(),
            integrity,
        })
    }

    /// An in-memory database for unit tests of code above the store.
    pub fn open_in_memory() -> Result<Self> {
        let mut connection = Connection::open_in_memory().map_err(StoreError::Sqlite)?;
        let integrity = integrity::KeySlot::default();
        configure(&connection, &integrity).map_err(StoreError::Sqlite)?;
        schema::migrate(&mut connection, Path::new(":memory:"))?;
        Ok(Self {
            connection,
            path: PathBuf::from(":memory:"),
            integrity,
        })
    }

    /// Hands the store the home's integrity key (kept in the keychain) so it can seal
    /// and check protected rows ([`integrity`]); until then writing one fails.
    pub fn install_integrity_key(&self, key: &[u8]) {
        self.integrity.set(key);
    }

    /// Whether [`Store::install_integrity_key`] was called.
    pub fn has_integrity_key(&self) -> bool {
        self.integrity.is_set()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Starts a transaction; dropped without `commit` it rolls back, which is how every
    /// multi-row write stays all-or-nothing.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::Sqlite)
    }

    /// [`Store::transaction`] through a shared reference, for the one-time work a read
    /// may have to do first (sealing a home from before row MACs). The caller must not
    /// hold another transaction on this store.
    pub fn transaction_from_shared(&self) -> Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.connection, rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::Sqlite)
    }
}

fn configure(connection: &Connection, integrity: &integrity::KeySlot) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows are overwritten with zeros, so metadata of a removed credential does
    // not linger in free pages.
    connection.pragma_update(None, "secure_delete", "ON")?;
    // Keyward's schema has no triggers or views, and anything stored in the file that
    // runs code is someone else's: a trigger could rewrite a row between Keyward's write
    // and its seal (integrity.rs). Off for this connection, with functions in the schema
    // untrusted and the file-corrupting pragmas refused.
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false)?;
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    integrity::register(connection, integrity)?;
    Ok(())
}
