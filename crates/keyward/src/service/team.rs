//! Team sync: this workstation's snapshot into the shared PostgreSQL inventory, the
//! team view read back from it, and the workstation keys this home pins to judge it.
//!
//! The team database lists every workstation's key, but anyone who can rewrite a row
//! there can rewrite that list too, so a row is trusted only under a key pinned here:
//! one learned from a signed bundle (`review_workstations`), one pinned on first view
//! (`trust_new`), one pinned explicitly against a fingerprint the workstation's owner
//! reads out (`trust_team_key`), and this workstation's own. One pin per workstation
//! id, whichever way it came, so a bundle and the database can never disagree on it.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{Keyward, Team};
use crate::audit::{self, AuditAction};
use crate::report::bundle;
use crate::store::{settings, trusted_workstations};
use crate::team::{
    self as team_sync, KeyTrust, PinnedKeys, SyncOutcome, TeamDatabase, TeamRows, TeamView,
    WorkstationKey,
};
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
            "key": outcome.key_fingerprint,
            "plaintext": database.plaintext_requested(),
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

    /// The team inventory as every workstation last synced it, each row checked against
    /// the key pinned here for its workstation (pinning nothing).
    pub fn team_view(&self, url: &str, ca: Option<&Path>) -> Result<TeamView> {
        let rows = self.fetch_team_rows(url, ca)?;
        Ok(rows.check(&self.pinned_team_keys()?, false))
    }

    /// [`Self::team_view`], first pinning the database's key of every workstation this
    /// home has no key for (trust on first use; audited). A changed key is never pinned
    /// this way.
    pub fn team_view_trusting_new(&mut self, url: &str, ca: Option<&Path>) -> Result<TeamView> {
        let rows = self.fetch_team_rows(url, ca)?;
        let view = rows.check(&self.pinned_team_keys()?, true);
        let new: Vec<WorkstationKey> = view
            .keys
            .iter()
            .filter(|key| key.trust == KeyTrust::NewlyPinned)
            .cloned()
            .collect();
        if !new.is_empty() {
            self.pin_team_keys(&new, "trusted on first use")?;
        }
        Ok(view)
    }

    /// Pins `workstation`'s key (its id, or a hostname only one workstation has) as the
    /// team database lists it, after checking that it has the `fingerprint` its owner
    /// read out (`keyward sync` prints it). The rows come from `url` when given, else
    /// from the saved team database's last pull. Replaces a key pinned before (a
    /// workstation that really changed its key), keeping the bundle imported with it.
    pub fn trust_team_key(
        &mut self,
        url: Option<&str>,
        ca: Option<&Path>,
        workstation: &str,
        fingerprint: &str,
    ) -> Result<WorkstationKey> {
        let rows = match url {
            Some(url) => self.fetch_team_rows(url, ca)?,
            None => self.pulled_rows()?.ok_or_else(|| {
                Error::invalid(
                    "team database",
                    "none is connected or pulled; pass --postgres URL",
                )
            })?,
        };
        let view = rows.check(&self.pinned_team_keys()?, false);
        let matching: Vec<&WorkstationKey> =
            match view.keys.iter().find(|key| key.workstation == workstation) {
                Some(key) => vec![key],
                None => view
                    .keys
                    .iter()
                    .filter(|key| key.hostname == workstation)
                    .collect(),
            };
        let key = match matching.as_slice() {
            [key] => (*key).clone(),
            [] => {
                return Err(Error::invalid(
                    "workstation",
                    format!(
                        "`{workstation}` is in the team database neither as an id nor as a hostname"
                    ),
                ));
            }
            several => {
                return Err(Error::invalid(
                    "workstation",
                    format!(
                        "several workstations are called `{workstation}`; name one by id: {}",
                        several
                            .iter()
                            .map(|key| key.workstation.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        if normalized(&key.key_fingerprint) != normalized(fingerprint) {
            return Err(Error::invalid(
                "--fingerprint",
                format!(
                    "the team database lists key {} for {} ({}), not {}: do not trust it until its owner confirms the fingerprint `keyward sync` printed there",
                    key.key_fingerprint,
                    key.hostname,
                    key.workstation,
                    fingerprint.trim()
                ),
            ));
        }
        if key.trust != KeyTrust::Pinned {
            self.pin_team_keys(std::slice::from_ref(&key), "trusted explicitly")?;
        }
        Ok(WorkstationKey {
            pinned_fingerprint: Some(key.key_fingerprint.clone()),
            trust: KeyTrust::Pinned,
            ..key
        })
    }
}

impl Keyward {
    pub(crate) fn fetch_team_rows(&self, url: &str, ca: Option<&Path>) -> Result<TeamRows> {
        let database = TeamDatabase::new(url, ca).map_err(Error::from)?;
        team_sync::fetch(&database).map_err(Error::from)
    }

    /// Every workstation key this home trusts, by workstation id: the pinned ones
    /// (each checked against its MAC first, so a key swapped into SQLite is refused)
    /// and this workstation's own.
    pub(crate) fn pinned_team_keys(&self) -> Result<PinnedKeys> {
        self.integrity()?;
        let connection = self.store.connection();
        let mut pins = PinnedKeys::new();
        for row in trusted_workstations::all(connection)? {
            trusted_workstations::check(connection, &row.id)?;
            if let Ok(key) = BASE64.decode(&row.public_key) {
                pins.insert(row.id, key);
            }
        }
        if let Some(id) = settings::get(connection, super::bundles::WORKSTATION_ID)?
            && let Some(signing_key) = self.vault.read(&super::bundles::signing_slot())?
        {
            pins.insert(id, bundle::public_key(&signing_key)?);
        }
        Ok(pins)
    }

    /// Pins `keys` (one per workstation) in one audited write. A workstation pinned
    /// before keeps its bundle snapshot and sequence under the new key.
    fn pin_team_keys(&mut self, keys: &[WorkstationKey], reason: &'static str) -> Result<()> {
        let keys = keys.to_vec();
        self.write(move |connection, at, actor| {
            for key in &keys {
                let pinned = match trusted_workstations::find(connection, &key.workstation)? {
                    Some(existing) => {
                        trusted_workstations::check(connection, &existing.id)?;
                        trusted_workstations::delete(connection, &existing.id)?;
                        trusted_workstations::TrustedWorkstation {
                            public_key: key.public_key.clone(),
                            trusted_at: at,
                            ..existing
                        }
                    }
                    // A pin without a bundle: no snapshot until one is imported.
                    None => trusted_workstations::TrustedWorkstation {
                        id: key.workstation.clone(),
                        public_key: key.public_key.clone(),
                        hostname: key.hostname.clone(),
                        user: key.user.clone(),
                        trusted_at: at,
                        last_sequence: 0,
                        imported_at: at,
                        snapshot_json: String::new(),
                    },
                };
                trusted_workstations::upsert(connection, &pinned)?;
            }
            let detail = serde_json::json!({
                "reason": reason,
                "keys": keys
                    .iter()
                    .map(|key| serde_json::json!({
                        "workstation": key.workstation,
                        "hostname": key.hostname,
                        "key": key.key_fingerprint,
                        "replaced": key.pinned_fingerprint,
                    }))
                    .collect::<Vec<_>>(),
            });
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Import,
                "team keys",
                detail,
            )?;
            Ok(((), row))
        })
    }
}

/// A key fingerprint as compared: hex digits only, lower case.
fn normalized(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
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
        // Scan fingerprints change with the key: keep the one in use, so stored
        // findings are recognised at their next scan (service/scanning.rs).
        self.retire_team_scan_key(&key)?;
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
    /// The team's shared fingerprint key, if this home has one: as cached, else read
    /// from the keychain now (scan fingerprints are keyed with it, service/scanning.rs).
    pub(crate) fn read_team_key(&self) -> Result<Option<crate::model::SecretValue>> {
        match &self.team_key {
            Some(cached) => Ok(cached.clone()),
            None => Ok(self.vault.read(&team_key_slot())?),
        }
    }

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
