//! Running a rotation's steps: the journal-driven loop, each step's side effects and
//! journal entry, commit, and rollback. The use cases in `rotation.rs` call `drive`.

use std::path::PathBuf;

use base64::Engine as _;
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::Keyward;
use crate::audit::{self, AuditAction};
use crate::model::{Credential, CredentialKind, SecretValue, StorageKind};
use crate::rotate::{
    self, Adapter, AdapterContext, CredentialCheck, Lifecycle, NewKey, RotateError,
    RotationOutcome, RotationSetup, RotationState, StepProgress, fault,
};
use crate::store::credentials::{self as rows, StoredCredential};
use crate::store::rotations;
use crate::vault::{ENVELOPE_THRESHOLD, EnvelopeKey, Slot, seal_envelope};
use crate::{Error, Result};

/// The files the user approved in the plan; journaled so a resumed rotation does the same.
#[derive(Serialize, Deserialize)]
pub(super) struct JournaledPlan {
    pub(super) files: Vec<PathBuf>,
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
pub(super) trait NewKeyCopy {
    fn copy(&self) -> NewKey;
}

pub(super) fn decode_key(id: i64, stored: &SecretValue) -> Result<NewKey> {
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
pub(super) struct Run {
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
    /// Runs a rotation from its journaled state until it is done, rolled back, or stuck
    /// after commit (then the error is returned and a later resume retries). `resuming`
    /// marks a rotation found unfinished: if it had not committed it is rolled back (and
    /// that is a successful outcome), unless the provider already replaced the value.
    pub(super) fn drive(
        &mut self,
        id: i64,
        resuming: bool,
        check: Option<&dyn CredentialCheck>,
        progress: &mut dyn FnMut(&StepProgress),
    ) -> Result<RotationOutcome> {
        let row = rotations::by_id(self.store.connection(), id)?;
        let mut run = self.prepare_run(&row)?;
        let mut resuming_before_commit = resuming && row.state.is_before_commit();
        loop {
            let row = rotations::by_id(self.store.connection(), id)?;
            let state = row.state;
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
                            rotations::record_step(connection, id, state, at, &message, None, Some(&rotate_error.to_string()))?;
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
        // The journal's plan says which files get the new value, and the credential where
        // the adapter may send it: both refused if changed outside Keyward.
        self.integrity()?;
        rotations::check(self.store.connection(), row.id)?;
        let credential = self.credential(&row.credential)?;
        crate::store::credentials::check(self.store.connection(), credential.id)?;
        let setup = self.rotation_setup(&row.credential)?;
        let adapter = rotate::adapter_for(&credential, &setup)?;
        let signing_ca = match &setup.signing_ca {
            Some(ca) => Some(self.credentials().reveal(ca, super::Access::Use)?),
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
            rotations::record_step(connection, id, state, at, &message, new_key_id, None)?;
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
        let team_fingerprint = self.team_fingerprint(&new.value)?;
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
            if let Some(team_fingerprint) = &team_fingerprint {
                crate::store::team_fingerprints::upsert(connection, &fingerprint, team_fingerprint)?;
            }
            if let Some(certificate) = &certificate {
                rows::update_certificate(connection, &name, certificate, certificate.not_after)?;
            }
            rotations::set_setup(connection, &name, &setup_json)?;
            rotations::record_step(connection, id, RotationState::Committed, at, &step_message, None, None)?;
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
        if row.state != RotationState::RollingBack {
            let (id, name, cause_text) = (run.id, run.credential.name.clone(), cause.to_owned());
            self.write(|connection, at, actor| {
                rotations::record_step(connection, id, RotationState::RollingBack, at, &format!("rolling back: {cause_text}"), None, Some(&cause_text))?;
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
