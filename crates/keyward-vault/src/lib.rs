//! The OS keychain: the only place a secret value is kept at rest.
//!
//! Every keychain entry Keyward writes goes through [`Vault`]. Entries use the service
//! name [`SERVICE`] and an account string that starts with the home's vault id, so two
//! homes on one machine never see each other's entries. There is deliberately no
//! fallback store: if the platform keychain is missing or locked, the caller gets
//! [`VaultError::Unavailable`] with the fix, and nothing is written anywhere else.

mod envelope;
mod error;

pub use envelope::{ENVELOPE_THRESHOLD, EnvelopeKey, open_envelope, seal_envelope};
pub use error::VaultError;

use keyward_model::SecretValue;

/// The keychain service every Keyward entry is filed under.
pub const SERVICE: &str = "keyward";

/// Names of the keychain entries Keyward keeps for a home. Keeping the naming in one
/// place means a reader can see every kind of entry the vault ever writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// The value of a credential, by its stable id.
    Credential(String),
    /// The AES-256-GCM key that seals a large credential's value in the database.
    EnvelopeKey(String),
    /// The HMAC key behind credential fingerprints.
    FingerprintKey,
    /// The last audit entry's sequence number and hash: lets `audit verify` notice a
    /// rewritten or truncated log even though the log itself lives in SQLite.
    AuditAnchor,
    /// The HMAC key behind the MACs of protected inventory rows and of every audit
    /// entry: without it, nobody can change where a secret goes or add to the log
    /// unnoticed, however they edit the database.
    IntegrityKey,
    /// Keys that later features add (signing keys, previous values during rotation).
    Other(String),
}

impl Slot {
    fn account(&self, vault_id: &str) -> String {
        match self {
            Self::Credential(id) => format!("{vault_id}/credential/{id}"),
            Self::EnvelopeKey(id) => format!("{vault_id}/envelope-key/{id}"),
            Self::FingerprintKey => format!("{vault_id}/fingerprint-key"),
            Self::AuditAnchor => format!("{vault_id}/audit-anchor"),
            Self::IntegrityKey => format!("{vault_id}/integrity-key"),
            Self::Other(name) => format!("{vault_id}/{name}"),
        }
    }
}

/// Access to one home's keychain entries.
#[derive(Debug, Clone)]
pub struct Vault {
    vault_id: String,
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;

impl Vault {
    pub fn new(vault_id: impl Into<String>) -> Self {
        Self {
            vault_id: vault_id.into(),
        }
    }

    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    fn entry(&self, slot: &Slot) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &slot.account(&self.vault_id))
            .map_err(VaultError::from_keyring)
    }

    /// Stores `value` in `slot`, replacing what was there.
    pub fn store(&self, slot: &Slot, value: &SecretValue) -> Result<()> {
        let entry = self.entry(slot)?;
        with_reconnect(|| entry.set_secret(value.expose())).map_err(VaultError::from_keyring)
    }

    /// Reads `slot`; a missing entry is `None`, not an error, so callers decide whether
    /// absence is a problem.
    pub fn read(&self, slot: &Slot) -> Result<Option<SecretValue>> {
        let entry = self.entry(slot)?;
        match with_reconnect(|| entry.get_secret()) {
            Ok(bytes) => Ok(Some(SecretValue::new(bytes))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(VaultError::from_keyring(error)),
        }
    }

    /// Reads `slot`, which must exist.
    pub fn read_required(&self, slot: &Slot) -> Result<SecretValue> {
        self.read(slot)?.ok_or_else(|| VaultError::Missing {
            account: slot.account(&self.vault_id),
        })
    }

    /// Deletes `slot`. Deleting a missing entry succeeds, so cleanup can be retried.
    pub fn delete(&self, slot: &Slot) -> Result<()> {
        let entry = self.entry(slot)?;
        match with_reconnect(|| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(VaultError::from_keyring(error)),
        }
    }

    /// Confirms the keychain answers (present and unlocked) before a command starts
    /// writing anything, so a missing Secret Service fails fast with its fix.
    pub fn check_available(&self) -> Result<()> {
        self.read(&Slot::Other("availability-check".into()))
            .map(|_| ())
    }

    /// Reads the value in `slot`, creating it from `make` on first use.
    pub fn read_or_create(
        &self,
        slot: &Slot,
        make: impl FnOnce() -> SecretValue,
    ) -> Result<SecretValue> {
        if let Some(value) = self.read(slot)? {
            return Ok(value);
        }
        let value = make();
        self.store(slot, &value)?;
        Ok(value)
    }
}

/// Runs one keychain call, retrying it (three times, 300 ms apart) when the Secret
/// Service vanished in the middle of it. Every call here is idempotent (replace, read,
/// delete), so a retry cannot do anything twice. Seen with gnome-keyring, whose daemon
/// can abort under bursts of connections and is then started again by the session bus.
fn with_reconnect<T>(call: impl Fn() -> keyring::Result<T>) -> keyring::Result<T> {
    let mut attempts = 0;
    loop {
        match call() {
            Err(keyring::Error::PlatformFailure(error))
                if attempts < 3 && is_disconnect(&error.to_string()) =>
            {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            other => return other,
        }
    }
}

fn is_disconnect(message: &str) -> bool {
    [
        "Message recipient disconnected",
        "NoReply",
        "ServiceUnknown",
        "not activatable",
        "was not provided by any .service files",
        // The daemon restarted between opening the encrypted session and using it
        // (gnome-keyring words it both ways).
        "session wrapping the secret does not exist",
        "The session does not exist",
        "UnknownObject",
    ]
    .iter()
    .any(|marker| message.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::is_disconnect;

    #[test]
    fn a_restarted_daemon_is_retried_and_a_refusal_is_not() {
        // Words gnome-keyring used when its daemon restarted under a running command.
        for message in [
            "DBus error: The session does not exist",
            "DBus error: The session wrapping the secret does not exist",
            "org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable",
            "Message recipient disconnected from message bus without replying",
        ] {
            assert!(is_disconnect(message), "{message}");
        }
        // A locked collection or a refused prompt is an answer, not a lost daemon.
        for message in [
            "Cannot create an item in a locked collection",
            "Prompt dismissed",
        ] {
            assert!(!is_disconnect(message), "{message}");
        }
    }
}
