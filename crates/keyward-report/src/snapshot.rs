//! A point-in-time summary of one home's inventory: the rows reports, bundles and team
//! sync carry. Built only from metadata, so no secret value can reach it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use keyward_model::rotation::RotationRecord;
use keyward_model::{Credential, Integration};

/// The machine and person a snapshot comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Workstation {
    /// Stable random id of the home (not the vault id, which names keychain entries).
    pub id: String,
    pub hostname: String,
    pub user: String,
}

/// One credential as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CredentialSummary {
    pub name: String,
    pub kind: String,
    pub provider: Option<String>,
    pub integration: Option<String>,
    pub owner: Option<String>,
    pub environment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub rotated_at: DateTime<Utc>,
    pub rotate_every_days: Option<u32>,
    pub next_rotation: Option<DateTime<Utc>>,
    /// Rotation period set and passed.
    pub rotation_overdue: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub allowed_hosts: Vec<String>,
    /// The vault-keyed fingerprint: equal values in one home match; nothing is learned
    /// about the value from it.
    pub fingerprint: String,
    /// HMAC under the team's shared key: equal across workstations for the same secret.
    /// `None` where the home has no team key.
    #[serde(default)]
    pub team_fingerprint: Option<String>,
    pub certificate_subject: Option<String>,
    pub certificate_not_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IntegrationSummary {
    pub name: String,
    pub provider: String,
    pub owner: String,
    pub environment: String,
    pub tags: Vec<String>,
    pub endpoints: Vec<String>,
    pub credentials: Vec<String>,
}

/// The latest posture probe of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostureSummary {
    pub integration: Option<String>,
    pub target: String,
    pub grade: String,
    pub probed_at: DateTime<Utc>,
}

/// One problem found by a probe, a leak scan or a policy rule, as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FindingSummary {
    /// `probe`, `scan` or `policy`.
    pub source: String,
    /// The finding or warning id (`tls.protocol.tls10`, `rotation.overdue`, ...).
    pub id: String,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: String,
    pub integration: Option<String>,
    pub credential: Option<String>,
    /// Where: an endpoint URL, a file and line, a credential name.
    pub subject: String,
    pub message: String,
    pub fix: Option<String>,
}

/// A reviewer's decision on a credential or integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewDecision {
    /// `credential` or `integration`.
    pub subject_kind: String,
    pub subject: String,
    /// `keep`, `rotate` or `revoke`.
    pub decision: String,
    pub note: Option<String>,
    pub reviewer: String,
    pub reviewed_at: DateTime<Utc>,
}

/// A home's inventory at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Snapshot {
    pub workstation: Workstation,
    pub generated_at: DateTime<Utc>,
    pub credentials: Vec<CredentialSummary>,
    pub integrations: Vec<IntegrationSummary>,
    pub rotations: Vec<RotationRecord>,
    pub audit_entries: u64,
    pub audit_intact: bool,
    /// Why this snapshot carries no verified audit log, when it does not: a workstation
    /// known only from the team database, which holds metadata rows and no audit log.
    /// Reports then count its audit controls as unevidenced rather than passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_unverified: Option<String>,
    #[serde(default)]
    pub posture: Vec<PostureSummary>,
    #[serde(default)]
    pub findings: Vec<FindingSummary>,
    #[serde(default)]
    pub reviews: Vec<ReviewDecision>,
}

impl Snapshot {
    /// Assembles a snapshot from inventory rows; `now` decides what is overdue.
    pub fn build(
        workstation: Workstation,
        now: DateTime<Utc>,
        credentials: &[Credential],
        integrations: &[Integration],
        rotations: Vec<RotationRecord>,
        audit_entries: u64,
        audit_intact: bool,
    ) -> Self {
        let credentials = credentials
            .iter()
            .map(|credential| {
                let integration = credential.integration.as_ref().and_then(|name| {
                    integrations
                        .iter()
                        .find(|integration| &integration.name == name)
                });
                let next_rotation = credential.next_rotation();
                CredentialSummary {
                    name: credential.name.clone(),
                    kind: credential.kind.to_string(),
                    provider: credential.provider.clone(),
                    integration: credential.integration.clone(),
                    owner: integration.map(|integration| integration.owner.clone()),
                    environment: integration.map(|integration| integration.environment.to_string()),
                    created_at: credential.created_at,
                    rotated_at: credential.rotated_at,
                    rotate_every_days: credential.rotate_every_days,
                    next_rotation,
                    rotation_overdue: next_rotation.is_some_and(|due| due < now),
                    expires_at: credential.expires_at,
                    allowed_hosts: credential.allowed_hosts.clone(),
                    fingerprint: credential.fingerprint.clone(),
                    team_fingerprint: None,
                    certificate_subject: credential
                        .certificate
                        .as_ref()
                        .map(|cert| cert.subject.clone()),
                    certificate_not_after: credential
                        .certificate
                        .as_ref()
                        .map(|cert| cert.not_after),
                }
            })
            .collect::<Vec<_>>();
        let integrations = integrations
            .iter()
            .map(|integration| IntegrationSummary {
                name: integration.name.clone(),
                provider: integration.provider.clone(),
                owner: integration.owner.clone(),
                environment: integration.environment.to_string(),
                tags: integration.tags.clone(),
                endpoints: integration
                    .endpoints
                    .iter()
                    .map(|endpoint| endpoint.url.clone())
                    .collect(),
                credentials: credentials
                    .iter()
                    .filter(|credential| {
                        credential.integration.as_deref() == Some(integration.name.as_str())
                    })
                    .map(|credential| credential.name.clone())
                    .collect(),
            })
            .collect();
        Self {
            workstation,
            generated_at: now,
            credentials,
            integrations,
            rotations,
            audit_entries,
            audit_intact,
            audit_unverified: None,
            posture: Vec::new(),
            findings: Vec::new(),
            reviews: Vec::new(),
        }
    }
}
