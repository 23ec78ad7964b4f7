//! Versioned, additive migrations. The schema version is SQLite's `user_version`; each
//! migration runs in its own transaction together with the version bump.

use std::path::Path;

use rusqlite::Connection;

use super::{Result, StoreError};

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    // 1: the foundation inventory.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE integrations (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        provider    TEXT NOT NULL,
        owner       TEXT NOT NULL,
        environment TEXT NOT NULL CHECK (environment IN ('prod', 'staging', 'dev')),
        tags        TEXT NOT NULL DEFAULT '[]',
        notes       TEXT,
        issuer      TEXT,
        created_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE credentials (
        id                INTEGER PRIMARY KEY,
        slot_id           TEXT NOT NULL UNIQUE,
        name              TEXT NOT NULL UNIQUE,
        kind              TEXT NOT NULL,
        provider          TEXT,
        integration_id    INTEGER REFERENCES integrations(id) ON DELETE SET NULL,
        created_at        TEXT NOT NULL,
        rotated_at        TEXT NOT NULL,
        expires_at        TEXT,
        rotate_every_days INTEGER,
        rotation_method   TEXT,
        allowed_hosts     TEXT NOT NULL DEFAULT '[]',
        allow_insecure    INTEGER NOT NULL DEFAULT 0,
        token_url         TEXT,
        fingerprint       TEXT NOT NULL,
        value_length      INTEGER NOT NULL,
        storage           TEXT NOT NULL CHECK (storage IN ('keychain', 'envelope')),
        sealed_value      BLOB,
        certificate       TEXT,
        notes             TEXT
    ) STRICT;
    CREATE INDEX credentials_by_integration ON credentials(integration_id);
    CREATE INDEX credentials_by_fingerprint ON credentials(fingerprint);

    CREATE TABLE endpoints (
        id             INTEGER PRIMARY KEY,
        integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        url            TEXT NOT NULL,
        auth           TEXT NOT NULL,
        credential_id  INTEGER REFERENCES credentials(id) ON DELETE SET NULL,
        UNIQUE (integration_id, url)
    ) STRICT;
    CREATE INDEX endpoints_by_credential ON endpoints(credential_id);

    CREATE TABLE rotations (
        id            INTEGER PRIMARY KEY,
        credential_id INTEGER REFERENCES credentials(id) ON DELETE SET NULL,
        credential    TEXT NOT NULL,
        method        TEXT NOT NULL,
        state         TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        detail        TEXT
    ) STRICT;
    CREATE INDEX rotations_by_credential ON rotations(credential_id);

    CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    ) STRICT;
    "#,
    // 2: workstations a reviewer trusts, pinned to their signing keys, with the latest
    // snapshot each sent.
    r#"
    CREATE TABLE review_workstations (
        id            TEXT PRIMARY KEY,
        public_key    TEXT NOT NULL,
        hostname      TEXT NOT NULL,
        user          TEXT NOT NULL,
        trusted_at    TEXT NOT NULL,
        last_sequence INTEGER NOT NULL,
        imported_at   TEXT NOT NULL,
        snapshot      TEXT NOT NULL
    ) STRICT;
    "#,
    // 3: access-review decisions on credentials and integrations.
    r#"
    CREATE TABLE access_reviews (
        id           INTEGER PRIMARY KEY,
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('credential', 'integration')),
        subject      TEXT NOT NULL,
        decision     TEXT NOT NULL CHECK (decision IN ('keep', 'rotate', 'revoke')),
        note         TEXT,
        reviewer     TEXT NOT NULL,
        reviewed_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX access_reviews_by_subject ON access_reviews(subject_kind, subject);
    "#,
    // 4: team fingerprints (HMAC under a key the team shares), by vault fingerprint, so
    // the same secret on two workstations can be recognised without revealing it.
    r#"
    CREATE TABLE team_fingerprints (
        fingerprint      TEXT PRIMARY KEY,
        team_fingerprint TEXT NOT NULL
    ) STRICT;
    "#,
    // 5: the rotation journal. `rotations` gains what resuming an interrupted rotation
    // needs; `rotation_steps` keeps every step for the history view; `rotation_setups`
    // holds how each credential is rotated (JSON, never a secret).
    r#"
    ALTER TABLE rotations ADD COLUMN plan TEXT;
    ALTER TABLE rotations ADD COLUMN new_key_id TEXT;
    ALTER TABLE rotations ADD COLUMN old_key_id TEXT;
    ALTER TABLE rotations ADD COLUMN updated_at TEXT;
    ALTER TABLE rotations ADD COLUMN grace_until TEXT;
    ALTER TABLE rotations ADD COLUMN previous_kept INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rotations ADD COLUMN error TEXT;
    CREATE INDEX rotations_by_state ON rotations(state);

    CREATE TABLE rotation_steps (
        id          INTEGER PRIMARY KEY,
        rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
        state       TEXT NOT NULL,
        at          TEXT NOT NULL,
        message     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX rotation_steps_by_rotation ON rotation_steps(rotation_id);

    CREATE TABLE rotation_setups (
        credential_id INTEGER PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
        setup         TEXT NOT NULL
    ) STRICT;
    "#,
    // 6: probe history. A report is stored whole as JSON (it holds no secret: evidence
    // is redacted), with the columns history and scheduling query on beside it.
    r#"
    CREATE TABLE probe_results (
        id             INTEGER PRIMARY KEY,
        target         TEXT NOT NULL,
        integration_id INTEGER REFERENCES integrations(id) ON DELETE CASCADE,
        probed_at      TEXT NOT NULL,
        grade          TEXT,
        error          TEXT,
        finding_ids    TEXT NOT NULL DEFAULT '[]',
        report         TEXT NOT NULL,
        regressions    TEXT NOT NULL DEFAULT '[]'
    ) STRICT;
    CREATE INDEX probe_results_by_target ON probe_results(target, probed_at);
    CREATE INDEX probe_results_by_integration ON probe_results(integration_id, probed_at);
    "#,
    // 7: leak-scan findings (redacted and fingerprinted, never the secret) and probe
    // verdicts on credentials, for the staleness policy.
    r#"
    CREATE TABLE scan_findings (
        id               INTEGER PRIMARY KEY,
        fingerprint      TEXT NOT NULL,
        rule             TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('leak', 'secret')),
        provider         TEXT,
        description      TEXT NOT NULL,
        root             TEXT NOT NULL,
        path             TEXT NOT NULL,
        line             INTEGER NOT NULL,
        column_number    INTEGER NOT NULL,
        commit_id        TEXT NOT NULL DEFAULT '',
        commit_author    TEXT,
        commit_date      TEXT,
        redacted         TEXT NOT NULL,
        vault_credential TEXT,
        credential_kind  TEXT NOT NULL,
        first_seen       TEXT NOT NULL,
        last_seen        TEXT NOT NULL,
        resolved_at      TEXT,
        UNIQUE (fingerprint, root, path, commit_id)
    ) STRICT;
    CREATE INDEX scan_findings_open ON scan_findings(resolved_at, root);

    CREATE TABLE credential_verifications (
        id            INTEGER PRIMARY KEY,
        credential_id INTEGER NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
        at            TEXT NOT NULL,
        outcome       TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
        detail        TEXT
    ) STRICT;
    CREATE INDEX credential_verifications_by_credential ON credential_verifications(credential_id, at);
    "#,
    // 8: tamper evidence. `row_macs` holds the HMAC of every row that decides where a
    // secret may go (integrity.rs); each audit entry gets its own MAC. Both are keyed by
    // the home's integrity key in the keychain; rows written before this version are
    // sealed once by the service when it first loads that key.
    r#"
    CREATE TABLE row_macs (
        row_table TEXT NOT NULL,
        row_id    ANY NOT NULL,
        mac       TEXT NOT NULL,
        PRIMARY KEY (row_table, row_id)
    ) STRICT, WITHOUT ROWID;
    ALTER TABLE audit_log ADD COLUMN mac TEXT;
    "#,
    // 9: how sure the scanner was of each finding; findings stored before read as
    // medium, what their provider rules would give them now.
    r#"
    ALTER TABLE scan_findings ADD COLUMN confidence TEXT NOT NULL DEFAULT 'medium'
        CHECK (confidence IN ('low', 'medium', 'high'));
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(connection: &mut Connection, path: &Path) -> Result<()> {
    migrate_to(connection, path, SCHEMA_VERSION)
}

