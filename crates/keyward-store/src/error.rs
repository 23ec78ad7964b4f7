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

    /// A protected row (integrity.rs) differs from what Keyward sealed: someone changed
    /// the database outside Keyward. Nothing is done with the row.
    #[error(
        "refused: {label} ({table} row {row}) was changed outside Keyward: the MAC Keyward keeps over its {covers} no longer matches; nothing was sent or changed. Run `keyward audit verify` to list every altered row"
    )]
    Altered {
        table: &'static str,
        row: String,
        label: String,
        covers: &'static str,
    },

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
