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
mod integrity;
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
    /// The mode an existing home directory had when `init` made it owner-only.
    home_mode_was: Option<u32>,
    /// Whether the row-integrity key is loaded into the store (`integrity.rs`).
    integrity_loaded: std::cell::Cell<bool>,
    /// The keychain anchor as loading the integrity key read it, for the write that
    /// loaded it (a CLI command's only one): saves it reading the keychain twice.
    fresh_anchor: std::cell::RefCell<Option<Option<audit::Anchor>>>,
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
        let home_mode_was = create_private_dir(home)?;
        let store = Store::open(&home.join(DATABASE_FILE))?;
        let (vault_id, created) = match settings::get(store.connection(), settings::VAULT_ID)? {
            Some(id) => (id, false),
            None => (random_id(), true),
        };
        let vault = Vault::new(vault_id.clone());
        let mut keyward = Self::assemble(home, store, vault).with_surface(surface);
        keyward.home_mode_was = home_mode_was;
        if created {
            keyward.create_integrity_key()?;
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
        // An existing home from before row MACs is sealed here (or on its first open).
        keyward.integrity()?;
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
            home_mode_was: None,
            integrity_loaded: std::cell::Cell::new(false),
            fresh_anchor: std::cell::RefCell::new(None),
        }
    }

    /// When [`Keyward::init`] found the home directory already there with a mode other
    /// than owner-only (0700) and changed it: the mode it had (permission bits). The
    /// shells say so; `None` when the directory was new or already 0700.
    pub fn tightened_home_mode(&self) -> Option<u32> {
        self.home_mode_was
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
    /// here so that no change lands without its entry, and none extends a chain whose end
    /// fails [`audit::check_tail`] (a forged or cut-off tail): that write is refused with
    /// [`Error::AuditChain`] and changes nothing.
    pub(crate) fn write<T>(
        &mut self,
        work: impl FnOnce(
            &rusqlite::Connection,
            chrono::DateTime<chrono::Utc>,
            &str,
        ) -> Result<(T, store::audit_entries::AuditRow)>,
    ) -> Result<T> {
        self.write_chained(work, true)
    }

    /// Like [`Keyward::write`], but leaves the keychain anchor where it is: for the
    /// intermediate steps of a multi-step operation (a rotation) whose last step moves
    /// the anchor over all of them. The entries are chained and MACed at once; `audit
    /// verify` counts them as unanchored until then. Saves one keychain write per step.
    pub(crate) fn write_unanchored<T>(
        &mut self,
        work: impl FnOnce(
            &rusqlite::Connection,
            chrono::DateTime<chrono::Utc>,
            &str,
        ) -> Result<(T, store::audit_entries::AuditRow)>,
    ) -> Result<T> {
        self.write_chained(work, false)
    }

    fn write_chained<T>(
        &mut self,
        work: impl FnOnce(
            &rusqlite::Connection,
            chrono::DateTime<chrono::Utc>,
            &str,
        ) -> Result<(T, store::audit_entries::AuditRow)>,
        move_anchor: bool,
    ) -> Result<T> {
        let loaded_before = self.integrity_loaded.get();
        self.integrity()?;
        let at = self.clock.now();
        let actor = self.actor.clone();
        // The anchor as of now: the one loading the key read a moment ago when this write
        // loaded it, else read again (another process may have moved it since).
        let anchor = match self.fresh_anchor.take() {
            Some(anchor) if !loaded_before => anchor,
            _ => audit::read_anchor(&self.vault)?,
        };
        let transaction = self.store.transaction()?;
        let problems = audit::check_tail(&transaction, anchor.as_ref())?;
        if !problems.is_empty() {
            return Err(Error::AuditChain { problems });
        }
        let (value, row) = work(&transaction, at, &actor)?;
        transaction.commit().map_err(store::StoreError::from)?;
        // A crash here leaves the entry committed and MACed but not anchored: `audit
        // verify` reports it as an unanchored tail and the next write anchors it.
        crate::rotate::fault::point("audit-committed");
        if move_anchor {
            audit::write_anchor(&self.vault, &row)?;
        }
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
///
/// A new home is created 0700 (its missing parents as the umask makes them). An existing
/// one must be a real directory of the user Keyward runs as: a symbolic link (whoever
/// could plant it chose where the inventory goes) and a directory of another user are
/// refused, changing nothing. An existing directory with any other mode is set to 0700,
/// and the mode it had is returned so the caller can say so.
fn create_private_dir(path: &Path) -> Result<Option<u32>> {
    let failed = |source| Error::Home {
        path: path.to_owned(),
        source,
    };
    let refused = |reason: String| failed(std::io::Error::other(reason));
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(path) {
        Ok(()) => return Ok(None),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(failed(error)),
    }
    let metadata = std::fs::symlink_metadata(path).map_err(failed)?;
    if metadata.file_type().is_symlink() {
        let target = std::fs::read_link(path)
            .map(|target| format!(" to {}", target.display()))
            .unwrap_or_default();
        return Err(refused(format!(
            "it is a symbolic link{target}; Keyward does not follow a link to its home: name the directory itself (--home or KEYWARD_HOME)"
        )));
    }
    if !metadata.is_dir() {
        return Err(refused("it exists and is not a directory".into()));
    }
    if let Some(owner) = crate::model::fs::foreign_owner(&metadata) {
        return Err(refused(format!(
            "it belongs to another user (uid {owner}); a home stays private to the user Keyward runs as"
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode != 0o700 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
                .map_err(failed)?;
            return Ok(Some(mode));
        }
    }
    Ok(None)
}
