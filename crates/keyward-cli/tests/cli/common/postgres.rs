//! A database of its own on the test PostgreSQL server that scripts/with-postgres.sh
//! starts (with TLS under a test CA), dropped when the test ends.

use std::process::Command as ProcessCommand;

use super::canary;

pub struct TestDatabase {
    /// The server's admin URL (`postgres://USER@HOST:PORT/postgres`).
    pub base: String,
    pub name: String,
}

impl TestDatabase {
    /// A fresh database named `keyward_<purpose>_<random>`; the random tail keeps
    /// concurrent tests' databases apart.
    pub fn new(purpose: &str) -> Self {
        let base = admin_url().expect(
            "team-sync tests need a PostgreSQL server: run them under scripts/with-postgres.sh (make test does)",
        );
        Self::on(&base, purpose)
    }

    /// A fresh database on the server at `base`.
    pub fn on(base: &str, purpose: &str) -> Self {
        let name = format!("keyward_{purpose}_{}", &canary("db")["kwcanarydb".len()..]);
        let database = Self {
            base: base.to_owned(),
            name,
        };
        database.admin(&format!("CREATE DATABASE {}", database.name));
        database
    }

    /// This database's URL with the given `sslmode`.
    pub fn url(&self, sslmode: &str) -> String {
        format!(
            "{}?sslmode={sslmode}",
            self.base.replace("/postgres", &format!("/{}", self.name))
        )
    }

    /// Runs `sql` on the server's admin database.
    pub fn admin(&self, sql: &str) {
        psql(&self.base, sql);
    }

    /// Runs `sql` in this database (as the admin, over a plain connection) and returns
    /// what it printed, trimmed.
    pub fn query(&self, sql: &str) -> String {
        let output = ProcessCommand::new("psql")
            .args([
                &self.url("disable"),
                "-qtA",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("psql (postgresql-client) is installed by bootstrap");
        assert!(
            output.status.success(),
            "psql failed: {sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = ProcessCommand::new("psql")
            .args([
                &self.base,
                "-qtA",
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .status();
    }
}

/// The test server's admin URL, when the tests run under scripts/with-postgres.sh.
pub fn admin_url() -> Option<String> {
    std::env::var("KEYWARD_TEST_POSTGRES").ok()
}

/// The test CA that signed the server's certificate.
pub fn ca() -> String {
    std::env::var("KEYWARD_TEST_POSTGRES_CA").expect("run under scripts/with-postgres.sh")
}

/// Runs `sql` against the database at `url`, insisting it worked.
pub fn psql(url: &str, sql: &str) {
    let status = ProcessCommand::new("psql")
        .args([url, "-qtA", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .status()
        .expect("psql (postgresql-client) is installed by bootstrap");
    assert!(status.success(), "psql failed: {sql}");
}
