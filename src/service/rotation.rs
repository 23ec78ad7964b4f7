//! Rotation use cases: set a credential up for rotation, plan a rotation, run it with
//! progress reports, resume or roll back interrupted ones, purge replaced values after
//! their grace period, and read the history. The state machine itself is described in
//! [`crate::rotate`]; this file runs its steps against the inventory and the keychain.

use std::path::PathBuf;

use base64::Engine as _;
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::Keyward;
use crate::audit::{self, AuditAction};
use crate::model::{Credential, CredentialKind, SecretValue, StorageKind};
use crate::rotate::{
    self, Adapter, AdapterContext, CredentialCheck, Lifecycle, NewKey, PlannedStep, RotateError,
    RotationHistory, RotationMethod, RotationOutcome, RotationPlan, RotationSetup, RotationState,
    StepProgress, StepRecord, fault,
};
use crate::store::credentials::{self as rows, StoredCredential};
use crate::store::{rotations, settings};
use crate::vault::{ENVELOPE_THRESHOLD, EnvelopeKey, Slot, seal_envelope};
use crate::{Error, Result};

/// What the user approved in the plan; journaled so a resumed rotation does the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotationApproval {
    /// Registered files the user chose not to rewrite.
    #[serde(default)]
    pub skip_files: Vec<PathBuf>,
}

#[derive(Serialize, Deserialize)]
struct JournaledPlan {
    files: Vec<PathBuf>,
}

/// A key as kept in a rotation's keychain slots: its provider id and value.
#[derive(Serialize, Deserialize)]
struct SlotKey {
    id: Option<String>,
    value: String,
}

fn encode_key(key: &NewKey) -> SecretValue {
    let slot = SlotKey {
        id: key.id.clone(),
        value: base64::engine::general_purpose::STANDARD.encode(key.value.expose()),
    };
    let text =
        zeroize::Zeroizing::new(serde_json::to_string(&slot).expect("a slot key serializes"));
    SecretValue::new(text.as_bytes().to_vec())
}

impl NewKeyCopy for NewKey {
    fn copy(&self) -> NewKey {
        NewKey {
            id: self.id.clone(),
            value: self.value.clone(),
        }
    }
}

/// Duplicates a key held by a running rotation (the adapter type has no `Clone` so that
/// copies of secrets stay deliberate).
trait NewKeyCopy {
    fn copy(&self) -> NewKey;
}

fn decode_key(id: i64, stored: &SecretValue) -> Result<NewKey> {
    let broken = |detail: &str| RotateError::Journal {
        id,
        detail: detail.to_owned(),
    };
    let slot: SlotKey = serde_json::from_slice(stored.expose())
        .map_err(|_| broken("a rotation keychain entry is unreadable"))?;
    let value = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(slot.value.as_bytes())
            .map_err(|_| broken("a rotation keychain entry is unreadable"))?,
    );
    Ok(NewKey {
        id: slot.id,
        value: SecretValue::new(value.to_vec()),
    })
}

/// The parts of a running rotation that stay the same across its steps.
struct Run {
    id: i64,
    credential: Credential,
    setup: RotationSetup,
    adapter: Box<dyn Adapter>,
    signing_ca: Option<SecretValue>,
    files: Vec<PathBuf>,
    old_key_id: Option<String>,
    warnings: Vec<String>,
    files_updated: Vec<PathBuf>,
    /// The pending and previous keys once read or written, so each step does not read
    /// the keychain again (each read is a Secret Service round trip).
    pending: Option<NewKey>,
    previous: Option<NewKey>,
}

impl Keyward {
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

