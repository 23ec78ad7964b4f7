//! Bundles: exporting this workstation's signed snapshot, and importing other
//! workstations' bundles into a review home with trust on first use and key pinning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use super::{Keyward, Review};
use crate::audit::{self, AuditAction};
use crate::model::random::random_id;
use crate::report::bundle::{self, BundleError, BundlePayload};
use crate::report::{Snapshot, Workstation};
use crate::store::{
    self, audit_entries, credentials, integrations, rotations, settings, trusted_workstations,
};
use crate::vault::Slot;
use crate::{Error, Result};

pub(super) const WORKSTATION_ID: &str = "workstation_id";
const BUNDLE_SEQUENCE: &str = "bundle_sequence";
/// The keychain entry holding this workstation's Ed25519 signing key (PKCS#8).
pub(super) fn signing_slot() -> Slot {
    Slot::Other("workstation-signing-key".into())
}

/// What one imported bundle brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportedBundle {
    pub path: String,
    pub workstation: Workstation,
    pub sequence: u64,
    pub credentials: u32,
    pub newly_trusted: bool,
    pub key_fingerprint: String,
}

/// One credential value (by fingerprint) held on more than one workstation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SharedFingerprint {
    pub fingerprint: String,
    /// `hostname: credential` pairs.
    pub holders: Vec<String>,
}

/// Cross-workstation facts for a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewOverview {
    pub workstations: Vec<ImportedBundle>,
    pub shared_fingerprints: Vec<SharedFingerprint>,
    /// Owner -> overdue credentials (`hostname: credential`).
    pub overdue_by_owner: BTreeMap<String, Vec<String>>,
    pub snapshots: Vec<Snapshot>,
}

