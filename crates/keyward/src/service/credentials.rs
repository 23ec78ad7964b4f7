//! Credential use cases: create (one or many, all-or-nothing), read metadata, reveal,
//! edit, delete.

use serde::{Deserialize, Serialize};

use super::{Credentials, Keyward, validate};
use crate::audit::{self, AuditAction};
use crate::model::random::random_id;
use crate::model::{CertificateInfo, Credential, NewCredential, SecretValue, StorageKind};
use crate::store::credentials::{self as rows, StoredCredential};
use crate::store::integrations;
use crate::vault::{
    ENVELOPE_THRESHOLD, EnvelopeKey, Slot, VaultError, open_envelope, seal_envelope,
};
use crate::{Error, Result};

/// Why a secret value is read out of the keychain; each is audited under its own action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Shown to the user.
    Reveal,
    /// Put on the clipboard.
    Copy,
    /// Sent by Keyward itself (probe, rotation).
    Use,
}

/// The fields of a credential a user may edit after creating it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CredentialEdit {
    pub provider: Option<String>,
    pub integration: Option<String>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub rotate_every_days: Option<u32>,
    pub allowed_hosts: Vec<String>,
    pub allow_insecure: bool,
    pub token_url: Option<String>,
    pub notes: Option<String>,
}

/// A credential about to be created: metadata, value, and certificate details when the
/// value is a certificate bundle.
pub(crate) struct PendingCredential {
    pub new: NewCredential,
    pub value: SecretValue,
    pub certificate: Option<CertificateInfo>,
    /// Where it came from (`.env:12`), for audit entries and error messages.
    pub origin: Option<String>,
}

impl Credentials<'_> {
    /// Stores a new credential: value in the keychain, metadata in the inventory, one
    /// audit entry. Nothing is left behind if any step fails.
    pub fn add_credential(&mut self, new: NewCredential, value: SecretValue) -> Result<Credential> {
        let pending = PendingCredential {
            new,
            value,
            certificate: None,
            origin: None,
        };
        let mut created =
            self.create_credentials(vec![pending], AuditAction::CredentialCreate, None)?;
        Ok(created.remove(0))
    }

    /// Reads a credential's value out of the keychain and records why.
    pub fn reveal(&mut self, name: &str, access: Access) -> Result<SecretValue> {
        let stored = rows::by_name(self.store.connection(), name)?;
        let value = self.read_value(&stored)?;
        let action = match access {
            Access::Reveal => AuditAction::CredentialReveal,
            Access::Copy => AuditAction::CredentialCopy,
            Access::Use => AuditAction::CredentialUse,
        };
        self.write(|connection, at, actor| {
            let row = audit::append(connection, at, actor, action, name, serde_json::json!({}))?;
            Ok(((), row))
        })?;
        Ok(value)
    }

    /// Edits a credential's metadata.
    pub fn edit_credential(&mut self, name: &str, edit: CredentialEdit) -> Result<Credential> {
        let mut credential = self.credential(name)?;
        let mut hosts = Vec::new();
        for host in &edit.allowed_hosts {
            hosts.push(validate::host(host)?);
        }
        hosts.sort();
        hosts.dedup();
        if let Some(token_url) = &edit.token_url {
            validate::url("token URL", token_url)?;
        }
        credential.provider = edit.provider;
        credential.integration = edit.integration;
        credential.expires_at = edit.expires_at;
        credential.rotate_every_days = edit.rotate_every_days;
        credential.allowed_hosts = hosts;
        credential.allow_insecure = edit.allow_insecure;
        credential.token_url = edit.token_url;
        credential.notes = edit.notes;
        let detail = serde_json::json!({
            "allowed_hosts": credential.allowed_hosts,
            "allow_insecure": credential.allow_insecure,
            "rotate_every_days": credential.rotate_every_days,
        });
        let updated = credential.clone();
        self.write(move |connection, at, actor| {
            rows::update_details(connection, &updated)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialUpdate,
                &updated.name,
                detail,
            )?;
            Ok(((), row))
        })?;
        self.credential(name)
    }

    /// Renames a credential. The new name must follow the naming rule; the old one need
    /// not, so a credential stored under a name from before the rule (`../x`) can be
    /// given a safe one without revealing and re-adding its value. Keychain entries are
    /// keyed by slot id and files by credential id, so neither moves.
    pub fn rename_credential(&mut self, name: &str, new_name: &str) -> Result<Credential> {
        validate::name("new name", new_name)?;
        let stored = rows::by_name(self.store.connection(), name)?;
        if rows::find_by_name(self.store.connection(), new_name)?.is_some() {
            return Err(crate::store::StoreError::Duplicate {
                what: "credential",
                name: new_name.to_owned(),
            }
            .into());
        }
        let id = stored.credential.id;
        self.write(|connection, at, actor| {
            rows::rename(connection, id, name, new_name)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialUpdate,
                new_name,
                serde_json::json!({"renamed_from": name}),
            )?;
            Ok(((), row))
        })?;
        self.credential(new_name)
    }

    /// Deletes a credential: its keychain entries first, inside the transaction that
    /// removes its row, so a failing keychain leaves the inventory unchanged.
    pub fn remove_credential(&mut self, name: &str) -> Result<()> {
        let stored = rows::by_name(self.store.connection(), name)?;
        let vault = self.vault.clone();
        self.write(|connection, at, actor| {
            rows::delete(connection, name)?;
            let detail = serde_json::json!({"fingerprint": stored.credential.fingerprint});
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialDelete,
                name,
                detail,
            )?;
            vault.delete(&Slot::Credential(stored.slot_id.clone()))?;
            vault.delete(&Slot::EnvelopeKey(stored.slot_id.clone()))?;
            Ok(((), row))
        })
    }
}

