//! The `Keyward` service: one open home (its inventory database and its keychain
//! entries) and the use cases the CLI and the desktop app share.

mod areas;
mod audit_log;
mod bundles;
mod credentials;
mod dashboard;
mod endpoint_check;
mod found_secrets;
mod imports;
mod integrations;
mod inventory;
mod posture;
mod preferences;
mod probing;
pub(crate) mod reporting;
mod rotation;
mod rotation_batch;
mod rotation_steps;
mod rotation_targets;
mod scan_schedule;
mod scanning;
mod team;
mod team_board;
mod validate;
mod warnings;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use areas::{Credentials, Leaks, Posture, Review, Rotation, Team};
pub use bundles::{ImportedBundle, ReviewOverview, SharedFingerprint};
pub use credentials::{Access, CredentialEdit};
pub use dashboard::Dashboard;
pub use endpoint_check::EndpointCheck;
pub use found_secrets::FoundSecret;
pub use imports::{CertificateImport, ImportOptions, ImportOutcome, SkippedEntry};
pub use integrations::IntegrationEdit;
pub use inventory::{CredentialRow, IntegrationRow, Inventory};
pub use posture::{EndpointPosture, ExplainedFinding, IntegrationPosture};
pub use preferences::Preferences;
pub use probing::{DEFAULT_PROBE_INTERVAL, ProbeOutcome, ProbeRecord, Regression};
pub use reporting::{ATTESTATION_CONTEXT, ATTESTATION_FORMAT, ReportFormat, ReportScope};
pub use rotation::RotationApproval;
pub use rotation_batch::{BatchRotation, NotRotatable, OverduePlan};
pub use scan_schedule::{
    MAX_SCAN_EVERY_HOURS, RootFailure, RootsScanOutcome, RootsScanProgress, ScanSettings,
};
pub use scanning::{ScanMode, ScanRequest};
pub use team_board::{
    BoardRow, BoardSource, BoardSummary, SeverityCount, TEAM_TAG_PREFIX, TeamBoard,
    TeamDatabaseInfo,
};
pub use validate::{NAME_MAX, NAME_RULE, is_safe_name, safe_name};
pub use warnings::MAX_AGE_SETTING;

use crate::audit::{self, AuditAction};
use crate::clock::{Clock, SystemClock};
use crate::model::SecretValue;
use crate::model::random::{random_bytes, random_id};
use crate::store::{self, DATABASE_FILE, Store, settings};
use crate::vault::{Slot, Vault};
use crate::{Error, Result};

/// An open Keyward home.
pub struct Keyward {
    home: PathBuf,
    store: Store,
    vault: Vault,
    clock: Arc<dyn Clock>,
    actor: String,
    fingerprint_key: Option<SecretValue>,
    /// The team's shared fingerprint key, once looked up: `Some(None)` means this home
    /// has none.
    team_key: Option<Option<SecretValue>>,
}