impl Review<'_> {
    /// This workstation's identity, created on first use.
    pub fn workstation(&mut self) -> Result<Workstation> {
        let id = match settings::get(self.store.connection(), WORKSTATION_ID)? {
            Some(id) => id,
            None => {
                let id = random_id();
                settings::set(self.store.connection(), WORKSTATION_ID, &id)?;
                id
            }
        };
        Ok(Workstation {
            id,
            hostname: hostname(),
            user: std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "unknown".into()),
        })
    }

    /// The inventory as reports, bundles and team sync see it.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let workstation = self.workstation()?;
        let connection = self.store.connection();
        let credentials: Vec<_> = credentials::list(connection)?
            .into_iter()
            .map(|stored| stored.credential)
            .collect();
        let integrations = integrations::list(connection)?;
        let history = rotations::all(connection)?;
        let audit_entries = audit_entries::all(connection)?.len() as u64;
        let audit_intact = self.verify_audit()?.intact;
        let mut snapshot = Snapshot::build(
            workstation,
            self.now(),
            &credentials,
            &integrations,
            history,
            audit_entries,
            audit_intact,
        );
        snapshot.reviews = self.review_decisions()?;
        self.add_posture(&mut snapshot, &integrations)?;
        let team_fingerprints = crate::store::team_fingerprints::all(self.store.connection())?;
        for credential in &mut snapshot.credentials {
            credential.team_fingerprint = team_fingerprints.get(&credential.fingerprint).cloned();
        }
        Ok(snapshot)
    }

    /// Writes this workstation's signed bundle to `out` (atomically: a partial file never
    /// appears under the final name) and returns its sequence number.
    pub fn export_bundle(&mut self, out: &Path) -> Result<u64> {
        let snapshot = self.snapshot()?;
        let signing_key = self
            .vault
            .read_or_create(&signing_slot(), bundle::generate_signing_key)?;
        let sequence = settings::get(self.store.connection(), BUNDLE_SEQUENCE)?
            .and_then(|text| text.parse::<u64>().ok())
            .unwrap_or(0)
            + 1;
        let signed = bundle::sign(&signing_key, &BundlePayload { sequence, snapshot })
            .map_err(Error::from)?;
        let bytes = serde_json::to_vec_pretty(&signed).expect("bundle serializes");
        write_output(out, &bytes)?;
        let target = out.display().to_string();
        self.write(|connection, at, actor| {
            settings::set(connection, BUNDLE_SEQUENCE, &sequence.to_string())?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::Export,
                "bundle",
                serde_json::json!({"out": target, "sequence": sequence}),
            )?;
            Ok(((), row))
        })?;
        Ok(sequence)
    }

    /// Verifies and imports bundles into this (review) home. All or nothing: if any
    /// bundle is altered, replayed, signed by the wrong key or from an untrusted
    /// workstation (without `trust_new`), none is imported.
    pub fn import_bundles(
        &mut self,
        paths: &[PathBuf],
        trust_new: bool,
    ) -> Result<Vec<ImportedBundle>> {
        let mut accepted = Vec::new();
        let mut latest_in_batch: BTreeMap<String, u64> = BTreeMap::new();
        self.integrity()?;
        for path in paths {
            let verified = bundle::read_and_verify(path)?;
            let workstation = verified.payload.snapshot.workstation.clone();
            let presented = BASE64.encode(&verified.public_key);
            let key_fingerprint = bundle::key_fingerprint(&verified.public_key);
            // A pinned key swapped in SQLite would let its holder's bundles in.
            trusted_workstations::check(self.store.connection(), &workstation.id)?;
            let pinned = trusted_workstations::find(self.store.connection(), &workstation.id)?;
            let newly_trusted = match &pinned {
                Some(pinned) if pinned.public_key != presented => {
                    let pinned_key = BASE64.decode(&pinned.public_key).unwrap_or_default();
                    return Err(BundleError::WrongKey {
                        path: path.clone(),
                        workstation: workstation.id,
                        pinned: bundle::key_fingerprint(&pinned_key),
                        presented: key_fingerprint,
                    }
                    .into());
                }
                Some(_) => false,
                None if trust_new => true,
                None => {
                    return Err(BundleError::UnknownWorkstation {
                        path: path.clone(),
                        workstation: workstation.id,
                        hostname: workstation.hostname,
                        key: key_fingerprint,
                    }
                    .into());
                }
            };
            let latest = latest_in_batch
                .get(&workstation.id)
                .copied()
                .or(pinned.as_ref().map(|pinned| pinned.last_sequence))
                .unwrap_or(0);
            if verified.payload.sequence <= latest {
                return Err(BundleError::Replayed {
                    path: path.clone(),
                    workstation: workstation.id,
                    sequence: verified.payload.sequence,
                    latest,
                }
                .into());
            }
            latest_in_batch.insert(workstation.id.clone(), verified.payload.sequence);
            accepted.push((
                path.clone(),
                presented,
                key_fingerprint,
                newly_trusted,
                verified.payload,
                pinned,
            ));
        }
        let imported: Vec<ImportedBundle> = accepted
            .iter()
            .map(
                |(path, _, key_fingerprint, newly_trusted, payload, _)| ImportedBundle {
                    path: path.display().to_string(),
                    workstation: payload.snapshot.workstation.clone(),
                    sequence: payload.sequence,
                    credentials: payload.snapshot.credentials.len() as u32,
                    newly_trusted: *newly_trusted,
                    key_fingerprint: key_fingerprint.clone(),
                },
            )
            .collect();
        self.write(|connection, at, actor| {
            let mut last_row = None;
            for (path, presented, key_fingerprint, newly_trusted, payload, pinned) in accepted {
                let workstation = &payload.snapshot.workstation;
                trusted_workstations::upsert(
                    connection,
                    &trusted_workstations::TrustedWorkstation {
                        id: workstation.id.clone(),
                        public_key: presented,
                        hostname: workstation.hostname.clone(),
                        user: workstation.user.clone(),
                        trusted_at: pinned.map_or(at, |pinned| pinned.trusted_at),
                        last_sequence: payload.sequence,
                        imported_at: at,
                        snapshot_json: serde_json::to_string(&payload.snapshot)
                            .expect("snapshot serializes"),
                    },
                )?;
                last_row = Some(audit::append(
                    connection,
                    at,
                    actor,
                    AuditAction::Import,
                    &format!("bundle from {}", workstation.hostname),
                    serde_json::json!({
                        "path": path.display().to_string(),
                        "workstation": workstation.id,
                        "sequence": payload.sequence,
                        "key": key_fingerprint,
                        "newly_trusted": newly_trusted,
                    }),
                )?);
            }
            let row = last_row.ok_or_else(|| Error::invalid("bundles", "no bundle given"))?;
            Ok(((), row))
        })?;
        Ok(imported)
    }

    /// The reviewer's view across every imported workstation.
    pub fn review_overview(&self) -> Result<ReviewOverview> {
        let trusted = trusted_workstations::all(self.store.connection())?;
        let mut workstations = Vec::new();
        let mut snapshots = Vec::new();
        // A key pinned from the team database (service/team.rs) has no bundle yet.
        for row in trusted
            .into_iter()
            .filter(|row| !row.snapshot_json.is_empty())
        {
            let snapshot: Snapshot = serde_json::from_str(&row.snapshot_json).map_err(|error| {
                store::StoreError::Corrupt {
                    field: "review snapshot",
                    detail: error.to_string(),
                }
            })?;
            let public_key = BASE64.decode(&row.public_key).unwrap_or_default();
            workstations.push(ImportedBundle {
                path: String::new(),
                workstation: snapshot.workstation.clone(),
                sequence: row.last_sequence,
                credentials: snapshot.credentials.len() as u32,
                newly_trusted: false,
                key_fingerprint: bundle::key_fingerprint(&public_key),
            });
            snapshots.push(snapshot);
        }
        let mut by_fingerprint: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut overdue_by_owner: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for snapshot in &snapshots {
            for credential in &snapshot.credentials {
                let holder = format!("{}: {}", snapshot.workstation.hostname, credential.name);
                // Across workstations only the team fingerprint can match; the vault one
                // still groups duplicates within one home.
                let key = credential
                    .team_fingerprint
                    .as_deref()
                    .unwrap_or(credential.fingerprint.as_str());
                by_fingerprint.entry(key).or_default().push(holder.clone());
                if credential.rotation_overdue {
                    let owner = credential
                        .owner
                        .clone()
                        .unwrap_or_else(|| "(no owner)".into());
                    overdue_by_owner.entry(owner).or_default().push(holder);
                }
            }
        }
        let shared_fingerprints = by_fingerprint
            .into_iter()
            .filter(|(_, holders)| holders.len() > 1)
            .map(|(fingerprint, holders)| SharedFingerprint {
                fingerprint: fingerprint.to_owned(),
                holders,
            })
            .collect();
        Ok(ReviewOverview {
            workstations,
            shared_fingerprints,
            overdue_by_owner,
            snapshots,
        })
    }
}