impl Keyward {
    /// Creates several credentials in one transaction. Keychain entries written before a
    /// failure are deleted again, so either all exist afterwards or none do.
    pub(crate) fn create_credentials(
        &mut self,
        batch: Vec<PendingCredential>,
        action: AuditAction,
        source: Option<&str>,
    ) -> Result<Vec<Credential>> {
        // Fails fast without a keychain (it reads the integrity key, which the write
        // needs anyway), before any value is validated or stored.
        self.integrity()?;
        let mut prepared = Vec::with_capacity(batch.len());
        let mut seen = std::collections::HashSet::new();
        for pending in batch {
            if !seen.insert(pending.new.name.clone()) {
                let field = pending.origin.clone().unwrap_or_else(|| "name".into());
                return Err(Error::invalid(
                    field,
                    format!("credential `{}` appears twice", pending.new.name),
                ));
            }
            let at = |error: Error| match &pending.origin {
                Some(origin) => Error::invalid(origin.clone(), error.to_string()),
                None => error,
            };
            let stored = self.prepare(&pending).map_err(at)?;
            prepared.push((stored, pending.value));
        }
        let mut written: Vec<Slot> = Vec::new();
        let outcome = self.store_prepared(&prepared, &mut written, action, source);
        if outcome.is_err() {
            for slot in &written {
                // Best effort: the original error is the one worth reporting.
                let _ = self.vault.delete(slot);
            }
        }
        outcome
    }

    fn store_prepared(
        &mut self,
        prepared: &[(StoredCredential, SecretValue)],
        written: &mut Vec<Slot>,
        action: AuditAction,
        source: Option<&str>,
    ) -> Result<Vec<Credential>> {
        let vault = self.vault.clone();
        let names: Vec<String> = prepared
            .iter()
            .map(|(stored, _)| stored.credential.name.clone())
            .collect();
        let team_fingerprints = prepared
            .iter()
            .map(|(_, value)| self.team_fingerprint(value))
            .collect::<Result<Vec<_>>>()?;
        self.write(|connection, at, actor| {
            let mut last_row = None;
            for ((stored, value), team_fingerprint) in prepared.iter().zip(&team_fingerprints) {
                if let Some(team_fingerprint) = team_fingerprint {
                    crate::store::team_fingerprints::upsert(
                        connection,
                        &stored.credential.fingerprint,
                        team_fingerprint,
                    )?;
                }
                let mut stored = stored.clone();
                stored.credential.created_at = at;
                stored.credential.rotated_at = at;
                let key_slot = Slot::EnvelopeKey(stored.slot_id.clone());
                let value_slot = Slot::Credential(stored.slot_id.clone());
                if stored.credential.storage == StorageKind::Envelope {
                    let key = EnvelopeKey::generate();
                    stored.sealed_value = Some(seal_envelope(&key, value, &stored.slot_id));
                    written.push(key_slot.clone());
                    vault.store(&key_slot, &key.to_secret())?;
                } else {
                    written.push(value_slot.clone());
                    vault.store(&value_slot, value)?;
                }
                rows::insert(connection, &stored)?;
                let detail = serde_json::json!({
                    "kind": stored.credential.kind,
                    "fingerprint": stored.credential.fingerprint,
                    "storage": stored.credential.storage,
                    "source": source,
                });
                last_row = Some(audit::append(
                    connection,
                    at,
                    actor,
                    action,
                    &stored.credential.name,
                    detail,
                )?);
            }
            let created = names
                .iter()
                .map(|name| rows::by_name(connection, name).map(|stored| stored.credential))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let row = last_row.ok_or_else(|| Error::invalid("credentials", "nothing to create"))?;
            Ok((created, row))
        })
    }

