//! Reading and verifying the audit trail, and with it the MACs of the protected
//! inventory rows.

use super::Review;
use super::integrity::Loaded;
use crate::Result;
use crate::audit::{self, AuditEntry, AuditVerification};
use crate::store::audit_entries;

impl Review<'_> {
    /// Every audit entry, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        Ok(audit_entries::all(self.store.connection())?
            .into_iter()
            .map(AuditEntry::from)
            .collect())
    }

    /// Checks the chain, each entry's MAC and the keychain anchor, then every protected
    /// inventory row against its MAC. Loading the integrity key on a home from before
    /// MACs seals it first (when its anchor vouches for the log).
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        match self.load_integrity()? {
            Loaded::Ready => {
                let rows = audit_entries::all_checked(self.store.connection())?;
                let anchor = audit::read_anchor(&self.vault)?;
                let mut verification = audit::verify(&rows, anchor.as_ref());
                verification.problems.extend(self.integrity_problems()?);
                verification.intact = verification.problems.is_empty();
                Ok(verification)
            }
            Loaded::Unsealed(problems) => Ok(AuditVerification {
                entries: audit_entries::all(self.store.connection())?.len() as u64,
                intact: false,
                problems,
                unanchored: 0,
            }),
        }
    }
}