    /// A credential's rotation setup; credentials without one rotate with `generate`
    /// when their kind allows it.
    pub fn rotation_setup(&self, name: &str) -> Result<RotationSetup> {
        if let Some(json) = rotations::setup(self.store.connection(), name)? {
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

    /// What a rotation of `name` will do: the steps, the files it would rewrite (with
    /// the values redacted) and warnings. Changes nothing but the audit log.
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
        let current = self.reveal(name, super::Access::Use)?;
        let files: Vec<_> = setup
            .files
            .iter()
            .map(|path| rotate::preview_file(path, &current, "<new value>"))
            .collect();
        for file in &files {
            if let Some(problem) = &file.problem {
                warnings.push(format!("{}: {problem}", file.path.display()));
            } else if file.changes.is_empty() {
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
        let files: Vec<PathBuf> = setup
            .files
            .iter()
            .filter(|file| !approval.skip_files.contains(file))
            .cloned()
            .collect();
        let plan = serde_json::to_string(&JournaledPlan { files }).expect("a plan serializes");
        let method = setup.method.as_str().to_owned();
        // Unanchored like every step before the last: the final step moves the anchor.
        let id = self.write_unanchored(|connection, at, actor| {
            let id = rotations::start(connection, name, &method, &plan, old_key_id.as_deref(), at)?;
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

    /// `anchor`: move the audit anchor now (false when a following write of the same
    /// operation will).
    fn purge_previous(&mut self, row: &rotations::JournalRow, anchor: bool) -> Result<()> {
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

    fn grace_hours(&self) -> Result<u32> {
        Ok(
            settings::get(self.store.connection(), rotate::GRACE_SETTING)?
                .and_then(|value| value.parse().ok())
                .unwrap_or(rotate::DEFAULT_GRACE_HOURS),
        )
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

    fn history_of(&self, row: rotations::JournalRow) -> Result<RotationHistory> {
        let steps = rotations::steps(self.store.connection(), row.id)?
            .into_iter()
            .map(|(state, at, message)| {
                Ok(StepRecord {
                    state: parse_state(row.id, &state)?,
                    at,
                    message,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RotationHistory {
            id: row.id,
            state: parse_state(row.id, &row.state)?,
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

    /// Runs a rotation from its journaled state until it is done, rolled back, or stuck
    /// after commit (then the error is returned and a later resume retries). `resuming`
    /// marks a rotation found unfinished: if it had not committed it is rolled back (and
    /// that is a successful outcome), unless the provider already replaced the value.
    fn drive(
        &mut self,
        id: i64,
        resuming: bool,
        check: Option<&dyn CredentialCheck>,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<RotationOutcome> {
        let row = rotations::by_id(self.store.connection(), id)?;
        let mut run = self.prepare_run(&row)?;
        let mut resuming_before_commit =
            resuming && parse_state(id, &row.state)?.is_before_commit();
        loop {
            let row = rotations::by_id(self.store.connection(), id)?;
            let state = parse_state(id, &row.state)?;
            match state {
                RotationState::Done | RotationState::RolledBack => {
                    return Ok(RotationOutcome {
                        rotation_id: id,
                        credential: run.credential.name.clone(),
                        state,
                        files_updated: run.files_updated,
                        warnings: run.warnings,
                        error: row.error,
                    });
                }
                RotationState::RollingBack => {
                    let cause = row.error.clone().unwrap_or_else(|| "interrupted".into());
                    self.roll_back(&mut run, &cause, progress)?;
                }
                _ => {
                    // An interrupted rotation that had not committed is rolled back, unless
                    // the provider already replaced the old value in place.
                    let must_go_forward = resuming_before_commit
                        && run.adapter.lifecycle() == Lifecycle::Roll
                        && self.vault.read(&rotate::pending_slot(id))?.is_some();
                    if resuming_before_commit && !must_go_forward {
                        self.roll_back(
                            &mut run,
                            "the rotation was interrupted before commit",
                            progress,
                        )?;
                        continue;
                    }
                    resuming_before_commit = false;
                    if let Err(error) = self.step(&mut run, state, check, progress) {
                        let rotate_error = match error {
                            Error::Rotate(error) => error,
                            other => RotateError::Other(other.to_string()),
                        };
                        let rolled_in_place = run.adapter.lifecycle() == Lifecycle::Roll
                            && self.vault.read(&rotate::pending_slot(id))?.is_some();
                        if state.is_before_commit() && !rolled_in_place {
                            return self.fail_before_commit(
                                &mut run,
                                state,
                                rotate_error,
                                progress,
                            );
                        }
                        self.write(|connection, at, actor| {
                            let message = format!("step after `{state}` failed: {rotate_error}");
                            rotations::record_step(connection, id, state.as_str(), at, &message, None, Some(&rotate_error.to_string()))?;
                            let detail = serde_json::json!({"rotation": id, "state": state, "error": rotate_error.to_string()});
                            let row = audit::append(connection, at, actor, AuditAction::CredentialRotate, &run.credential.name, detail)?;
                            Ok(((), row))
                        })?;
                        return Err(rotate_error.into());
                    }
                }
            }
        }
    }

    fn fail_before_commit(
        &mut self,
        run: &mut Run,
        state: RotationState,
        cause: RotateError,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<RotationOutcome> {
        let step = state.next().unwrap_or(state).as_str().to_owned();
        match self.roll_back(run, &cause.to_string(), progress) {
            Ok(()) => Err(RotateError::RolledBack {
                credential: run.credential.name.clone(),
                step,
                cause: Box::new(cause),
            }
            .into()),
            Err(rollback) => Err(RotateError::RollbackFailed {
                credential: run.credential.name.clone(),
                step,
                cause: Box::new(cause),
                rollback: rollback.to_string(),
            }
            .into()),
        }
    }

    fn prepare_run(&mut self, row: &rotations::JournalRow) -> Result<Run> {
        let credential = self.credential(&row.credential)?;
        let setup = self.rotation_setup(&row.credential)?;
        let adapter = rotate::adapter_for(&credential, &setup)?;
        let signing_ca = match &setup.signing_ca {
            Some(ca) => Some(self.reveal(ca, super::Access::Use)?),
            None => None,
        };
        let plan: JournaledPlan = row
            .plan
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|error| RotateError::Journal {
                id: row.id,
                detail: format!("plan: {error}"),
            })?
            .unwrap_or(JournaledPlan { files: Vec::new() });
        Ok(Run {
            id: row.id,
            credential,
            setup,
            adapter,
            signing_ca,
            files: plan.files,
            old_key_id: row.old_key_id.clone(),
            warnings: Vec::new(),
            files_updated: Vec::new(),
            pending: None,
            previous: None,
        })
    }

    /// Journals `state` with an audit entry and tells `progress`. Intermediate steps
    /// leave the keychain anchor alone; the final ones (and commit) move it over all of
    /// them.
    fn journal(
        &mut self,
        run: &Run,
        state: RotationState,
        message: String,
        new_key_id: Option<&str>,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<()> {
        let id = run.id;
        let name = run.credential.name.clone();
        let work = |connection: &rusqlite::Connection, at, actor: &str| {
            rotations::record_step(
                connection,
                id,
                state.as_str(),
                at,
                &message,
                new_key_id,
                None,
            )?;
            let detail = serde_json::json!({"rotation": id, "state": state, "message": message});
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialRotate,
                &name,
                detail,
            )?;
            Ok(((), row))
        };
        if state.is_final() {
            self.write(work)?;
        } else {
            self.write_unanchored(work)?;
        }
        progress(&StepProgress {
            rotation_id: id,
            credential: name,
            state,
            message,
        });
        Ok(())
    }

    fn pending(&self, run: &mut Run) -> Result<NewKey> {
        if let Some(pending) = &run.pending {
            return Ok(pending.copy());
        }
        let stored = self
            .vault
            .read(&rotate::pending_slot(run.id))?
            .ok_or_else(|| RotateError::Journal {
                id: run.id,
                detail: "the pending value is missing from the keychain".into(),
            })?;
        let pending = decode_key(run.id, &stored)?;
        run.pending = Some(pending.copy());
        Ok(pending)
    }

    /// The previous slot's key, read once per run.
    fn previous(&self, run: &mut Run) -> Result<Option<NewKey>> {
        if run.previous.is_none()
            && let Some(previous) = self.vault.read(&rotate::previous_slot(run.id))?
        {
            run.previous = Some(decode_key(run.id, &previous)?);
        }
        Ok(run.previous.as_ref().map(NewKey::copy))
    }

    /// The value before this rotation: the previous slot once commit started, else the
    /// credential's current value.
    fn old_value(&self, run: &mut Run) -> Result<NewKey> {
        if let Some(previous) = self.previous(run)? {
            return Ok(previous);
        }
        let stored = rows::by_name(self.store.connection(), &run.credential.name)?;
        Ok(NewKey {
            id: run.old_key_id.clone(),
            value: self.read_value(&stored)?,
        })
    }

    /// Performs the step after `state` and journals it.
    fn step(
        &mut self,
        run: &mut Run,
        state: RotationState,
        check: Option<&dyn CredentialCheck>,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<()> {
        let now = self.now();
        let home = self.home.clone();
        match state {
            RotationState::Planned => {
                let new = match self.vault.read(&rotate::pending_slot(run.id))? {
                    // Created before an interruption: the keychain has it, the journal not yet.
                    Some(stored) => decode_key(run.id, &stored)?,
                    None => {
                        let current = self.old_value(run)?.value;
                        let context = context(run, now, &home);
                        let new = run.adapter.create(&context, &current)?;
                        self.vault
                            .store(&rotate::pending_slot(run.id), &encode_key(&new))?;
                        run.pending = Some(new.copy());
                        new
                    }
                };
                fault::point("created-unjournaled");
                let message = match &new.id {
                    Some(key_id) => format!("new key {key_id} created"),
                    None => "new value created".into(),
                };
                self.journal(
                    run,
                    RotationState::Created,
                    message,
                    new.id.as_deref(),
                    progress,
                )?;
                fault::point("created");
            }
            RotationState::Created => {
                let new = self.pending(run)?;
                let message = format!(
                    "new value {} kept in the keychain as pending",
                    new.value.redacted_shape()
                );
                self.journal(run, RotationState::Stored, message, None, progress)?;
                fault::point("stored");
            }
            RotationState::Stored => {
                let new = self.pending(run)?;
                let context = context(run, now, &home);
                let mut outcome = run.adapter.verify(&context, &new);
                if outcome.is_ok()
                    && let Some(check) = check
                {
                    outcome = check.check(&run.credential, &new.value).map_err(|detail| {
                        RotateError::VerificationFailed {
                            credential: run.credential.name.clone(),
                            detail,
                        }
                    });
                }
                let message = match outcome {
                    Ok(()) => "the new value works".to_owned(),
                    Err(error) if run.adapter.lifecycle() == Lifecycle::Roll => {
                        let warning = format!(
                            "verification failed ({error}); continuing, because the provider already replaced the old value"
                        );
                        run.warnings.push(warning.clone());
                        warning
                    }
                    Err(error) => return Err(error.into()),
                };
                self.journal(run, RotationState::Verified, message, None, progress)?;
                fault::point("verified");
            }
            RotationState::Verified => self.commit(run, progress)?,
            RotationState::Committed => {
                let old = self.old_value(run)?;
                let new = self.pending(run)?;
                let context = context(run, now, &home);
                match run.adapter.publish(&context, &new.value, Some(&old.value)) {
                    Ok(written) => run.files_updated.extend(written),
                    Err(error) => run.warnings.push(error.to_string()),
                }
                let mut updated = Vec::new();
                for path in run.files.clone() {
                    match rotate::rewrite_file(&path, &old.value, &new.value) {
                        Ok(true) => updated.push(path),
                        Ok(false) => {}
                        Err(error) => run.warnings.push(error.to_string()),
                    }
                }
                fault::point("propagated-unjournaled");
                let message = format!("{} file(s) rewritten", updated.len());
                run.files_updated.extend(updated);
                self.journal(run, RotationState::Propagated, message, None, progress)?;
                fault::point("propagated");
            }
            RotationState::Propagated => {
                let old = self.old_value(run)?;
                let new = self.pending(run)?;
                let context = context(run, now, &home);
                let old_key = NewKey {
                    id: run.old_key_id.clone().or(old.id),
                    value: old.value,
                };
                run.adapter.retire_old(&context, &old_key, &new.value)?;
                fault::point("revoked-unjournaled");
                let message = match &old_key.id {
                    Some(key_id) => format!("old key {key_id} revoked"),
                    None => "old value retired".into(),
                };
                self.journal(run, RotationState::Revoked, message, None, progress)?;
                fault::point("revoked");
            }
            RotationState::Revoked => {
                self.vault.delete(&rotate::pending_slot(run.id))?;
                self.journal(
                    run,
                    RotationState::Done,
                    "rotation finished".into(),
                    None,
                    progress,
                )?;
                fault::point("done");
                if self.grace_hours()? == 0 {
                    let row = rotations::by_id(self.store.connection(), run.id)?;
                    self.purge_previous(&row, true)?;
                }
            }
            RotationState::Done | RotationState::RolledBack | RotationState::RollingBack => {}
        }
        Ok(())
    }

    /// Makes the pending value current. The old value is copied to the previous slot
    /// first (only once: a resumed commit must not copy the new value over it), then the
    /// keychain gets the new value, then one transaction updates the inventory and the
    /// journal.
    fn commit(&mut self, run: &mut Run, progress: &mut dyn FnMut(&StepProgress)) -> Result<()> {
        let previous_slot = rotate::previous_slot(run.id);
        let stored = rows::by_name(self.store.connection(), &run.credential.name)?;
        if self.previous(run)?.is_none() {
            let current = NewKey {
                id: run.old_key_id.clone(),
                value: self.read_value(&stored)?,
            };
            self.vault.store(&previous_slot, &encode_key(&current))?;
            run.previous = Some(current);
        }
        let new = self.pending(run)?;
        let (storage, sealed) = self.place_value(&stored, &new.value)?;
        fault::point("committed-unjournaled");
        let fingerprint = self.fingerprint(&new.value)?;
        let certificate = match run.credential.kind {
            CredentialKind::ClientCert => Some(
                crate::certificate::read_pem(
                    std::path::Path::new("renewed certificate"),
                    new.value.expose(),
                    None,
                )
                .map_err(|error| RotateError::Generate(error.to_string()))?
                .info,
            ),
            _ => None,
        };
        let mut setup = run.setup.clone();
        if let Some(key_id) = &new.id {
            setup.key_id = Some(key_id.clone());
        }
        let setup_json = serde_json::to_string(&setup).expect("a rotation setup serializes");
        let grace = Duration::hours(i64::from(self.grace_hours()?));
        let length = u32::try_from(new.value.len())
            .map_err(|_| Error::invalid("value", "larger than 4 GiB"))?;
        let (id, name) = (run.id, run.credential.name.clone());
        let message = format!("new value is current (fingerprint {}…)", &fingerprint[..12]);
        let step_message = message.clone();
        self.write(|connection, at, actor| {
            rows::update_value(connection, &name, &fingerprint, length, storage, sealed.as_deref(), at)?;
            if let Some(certificate) = &certificate {
                rows::update_certificate(connection, &name, certificate, certificate.not_after)?;
            }
            rotations::set_setup(connection, &name, &setup_json)?;
            rotations::record_step(connection, id, RotationState::Committed.as_str(), at, &step_message, None, None)?;
            rotations::set_previous(connection, id, true, Some(at + grace))?;
            let detail = serde_json::json!({"rotation": id, "state": "committed", "fingerprint": fingerprint});
            let row = audit::append(connection, at, actor, AuditAction::CredentialRotate, &name, detail)?;
            Ok(((), row))
        })?;
        run.setup = setup;
        progress(&StepProgress {
            rotation_id: id,
            credential: name,
            state: RotationState::Committed,
            message,
        });
        fault::point("committed");
        Ok(())
    }

    /// Writes a new value where the credential keeps it: the keychain entry, or a sealed
    /// copy (returned for the inventory) under the credential's envelope key.
    fn place_value(
        &self,
        stored: &StoredCredential,
        value: &SecretValue,
    ) -> Result<(StorageKind, Option<Vec<u8>>)> {
        if value.len() > ENVELOPE_THRESHOLD {
            let key_slot = Slot::EnvelopeKey(stored.slot_id.clone());
            let key = self
                .vault
                .read_or_create(&key_slot, || EnvelopeKey::generate().to_secret())?;
            let key = EnvelopeKey::from_secret(&key)
                .ok_or_else(|| Error::Internal("the envelope key is malformed".into()))?;
            return Ok((
                StorageKind::Envelope,
                Some(seal_envelope(&key, value, &stored.slot_id)),
            ));
        }
        self.vault
            .store(&Slot::Credential(stored.slot_id.clone()), value)?;
        Ok((StorageKind::Keychain, None))
    }

    /// Undoes a rotation that did not commit: puts the old value back in the keychain if
    /// a commit was under way, revokes the new key where it was created, and drops the
    /// rotation's slots. Safe to run again after an interruption.
    fn roll_back(
        &mut self,
        run: &mut Run,
        cause: &str,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<()> {
        let row = rotations::by_id(self.store.connection(), run.id)?;
        if row.state != RotationState::RollingBack.as_str() {
            let (id, name, cause_text) = (run.id, run.credential.name.clone(), cause.to_owned());
            self.write(|connection, at, actor| {
                rotations::record_step(connection, id, RotationState::RollingBack.as_str(), at, &format!("rolling back: {cause_text}"), None, Some(&cause_text))?;
                let detail = serde_json::json!({"rotation": id, "state": "rolling-back", "error": cause_text});
                let row = audit::append(connection, at, actor, AuditAction::CredentialRotate, &name, detail)?;
                Ok(((), row))
            })?;
            progress(&StepProgress {
                rotation_id: id,
                credential: run.credential.name.clone(),
                state: RotationState::RollingBack,
                message: cause.to_owned(),
            });
        }
        fault::point("rolling-back");
        let stored = rows::by_name(self.store.connection(), &run.credential.name)?;
        if let Some(previous) = self.vault.read(&rotate::previous_slot(run.id))?
            && stored.credential.storage == StorageKind::Keychain
        {
            let old = decode_key(run.id, &previous)?;
            self.vault
                .store(&Slot::Credential(stored.slot_id.clone()), &old.value)?;
        }
        let current = self.read_value(&stored)?;
        let pending = match self.vault.read(&rotate::pending_slot(run.id))? {
            Some(value) => Some(decode_key(run.id, &value)?),
            None => row.new_key_id.clone().map(|id| NewKey {
                id: Some(id),
                value: SecretValue::new(Vec::new()),
            }),
        };
        if let Some(new) = pending {
            let home = self.home.clone();
            let context = context(run, self.now(), &home);
            run.adapter.revoke_new(&context, &new, &current)?;
        }
        fault::point("rolled-back-unjournaled");
        self.vault.delete(&rotate::pending_slot(run.id))?;
        self.vault.delete(&rotate::previous_slot(run.id))?;
        self.journal(
            run,
            RotationState::RolledBack,
            format!("rolled back; the old value is current ({cause})"),
            None,
            progress,
        )
    }
}

fn context<'a>(
    run: &'a Run,
    now: chrono::DateTime<chrono::Utc>,
    home: &'a std::path::Path,
) -> AdapterContext<'a> {
    AdapterContext {
        credential: &run.credential,
        setup: &run.setup,
        now,
        home,
        signing_ca: run.signing_ca.as_ref(),
    }
}

fn parse_state(id: i64, text: &str) -> Result<RotationState> {
    text.parse::<RotationState>()
        .map_err(|detail| RotateError::Journal { id, detail }.into())
}

/// A value's shape for journal messages: its length only, since even a prefix of a
/// freshly made secret is more than a journal needs.
trait RedactedShape {
    fn redacted_shape(&self) -> String;
}

impl RedactedShape for SecretValue {
    fn redacted_shape(&self) -> String {
        format!("({} bytes)", self.len())
    }
}
