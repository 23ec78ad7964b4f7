use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the inventory database {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error("the inventory database {} has schema version {found}, newer than this Keyward supports ({supported}); upgrade Keyward", path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("migrating the inventory database {} to schema version {version} failed: {source}", path.display())]
    Migration {
        path: PathBuf,
        version: i64,
        source: rusqlite::Error,
    },

    #[error("{what} `{name}` does not exist")]
    NotFound { what: &'static str, name: String },

    #[error("{what} `{name}` already exists")]
    Duplicate { what: &'static str, name: String },

    #[error("the inventory database holds an unreadable {field}: {detail}")]
    Corrupt { field: &'static str, detail: String },

    #[error("inventory database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Turns a UNIQUE-constraint failure into [`StoreError::Duplicate`] naming the record.
    pub(crate) fn from_insert(error: rusqlite::Error, what: &'static str, name: &str) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(code, _)
                if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Self::Duplicate {
                    what,
                    name: name.to_owned(),
                }
            }
            _ => Self::Sqlite(error),
        }
    }
}
