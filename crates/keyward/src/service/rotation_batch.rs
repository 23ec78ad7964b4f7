//! Rotation as the surfaces run it: one credential checked against its endpoints, every
//! overdue credential in one confirmed batch, and the audit entries a rotation wrote
//! (the desktop app shows them with the result).

use serde::{Deserialize, Serialize};

use super::Rotation;
use super::rotation::RotationApproval;
use crate::audit::AuditEntry;
use crate::rotate::{CredentialCheck, RotationOutcome, RotationPlan, StepProgress};
use crate::store::audit_entries;
use crate::{Error, ErrorCode, Result};

/// An overdue credential that cannot be rotated as it is set up, and why (a `basic`
/// credential with no provider adapter, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NotRotatable {
    pub credential: String,
    pub reason: String,
}

/// The plans for every overdue credential, confirmed once for all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OverduePlan {
    pub plans: Vec<RotationPlan>,
    /// Overdue credentials left out of the batch; each needs its rotation set up first.
    pub not_rotatable: Vec<NotRotatable>,
}

/// How one rotation of a batch ended: its outcome, or the error that stopped it (a
/// failure before commit has been rolled back by then, and the message says so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchRotation {
    pub credential: String,
    /// The journal id, once the rotation started (a failed one may not have).
    pub rotation_id: Option<i64>,
    pub outcome: Option<RotationOutcome>,
    pub error: Option<String>,
}

impl Rotation<'_> {
    /// Plans a rotation of every overdue credential. Credentials whose setup cannot
    /// rotate are listed apart instead of failing the whole plan; a missing keychain or
    /// an unreadable inventory still fails it.
    pub fn plan_overdue_rotations(&mut self) -> Result<OverduePlan> {
        let mut plans = Vec::new();
        let mut not_rotatable = Vec::new();
        for credential in self.overdue_credentials()? {
            match self.plan_rotation(&credential.name) {
                Ok(plan) => plans.push(plan),
                Err(error) if error.code() == ErrorCode::InvalidInput => {
                    not_rotatable.push(NotRotatable {
                        credential: credential.name,
                        reason: error.to_string(),
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Ok(OverduePlan {
            plans,
            not_rotatable,
        })
    }

    /// Rotates `name`, proving the new value first at every endpoint of every
    /// integration that uses the credential (the probe's auth check), as the CLI does.
    pub fn rotate_checked(
        &mut self,
        name: &str,
        approval: &RotationApproval,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<RotationOutcome> {
        let check = self.posture().endpoint_check(name)?;
        let check: Option<&dyn CredentialCheck> =
            if check.is_empty() { None } else { Some(&check) };
        self.rotate_credential(name, approval, check, progress)
    }

    /// Rotates each of `names` in turn with [`Keyward::rotate_checked`]. A rotation that
    /// fails (and rolls back) is reported and the next one still runs, since the others
    /// do not depend on it; an error of the machine (no keychain) stops the batch.
    pub fn rotate_batch(
        &mut self,
        names: &[String],
        approval: &RotationApproval,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<Vec<BatchRotation>> {
        let mut results = Vec::new();
        for name in names {
            let mut rotation_id = None;
            let mut report = |step: &StepProgress| {
                rotation_id = Some(step.rotation_id);
                progress(step);
            };
            match self.rotate_checked(name, approval, &mut report) {
                Ok(outcome) => results.push(BatchRotation {
                    credential: name.clone(),
                    rotation_id: Some(outcome.rotation_id),
                    outcome: Some(outcome),
                    error: None,
                }),
                Err(error @ (Error::Rotate(_) | Error::Invalid { .. } | Error::Store(_)))
                    if error.code() != ErrorCode::Internal =>
                {
                    results.push(BatchRotation {
                        credential: name.clone(),
                        rotation_id,
                        outcome: None,
                        error: Some(error.to_string()),
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Ok(results)
    }

    /// The audit entries rotation `rotation_id` wrote, one per journaled step, oldest
    /// first.
    pub fn rotation_audit_entries(&self, rotation_id: i64) -> Result<Vec<AuditEntry>> {
        Ok(
            audit_entries::of_rotation(self.store.connection(), rotation_id)?
                .into_iter()
                .map(AuditEntry::from)
                .collect(),
        )
    }
}
