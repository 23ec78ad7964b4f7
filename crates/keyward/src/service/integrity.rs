//! The home's integrity key: the keychain key behind the MACs of protected inventory
//! rows (`keyward_store::integrity`) and of every audit entry (`crate::audit`).
//!
//! It is read from the keychain the first time something needs it (a write, a use of a
//! secret, `audit verify`), not when the home opens, so listing the inventory never
//! waits for the keychain. A new home gets it at `init`. A home from before MACs gets it
//! on that first need, once: if its keychain anchor vouches for the whole log, every
//! protected row and every entry is sealed in one transaction that ends with a
//! `home.integrity` entry, and the anchor is rewritten in the sealed format. A home
//! whose log the anchor does not vouch for is not sealed and takes no writes.
//!
//! The key is stored before the sealing transaction and the sealed anchor after it, so
//! a crash in between leaves a key next to an old-format anchor: the next load finishes
//! the job. An attacker cannot produce that state: it takes writing the keychain. All of
//! it is decided under the database's write lock, so two processes opening such a home
//! at once seal it once.

use super::Keyward;
use crate::audit::{self, Anchor, AuditAction, AuditProblem};
use crate::model::SecretValue;
use crate::model::random::random_bytes;
use crate::store::{audit_entries, integrity};
use crate::vault::Slot;
use crate::{Error, Result};

/// What loading the key found.
pub(super) enum Loaded {
    /// The key is in the store; rows and entries can be sealed and checked.
    Ready,
    /// The home cannot be sealed or checked: why, as `audit verify` reports it.
    Unsealed(Vec<AuditProblem>),
}

impl Keyward {
    /// Makes sure the integrity key is loaded (sealing a home from before MACs first):
    /// the step before any write or any check of a protected row. A home that cannot be
    /// sealed is [`Error::AuditChain`].
    pub(crate) fn integrity(&self) -> Result<()> {
        match self.load_integrity()? {
            Loaded::Ready => Ok(()),
            Loaded::Unsealed(problems) => Err(Error::AuditChain { problems }),
        }
    }

    pub(super) fn load_integrity(&self) -> Result<Loaded> {
        if self.integrity_loaded.get() {
            return Ok(Loaded::Ready);
        }
        let anchor = audit::read_anchor(&self.vault)?;
        let loaded = match self.vault.read(&Slot::IntegrityKey)? {
            Some(key) => {
                self.store.install_integrity_key(key.expose());
                match &anchor {
                    Some(anchor) if !anchor.sealed => self.seal_old_home()?,
                    _ => {
                        // Nothing moved it: the write that asked for the key may use it.
                        *self.fresh_anchor.borrow_mut() = Some(anchor.clone());
                        Loaded::Ready
                    }
                }
            }
            None if anchor.as_ref().is_some_and(|anchor| anchor.sealed) => {
                let rows = audit_entries::all(self.store.connection())?;
                let mut problems = vec![AuditProblem::IntegrityKeyMissing];
                problems.extend(audit::verify(&rows, anchor.as_ref()).problems);
                Loaded::Unsealed(problems)
            }
            None => self.seal_old_home()?,
        };
        if matches!(loaded, Loaded::Ready) {
            self.integrity_loaded.set(true);
        }
        Ok(loaded)
    }

    /// A new home's key, made before its first write.
    pub(super) fn create_integrity_key(&self) -> Result<()> {
        let key = SecretValue::new(random_bytes::<32>().to_vec());
        self.vault.store(&Slot::IntegrityKey, &key)?;
        self.store.install_integrity_key(key.expose());
        self.integrity_loaded.set(true);
        Ok(())
    }

    /// A home from before MACs (no key, or a key next to an old-format anchor: sealing
    /// was interrupted). Decided under the database's write lock, so two processes
    /// opening it at once seal it once, with one key: the second finds the first's key
    /// and record.
    fn seal_old_home(&self) -> Result<Loaded> {
        let transaction = self.store.transaction_from_shared()?;
        let anchor = audit::read_anchor(&self.vault)?;
        let key = self.vault.read(&Slot::IntegrityKey)?;
        if let Some(key) = &key {
            self.store.install_integrity_key(key.expose());
        }
        match (&anchor, &key) {
            // Sealed meanwhile by another process.
            (Some(anchor), Some(_)) if anchor.sealed => return Ok(Loaded::Ready),
            (Some(anchor), None) if anchor.sealed => {
                drop(transaction);
                return self.load_integrity();
            }
            _ => {}
        }
        if key.is_some()
            && let Some(anchor) = &anchor
        {
            // The sealing transaction committed but the anchor was not rewritten: the log
            // ends with its `home.integrity` entry right after the anchored one.
            let tail = audit_entries::from_checked(&transaction, anchor.seq)?;
            if let [anchored, record] = tail.as_slice()
                && anchored.hash == anchor.hash
                && record.action == AuditAction::HomeIntegrity.as_str()
                && audit::check_tail(
                    &transaction,
                    Some(&Anchor {
                        sealed: true,
                        ..anchor.clone()
                    }),
                )?
                .is_empty()
            {
                drop(transaction);
                audit::write_anchor(&self.vault, record)?;
                return Ok(Loaded::Ready);
            }
        }
        let rows = audit_entries::all(&transaction)?;
        let verification = audit::verify(&rows, anchor.as_ref());
        let mut problems = verification.problems;
        if verification.unanchored > 0 {
            problems.push(AuditProblem::Unvouched {
                after: anchor.as_ref().map_or(0, |anchor| anchor.seq),
                count: verification.unanchored,
            });
        }
        if !problems.is_empty() {
            return Ok(Loaded::Unsealed(problems));
        }
        if key.is_none() {
            // Stored before the rows are sealed with it: a crash in between leaves a key
            // next to an old-format anchor, which the next load seals with.
            let key = SecretValue::new(random_bytes::<32>().to_vec());
            self.vault.store(&Slot::IntegrityKey, &key)?;
            self.store.install_integrity_key(key.expose());
        }
        let through = anchor.as_ref().map_or(0, |anchor| anchor.seq);
        let entries = audit_entries::seal_through(&transaction, through)?;
        let sealed_rows = integrity::seal_all(&transaction)?;
        let record = audit::append(
            &transaction,
            self.clock.now(),
            &self.actor,
            AuditAction::HomeIntegrity,
            "home",
            serde_json::json!({
                "sealed_rows": sealed_rows,
                "sealed_entries": entries,
                "vouched_through": through,
            }),
        )?;
        transaction
            .commit()
            .map_err(crate::store::StoreError::from)?;
        audit::write_anchor(&self.vault, &record)?;
        Ok(Loaded::Ready)
    }

    /// Every way the log and the protected rows differ from what Keyward wrote: the
    /// problems `audit verify` lists after the chain's own.
    pub(super) fn integrity_problems(&self) -> Result<Vec<AuditProblem>> {
        Ok(integrity::survey(self.store.connection())?
            .into_iter()
            .map(|finding| {
                if finding.deleted {
                    AuditProblem::RowDeleted {
                        table: finding.family.table().to_owned(),
                        row: finding.row,
                    }
                } else {
                    AuditProblem::RowAltered {
                        table: finding.family.table().to_owned(),
                        row: finding.row,
                        name: finding.label.unwrap_or_default(),
                        fields: finding.family.covers().to_owned(),
                    }
                }
            })
            .collect())
    }
}
