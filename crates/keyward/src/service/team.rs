//! Team sync: this workstation's snapshot into the shared PostgreSQL inventory, and the
//! team view read back from it.

use std::path::Path;

use super::{Keyward, Team};
use crate::audit::{self, AuditAction};
use crate::report::bundle;
use crate::team::{self as team_sync, SyncOutcome, TeamDatabase, TeamView};
use crate::{Error, Result};

impl Team<'_> {
    /// Upserts this workstation's inventory (metadata only) into the team database.
    pub fn sync_team(&mut self, url: &str, ca: Option<&Path>) -> Result<SyncOutcome> {
        let database = TeamDatabase::new(url, ca).map_err(Error::from)?;
        let snapshot = self.review().snapshot()?;
        let signing_key = self.vault.read_or_create(
            &super::bundles::signing_slot(),
            bundle::generate_signing_key,
        )?;
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

/// The keychain entry of the team's shared fingerprint key.
fn team_key_slot() -> crate::vault::Slot {
    crate::vault::Slot::Other("team-fingerprint-key".into())
}

impl Team<'_> {
    /// Sets the team's shared fingerprint key (every member sets the same one, handed
    /// over out of band) and computes the team fingerprint of every credential, reading
    /// each value once. Returns how many were fingerprinted.
    pub fn set_team_key(&mut self, key: crate::model::SecretValue) -> Result<usize> {
        if key.len() < 16 {
            return Err(Error::invalid(
                "team key",
                "must be at least 16 bytes; generate one with `openssl rand -base64 32`",
            ));
        }
        self.vault.store(&team_key_slot(), &key)?;
        self.team_key = Some(Some(key));
        let stored = crate::store::credentials::list(self.store.connection())?;
        let mut pairs = Vec::with_capacity(stored.len());
        for credential in &stored {
            let value = self.read_value(credential)?;
            let team_fingerprint = self
                .team_fingerprint(&value)?
                .expect("the key was just set");
            pairs.push((credential.credential.fingerprint.clone(), team_fingerprint));
        }
        let count = pairs.len();
        self.write(|connection, at, actor| {
            crate::store::team_fingerprints::clear(connection)?;
            for (fingerprint, team_fingerprint) in &pairs {
                crate::store::team_fingerprints::upsert(connection, fingerprint, team_fingerprint)?;
            }
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialUse,
                "team key",
                serde_json::json!({"fingerprinted": count, "reason": "team fingerprint key set"}),
            )?;
            Ok(((), row))
        })?;
        Ok(count)
    }
}

impl Keyward {
    /// The team fingerprint of a value: HMAC-SHA256 under the key the team shares, so the
    /// same secret on two workstations gets the same fingerprint. `None` without a key.
    pub(crate) fn team_fingerprint(
        &mut self,
        value: &crate::model::SecretValue,
    ) -> Result<Option<String>> {
        if self.team_key.is_none() {
            self.team_key = Some(self.vault.read(&team_key_slot())?);
        }
        Ok(self.team_key.as_ref().and_then(Option::as_ref).map(|key| {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.expose());
            hex::encode(ring::hmac::sign(&key, value.expose()))
        }))
    }
}