/// The default home: `KEYWARD_HOME`, else the platform data directory
/// (`~/.local/share/keyward` on Linux).
pub fn default_home() -> Option<PathBuf> {
    std::env::var_os("KEYWARD_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|dir| dir.join("keyward")))
}

impl Keyward {
    /// Creates a home (or opens one that exists) and makes sure the keychain is usable.
    /// Running it twice is harmless.
    pub fn init(home: &Path) -> Result<Self> {
        Self::init_as(home, "library")
    }

    /// [`Keyward::init`], attributing the audit entry to `surface` (`cli`, `app`).
    pub fn init_as(home: &Path, surface: &str) -> Result<Self> {
        // Refuse before creating anything if there is no keychain: a home whose secrets
        // could not be stored is worse than no home.
        Vault::new("availability-probe").check_available()?;
        create_private_dir(home)?;
        let store = Store::open(&home.join(DATABASE_FILE))?;
        let (vault_id, created) = match settings::get(store.connection(), settings::VAULT_ID)? {
            Some(id) => (id, false),
            None => (random_id(), true),
        };
        let vault = Vault::new(vault_id.clone());
        let mut keyward = Self::assemble(home, store, vault).with_surface(surface);
        if created {
            let vault_id_for_tx = vault_id.clone();
            keyward.write(|connection, at, actor| {
                settings::set(connection, settings::VAULT_ID, &vault_id_for_tx)?;
                let row = audit::append(
                    connection,
                    at,
                    actor,
                    AuditAction::HomeInit,
                    "home",
                    serde_json::json!({"vault_id": vault_id_for_tx}),
                )?;
                Ok(((), row))
            })?;
        }
        keyward.fingerprint_key()?;
        Ok(keyward)
    }

    /// Opens an existing home; a missing one is [`Error::NotInitialized`].
    pub fn open(home: &Path) -> Result<Self> {
        let database = home.join(DATABASE_FILE);
        if !database.is_file() {
            return Err(Error::NotInitialized {
                path: home.to_owned(),
            });
        }
        let store = Store::open(&database)?;
        let vault_id = settings::get(store.connection(), settings::VAULT_ID)?.ok_or_else(|| {
            Error::NotInitialized {
                path: home.to_owned(),
            }
        })?;
        Ok(Self::assemble(home, store, Vault::new(vault_id)))
    }

    fn assemble(home: &Path, store: Store, vault: Vault) -> Self {
        Self {
            home: home.to_owned(),
            store,
            vault,
            clock: Arc::new(SystemClock),
            actor: default_actor("library"),
            fingerprint_key: None,
            team_key: None,
        }
    }

    /// Replaces the clock (tests pin time with [`crate::clock::FixedClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Names the surface (`cli`, `app`) that audit entries attribute actions to.
    pub fn with_surface(mut self, surface: &str) -> Self {
        self.actor = default_actor(surface);
        self
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Runs `work` in one immediate transaction that ends with an audit entry, commits
    /// it, then moves the keychain anchor to that entry. Every audited write goes through
    /// here so that no change lands without its entry.
    pub(crate) fn write<T>(
        &mut self,
        work: impl FnOnce(
            &rusqlite::Connection,
            chrono::DateTime<chrono::Utc>,
            &str,
        ) -> Result<(T, store::audit_entries::AuditRow)>,
    ) -> Result<T> {
        let at = self.clock.now();
        let actor = self.actor.clone();
        let transaction = self.store.transaction()?;
        let (value, row) = work(&transaction, at, &actor)?;
        transaction.commit().map_err(store::StoreError::from)?;
        audit::write_anchor(&self.vault, &row)?;
        Ok(value)
    }

    /// Like [`Keyward::write`], but leaves the keychain anchor where it is: for the
    /// intermediate steps of a multi-step operation (a rotation) whose last step moves
    /// the anchor over all of them. The entries are chained at once; `audit verify`
    /// counts them as unanchored until then. Saves one keychain write per step.
    pub(crate) fn write_unanchored<T>(
        &mut self,
        work: impl FnOnce(
            &rusqlite::Connection,
            chrono::DateTime<chrono::Utc>,
            &str,
        ) -> Result<(T, store::audit_entries::AuditRow)>,
    ) -> Result<T> {
        let at = self.clock.now();
        let actor = self.actor.clone();
        let transaction = self.store.transaction()?;
        let (value, _row) = work(&transaction, at, &actor)?;
        transaction.commit().map_err(store::StoreError::from)?;
        Ok(value)
    }

    /// The HMAC key behind fingerprints, created on first use and cached for this
    /// session.
    pub(crate) fn fingerprint_key(&mut self) -> Result<&SecretValue> {
        if self.fingerprint_key.is_none() {
            let key = self.vault.read_or_create(&Slot::FingerprintKey, || {
                SecretValue::new(random_bytes::<32>().to_vec())
            })?;
            self.fingerprint_key = Some(key);
        }
        Ok(self.fingerprint_key.as_ref().expect("set above"))
    }

    /// The fingerprint of a value: HMAC-SHA256 under this vault's key, hex. Equal values
    /// in one vault have equal fingerprints; nothing about the value can be learned from
    /// it without the key.
    pub fn fingerprint(&mut self, value: &SecretValue) -> Result<String> {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, self.fingerprint_key()?.expose());
        Ok(hex::encode(ring::hmac::sign(&key, value.expose())))
    }
}

fn default_actor(surface: &str) -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("{user} ({surface})")
}

/// Creates the home with owner-only permissions: the database holds no secrets, but the
/// inventory itself (which services, which hosts, who owns them) is still sensitive.
fn create_private_dir(path: &Path) -> Result<()> {
    let failed = |source| Error::Home {
        path: path.to_owned(),
        source,
    };
    std::fs::create_dir_all(path).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    Ok(())
}
