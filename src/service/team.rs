//! Team sync: this workstation's snapshot into the shared PostgreSQL inventory, and the
//! team view read back from it.

use std::path::Path;

use super::Keyward;
use crate::audit::{self, AuditAction};
use crate::report::bundle;
use crate::report::team_sync::{self, SyncOutcome, TeamDatabase, TeamView};
use crate::{Error, Result};

impl Keyward {
    /// Upserts this workstation's inventory (metadata only) into the team database.
    pub fn sync_team(&mut self, url: &str, ca: Option<&Path>) -> Result<SyncOutcome> {
        let database = TeamDatabase::new(url, ca).map_err(Error::from)?;
        let snapshot = self.snapshot()?;
        let signing_key = self
            .vault
            .read_or_create(&super::review::signing_slot(), bundle::generate_signing_key)?;
        let outcome = team_sync::sync(&database, &snapshot, &signing_key).map_err(Error::from)?;
        let detail = serde_json::json!({
            "target": outcome.target,
            "credentials": outcome.credentials,
            "integrations": outcome.integrations,
            "removed": outcome.removed,
        });
        self.write(|connection, at, actor| {
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Export,
                "team sync",
                detail,
            )?;
            Ok(((), row))
        })?;
        Ok(outcome)
    }

    /// The team inventory as every workstation last synced it.
    pub fn team_view(&self, url: &str, ca: Option<&Path>) -> Result<TeamView> {
        let database = TeamDatabase::new(url, ca).map_err(Error::from)?;
        team_sync::team_view(&database).map_err(Error::from)
    }
}
