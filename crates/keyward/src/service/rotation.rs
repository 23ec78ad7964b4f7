//! Rotation use cases: set a credential up for rotation, plan a rotation, run it with
//! progress reports, resume or roll back interrupted ones, purge replaced values after
//! their grace period, and read the history. The state machine itself is described in
//! [`crate::rotate`]; `rotation_steps.rs` runs its steps against the inventory and the
//! keychain.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::rotation_steps::{JournaledPlan, decode_key};
use super::{Keyward, Rotation};
use crate::audit::{self, AuditAction};
use crate::model::{AuthMethod, Credential, CredentialKind};
use crate::rotate::{
    self, AdapterContext, CredentialCheck, Lifecycle, NewKey, PlannedStep, RotateError,
    RotationHistory, RotationMethod, RotationOutcome, RotationPlan, RotationSetup, RotationState,
    StepProgress, StepRecord, fault,
};
use crate::store::credentials as rows;
use crate::store::{rotations, settings};
use crate::{Error, Result};

/// What the user approved in the plan; journaled so a resumed rotation does the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationApproval {
    /// Files of the plan (registered or found by the leak scanner) the user chose not to
    /// rewrite.
    #[serde(default)]
    pub skip_files: Vec<PathBuf>,
}

impl Rotation<'_> {
    /// Sets how a credential is rotated (and optionally how often). The setup is checked
    /// here (recipe syntax, method fits the kind) so mistakes surface before a rotation.
    pub fn set_rotation(
        &mut self,
        name: &str,
        setup: RotationSetup,
        every_days: Option<u32>,
    ) -> Result<Credential> {
        let credential = self.credential(name)?;
        rotate::adapter_for(&credential, &setup)?;
        if let Some(base_url) = &setup.base_url {
            super::validate::url("base URL", base_url)?;
        }
        if let Some(ca) = &setup.signing_ca {
            let authority = self.credential(ca)?;
            if authority.kind != CredentialKind::ClientCert
                || credential.kind != CredentialKind::ClientCert
            {
                return Err(Error::invalid(
                    "signing CA",
                    format!(
                        "`{ca}` must be a client-cert credential signing a client-cert credential"
                    ),
                ));
            }
        }
        if let Some(ca_file) = &setup.ca_file
            && !ca_file.is_file()
        {
            return Err(Error::invalid(
                "CA file",
                format!("{} does not exist", ca_file.display()),
            ));
        }
        let every = every_days.or(credential.rotate_every_days);
        let json = serde_json::to_string(&setup).expect("a rotation setup serializes");
        let detail = serde_json::json!({
            "rotation_method": setup.method,
            "rotate_every_days": every,
            "base_url": setup.base_url,
            "files": setup.files,
        });
        self.write(|connection, at, actor| {
            rows::update_rotation(connection, name, every, Some(setup.method.as_str()))?;
            rotations::set_setup(connection, name, &json)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialUpdate,
                name,
                detail,
            )?;
            Ok(((), row))
        })?;
        self.credential(name)
    }

    /// What a rotation of `name` will do: the steps, the files it would rewrite (with
    /// the values redacted; registered ones and those where the leak scanner found the
    /// current value) and warnings. Changes nothing but the audit log.
    pub fn plan_rotation(&mut self, name: &str) -> Result<RotationPlan> {
        let credential = self.credential(name)?;
        let setup = self.rotation_setup(name)?;
        let adapter = rotate::adapter_for(&credential, &setup)?;
        let mut warnings = Vec::new();
        if let Some(unfinished) = rotations::unfinished(self.store.connection())?
            .into_iter()
            .find(|row| row.credential == name)
        {
            warnings.push(format!(
                "rotation #{} of this credential is unfinished; it is resumed first",
                unfinished.id
            ));
        }
        let context = AdapterContext {
            credential: &credential,
            setup: &setup,
            now: self.now(),
            home: &self.home,
            signing_ca: None,
        };
        let [create, verify, revoke] = adapter.describe(&context);
        if adapter.lifecycle() == Lifecycle::Roll {
            warnings.push("the provider replaces the value in place: once it answers, the old value no longer works and the rotation cannot be rolled back".into());
        }
        let current = self.credentials().reveal(name, super::Access::Use)?;
        let files: Vec<_> = self
            .propagation_targets(name, &setup, &current)?
            .into_iter()
            .map(|(path, origin)| rotate::FilePreview {
                origin,
                ..rotate::preview_file(&path, &current, "<new value>")
            })
            .collect();
        for file in &files {
            if let Some(problem) = &file.problem {
                warnings.push(format!("{}: {problem}", file.path.display()));
            } else if let Ok(target) = rotate::write_target(&file.path)
                && target != file.path
            {
                warnings.push(format!(
                    "{}: a symbolic link; the file it leads to, {}, is rewritten and the link kept",
                    file.path.display(),
                    target.display()
                ));
            }
            if file.problem.is_none() && file.changes.is_empty() {
                warnings.push(format!(
                    "{}: does not contain the current value",
                    file.path.display()
                ));
            }
        }
        let step = |state, description: String| PlannedStep { state, description };
        let steps = vec![
            step(RotationState::Created, create),
            step(
                RotationState::Stored,
                "keep the new value in the keychain as pending".into(),
            ),
            step(RotationState::Verified, verify),
            step(
                RotationState::Committed,
                "make the new value current; keep the old one in the keychain for the grace period"
                    .into(),
            ),
            step(
                RotationState::Propagated,
                format!(
                    "rewrite {} file(s) that use the value",
                    files.iter().filter(|file| !file.changes.is_empty()).count()
                ),
            ),
            step(RotationState::Revoked, revoke),
        ];
        Ok(RotationPlan {
            credential: name.to_owned(),
            method: setup.method,
            lifecycle: adapter.lifecycle().as_str().to_owned(),
            steps,
            verify_endpoints: self
                .endpoints_using(name)?
                .iter()
                .filter(|(_, auth)| !matches!(auth, AuthMethod::None | AuthMethod::Mtls))
                .map(|(url, auth)| format!("{} ({auth})", super::endpoint_check::origin(url)))
                .collect(),
            files,
            grace_hours: self.grace_hours()?,
            warnings,
        })
    }

    /// Rotates `name` now. `progress` hears about every step as it is journaled. A
    /// failure before commit rolls back and returns [`RotateError::RolledBack`]; a
    /// failure after commit leaves the rotation to `resume_rotations`.
    pub fn rotate_credential(
        &mut self,
        name: &str,
        approval: &RotationApproval,
        check: Option<&dyn CredentialCheck>,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<RotationOutcome> {
        if let Some(row) = rotations::unfinished(self.store.connection())?
            .into_iter()
            .find(|row| row.credential == name)
        {
            return Err(RotateError::Unfinished {
                credential: name.to_owned(),
                id: row.id,
            }
            .into());
        }
        // A new rotation ends the grace period of the previous one: one replaced value is
        // kept at a time, and providers such as AWS allow only two keys per user. (The
        // first keychain read below also fails fast when there is no keychain.)
        for row in rotations::keeping_previous(self.store.connection())?
            .into_iter()
            .filter(|row| row.credential == name)
        {
            self.purge_previous(&row, false)?;
        }
        let credential = self.credential(name)?;
        let setup = self.rotation_setup(name)?;
        let adapter = rotate::adapter_for(&credential, &setup)?;
        let current = self.read_value(&rows::by_name(self.store.connection(), name)?)?;
        let context = AdapterContext {
            credential: &credential,
            setup: &setup,
            now: self.now(),
            home: &self.home,
            signing_ca: None,
        };
        let old_key_id = adapter.key_id_of(&context, &current);
        let files: Vec<PathBuf> = self
            .propagation_targets(name, &setup, &current)?
            .into_iter()
            .map(|(path, _)| path)
            .filter(|file| !approval.skip_files.contains(file))
            .collect();
        // A file that can never be rewritten (a dangling link, a link to a device, a FIFO,
        // someone else's file) stops the rotation here, before the provider is called,
        // rather than leaving a copy of the old value behind after the revoke.
        for file in &files {
            if let Err(refused) = rotate::write_target(file) {
                return Err(Error::invalid(
                    "propagation file",
                    format!(
                        "{}: {refused}; fix it, or leave the file out of the rotation (--skip-file)",
                        file.display()
                    ),
                ));
            }
        }
        let plan = serde_json::to_string(&JournaledPlan { files }).expect("a plan serializes");
        let method = setup.method;
        // Unanchored like every step before the last: the final step moves the anchor.
        let id = self.write_unanchored(|connection, at, actor| {
            let id = rotations::start(connection, name, method, &plan, old_key_id.as_deref(), at)?;
            let detail = serde_json::json!({"rotation": id, "state": "planned", "method": method});
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialRotate,
                name,
                detail,
            )?;
            Ok((id, row))
        })?;
        progress(&StepProgress {
            rotation_id: id,
            credential: name.to_owned(),
            state: RotationState::Planned,
            message: "rotation planned".into(),
        });
        fault::point("planned");
        self.drive(id, false, check, progress)
    }

    /// Finishes or rolls back every interrupted rotation, then purges replaced values
    /// whose grace period has passed. Call it when a surface starts.
    pub fn resume_rotations(
        &mut self,
        check: Option<&dyn CredentialCheck>,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<Vec<RotationOutcome>> {
        let mut outcomes = Vec::new();
        for row in rotations::unfinished(self.store.connection())? {
            outcomes.push(self.drive(row.id, true, check, progress)?);
        }
        self.purge_previous_values()?;
        Ok(outcomes)
    }

    /// Rotations that are neither done nor rolled back.
    pub fn unfinished_rotations(&self) -> Result<Vec<RotationHistory>> {
        rotations::unfinished(self.store.connection())?
            .into_iter()
            .map(|row| self.history_of(row))
            .collect()
    }

    /// A credential's rotations, newest first, with their steps.
    pub fn rotation_history(&self, name: &str) -> Result<Vec<RotationHistory>> {
        rotations::history(self.store.connection(), name)?
            .into_iter()
            .map(|row| self.history_of(row))
            .collect()
    }

    /// Credentials whose rotation period has run out.
    pub fn overdue_credentials(&self) -> Result<Vec<Credential>> {
        let now = self.now();
        Ok(self
            .list_credentials()?
            .into_iter()
            .filter(|credential| credential.next_rotation().is_some_and(|due| due <= now))
            .collect())
    }

    /// Deletes replaced values whose grace period has passed, after the adapter removed
    /// the old key for good. Returns the rotations purged.
    pub fn purge_previous_values(&mut self) -> Result<Vec<i64>> {
        let now = self.now();
        let mut purged = Vec::new();
        for row in rotations::keeping_previous(self.store.connection())? {
            if row.grace_until.is_some_and(|until| until > now) {
                continue;
            }
            self.purge_previous(&row, true)?;
            purged.push(row.id);
        }
        Ok(purged)
    }

    /// Sets the grace period, in hours, for replaced values (0: purge at once).
    pub fn set_rotation_grace_hours(&mut self, hours: u32) -> Result<()> {
        self.write(|connection, at, actor| {
            settings::set(connection, rotate::GRACE_SETTING, &hours.to_string())?;
            let detail = serde_json::json!({"setting": rotate::GRACE_SETTING, "value": hours});
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialUpdate,
                "settings",
                detail,
            )?;
            Ok(((), row))
        })
    }
}