    /// Validates one pending credential and works out everything but its times.
    fn prepare(&mut self, pending: &PendingCredential) -> Result<StoredCredential> {
        let new = &pending.new;
        validate::name("credential name", &new.name)?;
        let kind = new.kind.ok_or_else(|| {
            Error::invalid("kind", format!("credential `{}` needs a kind", new.name))
        })?;
        kind.validate_value(pending.value.expose())
            .map_err(|problem| {
                Error::invalid("value", format!("credential `{}`: {problem}", new.name))
            })?;
        if rows::find_by_name(self.store.connection(), &new.name)?.is_some() {
            return Err(crate::store::StoreError::Duplicate {
                what: "credential",
                name: new.name.clone(),
            }
            .into());
        }
        let mut allowed_hosts = Vec::new();
        for host in &new.allowed_hosts {
            allowed_hosts.push(validate::host(host)?);
        }
        if let Some(integration) = &new.integration {
            let integration = integrations::by_name(self.store.connection(), integration)?;
            if allowed_hosts.is_empty() {
                allowed_hosts = integration.endpoint_hosts();
            }
        }
        allowed_hosts.sort();
        allowed_hosts.dedup();
        if let Some(token_url) = &new.token_url {
            validate::url("token URL", token_url)?;
        }
        let value_length = u32::try_from(pending.value.len())
            .map_err(|_| Error::invalid("value", "larger than 4 GiB"))?;
        let storage = if pending.value.len() > ENVELOPE_THRESHOLD {
            StorageKind::Envelope
        } else {
            StorageKind::Keychain
        };
        let now = self.now();
        Ok(StoredCredential {
            credential: Credential {
                id: 0,
                name: new.name.clone(),
                kind,
                provider: new.provider.clone().filter(|provider| !provider.is_empty()),
                integration: new.integration.clone(),
                created_at: now,
                rotated_at: now,
                expires_at: new
                    .expires_at
                    .or(pending.certificate.as_ref().map(|cert| cert.not_after)),
                rotate_every_days: new.rotate_every_days,
                rotation_method: None,
                allowed_hosts,
                allow_insecure: new.allow_insecure,
                token_url: new.token_url.clone(),
                fingerprint: self.fingerprint(&pending.value)?,
                value_length,
                storage,
                certificate: pending.certificate.clone(),
                notes: new.notes.clone(),
            },
            slot_id: random_id(),
            sealed_value: None,
        })
    }

    pub fn list_credentials(&self) -> Result<Vec<Credential>> {
        Ok(rows::list(self.store.connection())?
            .into_iter()
            .map(|stored| stored.credential)
            .collect())
    }

    pub fn credential(&self, name: &str) -> Result<Credential> {
        Ok(rows::by_name(self.store.connection(), name)?.credential)
    }

    /// Reads the plaintext of a stored credential without auditing; callers audit. Every
    /// use of a value starts here, so its row is checked against its MAC first: a
    /// credential whose allowed hosts, kind or slot were changed outside Keyward is
    /// refused before its value leaves the keychain.
    pub(crate) fn read_value(&self, stored: &StoredCredential) -> Result<SecretValue> {
        self.integrity()?;
        rows::check(self.store.connection(), stored.credential.id)?;
        match stored.credential.storage {
            StorageKind::Keychain => Ok(self
                .vault
                .read_required(&Slot::Credential(stored.slot_id.clone()))?),
            StorageKind::Envelope => {
                let key = self
                    .vault
                    .read_required(&Slot::EnvelopeKey(stored.slot_id.clone()))?;
                let mismatch = || VaultError::EnvelopeMismatch {
                    name: stored.credential.name.clone(),
                };
                let key = EnvelopeKey::from_secret(&key).ok_or_else(mismatch)?;
                let sealed = stored.sealed_value.as_deref().ok_or_else(mismatch)?;
                Ok(open_envelope(&key, sealed, &stored.slot_id).ok_or_else(mismatch)?)
            }
        }
    }
}
