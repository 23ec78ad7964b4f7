//! Reading and verifying the audit trail.

use super::Review;
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

    /// Checks the chain and its keychain anchor.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        let rows = audit_entries::all(self.store.connection())?;
        let anchor = audit::read_anchor(&self.vault)?;
        Ok(audit::verify(&rows, anchor.as_ref()))
    }
}