impl Keyward {
    /// A credential's rotation setup; credentials without one rotate with `generate`
    /// when their kind allows it.
    /// A setup changed outside Keyward (recipe, base URL, CA file, propagation files) is
    /// refused.
    pub fn rotation_setup(&self, name: &str) -> Result<RotationSetup> {
        self.integrity()?;
        if let Some(json) = rotations::setup_checked(self.store.connection(), name)? {
            return serde_json::from_str(&json)
                .map_err(|error| Error::Internal(format!("rotation setup of `{name}`: {error}")));
        }
        let credential = self.credential(name)?;
        match credential.kind {
            kind if kind.is_plain_value() => Ok(RotationSetup::new(RotationMethod::Generate)),
            CredentialKind::JwtSigningKey | CredentialKind::ClientCert => {
                Ok(RotationSetup::new(RotationMethod::Generate))
            }
            kind => Err(RotateError::Unsupported {
                credential: name.to_owned(),
                method: "none".into(),
                reason: format!(
                    "a {kind} credential has no rotation set up; use `keyward cred set-rotation`"
                ),
            }
            .into()),
        }
    }

    /// `anchor`: move the audit anchor now (false when a following write of the same
    /// operation will).
    pub(super) fn purge_previous(
        &mut self,
        row: &rotations::JournalRow,
        anchor: bool,
    ) -> Result<()> {
        let slot = rotate::previous_slot(row.id);
        if let (Some(previous), Some(stored)) = (
            self.vault.read(&slot)?,
            rows::find_by_name(self.store.connection(), &row.credential)?,
        ) {
            let old = decode_key(row.id, &previous)?;
            let setup = self.rotation_setup(&row.credential)?;
            let adapter = rotate::adapter_for(&stored.credential, &setup)?;
            let current = self.read_value(&stored)?;
            let context = AdapterContext {
                credential: &stored.credential,
                setup: &setup,
                now: self.now(),
                home: &self.home,
                signing_ca: None,
            };
            adapter.purge_old(
                &context,
                &NewKey {
                    id: row.old_key_id.clone().or(old.id),
                    value: old.value,
                },
                &current,
            )?;
            adapter.publish(&context, &current, None)?;
        }
        self.vault.delete(&slot)?;
        let id = row.id;
        let work = |connection: &rusqlite::Connection, at, actor: &str| {
            rotations::set_previous(connection, id, false, None)?;
            let detail = serde_json::json!({"rotation": id, "state": "previous-purged"});
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialRotate,
                &row.credential,
                detail,
            )?;
            Ok(((), row))
        };
        if anchor {
            self.write(work)
        } else {
            self.write_unanchored(work)
        }
    }

    pub(super) fn grace_hours(&self) -> Result<u32> {
        self.integrity()?;
        Ok(
            settings::get_checked(self.store.connection(), rotate::GRACE_SETTING)?
                .and_then(|value| value.parse().ok())
                .unwrap_or(rotate::DEFAULT_GRACE_HOURS),
        )
    }

    fn history_of(&self, row: rotations::JournalRow) -> Result<RotationHistory> {
        let steps = rotations::steps(self.store.connection(), row.id)?
            .into_iter()
            .map(|(state, at, message)| StepRecord { state, at, message })
            .collect();
        Ok(RotationHistory {
            id: row.id,
            state: row.state,
            credential: row.credential,
            method: row.method,
            started_at: row.started_at,
            finished_at: row.finished_at,
            error: row.error,
            grace_until: row.grace_until,
            previous_kept: row.previous_kept,
            steps,
        })
    }
}
