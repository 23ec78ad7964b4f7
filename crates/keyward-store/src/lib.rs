//! The inventory database: one SQLite file per home, holding metadata and never a secret
//! value. All SQL in Keyward lives below this module, one submodule per table family;
//! each function takes a `&Connection` so callers can group writes in one transaction.

pub mod access_reviews;
pub mod audit_entries;
pub mod credentials;
mod error;
pub mod findings;
pub mod integrations;
pub mod probes;
pub mod rotations;
mod schema;
pub mod settings;
pub mod team_fingerprints;
mod time;
pub mod trusted_workstations;

use std::path::{Path, PathBuf};
use std::time::Duration;

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
        configure(&connection).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        schema::migrate(&mut connection, path)?;
        Ok(Self {
            connection,
            path: path.to_owned(),
        })
    }

    /// An in-memory database for unit tests of code above the store.
    pub fn open_in_memory() -> Result<Self> {
        let mut connection = Connection::open_in_memory().map_err(StoreError::Sqlite)?;
        configure(&connection).map_err(StoreError::Sqlite)?;
        schema::migrate(&mut connection, Path::new(":memory:"))?;
        Ok(Self {
            connection,
            path: PathBuf::from(":memory:"),
        })
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
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows are overwritten with zeros, so metadata of a removed credential does
    // not linger in free pages.
    connection.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}