/// Migrates up to `target` (tests start from every earlier version this way).
fn migrate_to(connection: &mut Connection, path: &Path, target: i64) -> Result<()> {
    let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        let version = index as i64 + 1;
        let failed = |source| StoreError::Migration {
            path: path.to_owned(),
            version,
            source,
        };
        let transaction = connection.transaction().map_err(failed)?;
        transaction.execute_batch(sql).map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", version)
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_database_reaches_the_current_version() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection, Path::new("t")).unwrap();
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection, Path::new("t")).unwrap();
        migrate(&mut connection, Path::new("t")).expect("a second migrate must be a no-op");
    }

    #[test]
    fn a_version_1_database_with_rotations_migrates_keeping_its_rows() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate_to(&mut connection, Path::new("t"), 1).unwrap();
        connection
            .execute(
                "INSERT INTO rotations (credential, method, state, started_at) VALUES ('a', 'generate', 'done', '2026-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        migrate(&mut connection, Path::new("t")).unwrap();
        let (state, kept): (String, i64) = connection
            .query_row("SELECT state, previous_kept FROM rotations", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (state.as_str(), kept),
            ("done", 0),
            "old history must survive the migration"
        );
    }

    #[test]
    fn every_earlier_version_migrates_to_the_current_one_keeping_its_data() {
        for start in 0..SCHEMA_VERSION {
            let mut connection = Connection::open_in_memory().unwrap();
            migrate_to(&mut connection, Path::new("t"), start).unwrap();
            if start >= 1 {
                connection
                    .execute_batch(
                        "INSERT INTO settings (key, value) VALUES ('vault_id', 'v');
                         INSERT INTO integrations (name, provider, owner, environment, created_at)
                             VALUES ('i', 'p', 'o', 'prod', '2026-01-01T00:00:00.000000Z');
                         INSERT INTO credentials (slot_id, name, kind, created_at, rotated_at, fingerprint, value_length, storage)
                             VALUES ('s', 'c', 'token', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 'f', 3, 'keychain');",
                    )
                    .unwrap();
            }
            migrate(&mut connection, Path::new("t"))
                .unwrap_or_else(|error| panic!("from version {start}: {error}"));
            let version: i64 = connection
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap();
            assert_eq!(version, SCHEMA_VERSION, "from version {start}");
            if start >= 1 {
                let names: i64 = connection
                    .query_row(
                        "SELECT count(*) FROM credentials WHERE name = 'c'",
                        [],
                        |row| row.get(0),
                    )
                    .unwrap();
                assert_eq!(
                    names, 1,
                    "a migration from version {start} lost a credential row"
                );
            }
        }
    }

    #[test]
    fn a_newer_database_is_refused_not_guessed_at() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let error = migrate(&mut connection, Path::new("home/keyward.db")).unwrap_err();
        assert!(matches!(error, StoreError::SchemaTooNew { .. }), "{error}");
        assert!(error.to_string().contains("home/keyward.db"));
    }
}