impl Keyward {
    /// The latest completed probe of every endpoint, as posture rows and findings.
    fn add_posture(
        &self,
        snapshot: &mut Snapshot,
        integrations: &[crate::model::Integration],
    ) -> Result<()> {
        for row in crate::store::probes::latest_completed_per_target(self.store.connection())? {
            snapshot.posture.push(crate::report::PostureSummary {
                integration: row.integration.clone(),
                target: row.target.clone(),
                grade: row.grade.clone().unwrap_or_default(),
                probed_at: row.probed_at,
            });
            let credential = integrations
                .iter()
                .flat_map(|integration| &integration.endpoints)
                .find(|endpoint| endpoint.url == row.target)
                .and_then(|endpoint| endpoint.credential.clone());
            let Ok(report) = serde_json::from_str::<crate::probe::ProbeReport>(&row.report) else {
                continue;
            };
            for finding in report.findings {
                snapshot.findings.push(crate::report::FindingSummary {
                    source: "probe".into(),
                    fix: crate::probe::finding::kind(&finding.id).map(|kind| kind.fix.to_owned()),
                    id: finding.id,
                    severity: finding.severity.as_str().to_owned(),
                    integration: row.integration.clone(),
                    credential: credential.clone(),
                    subject: row.target.clone(),
                    message: finding.message,
                });
            }
        }
        Ok(())
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// Writes an output file the user named (bundle, report, attestation) with
/// [`crate::model::fs::write_atomically`]; failing to is an input error that names it.
pub(crate) fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::model::fs::write_atomically(path, bytes, None).map_err(|source| {
        Error::invalid(
            path.display().to_string(),
            format!("cannot write: {source}"),
        )
    })
}
