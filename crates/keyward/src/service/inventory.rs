//! The inventory as rows: one line per credential and per integration with what a
//! reader scans a table for (owner, environment, auth method, grade, next rotation).
//! Joining credentials to their integration, endpoints and latest probe grades here
//! keeps the app's table and the CLI's listing the same, and hands the window ten
//! thousand small rows instead of ten thousand full records to join in script.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Credentials;
use crate::error::Result;
use crate::model::{CredentialKind, Endpoint, Environment, Integration};
use crate::probe::grade::Grade;
use crate::store::{credentials, integrations, probes};

/// One credential as the inventory lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CredentialRow {
    pub name: String,
    pub kind: CredentialKind,
    pub provider: Option<String>,
    /// Its integration, or else the integration whose endpoint sends it.
    pub integration: Option<String>,
    /// The owner and environment of that integration.
    pub owner: Option<String>,
    pub environment: Option<Environment>,
    /// How the endpoints that use it send it (`bearer`, `header:X-Api-Key`), distinct.
    pub auth: Vec<String>,
    /// The worst latest grade of the endpoints that use it; none before a probe.
    pub grade: Option<Grade>,
    pub next_rotation: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// One integration as the inventory lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IntegrationRow {
    pub name: String,
    pub provider: String,
    pub owner: String,
    pub environment: Environment,
    pub endpoints: Vec<String>,
    pub auth: Vec<String>,
    /// The worst latest grade among its endpoints; none before a probe.
    pub grade: Option<Grade>,
    pub credentials: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Inventory {
    pub credentials: Vec<CredentialRow>,
    pub integrations: Vec<IntegrationRow>,
}

impl Credentials<'_> {
    /// Every credential and integration as table rows, sorted by name. Reads the
    /// inventory only: no keychain access, so it stays fast at any size.
    pub fn inventory(&self) -> Result<Inventory> {
        let connection = self.store.connection();
        let all_integrations = integrations::list(connection)?;
        let grades = latest_grades(connection)?;

        let by_name: HashMap<&str, &Integration> = all_integrations
            .iter()
            .map(|integration| (integration.name.as_str(), integration))
            .collect();
        // The endpoints that send each credential, in whichever integration they are.
        let mut users: HashMap<&str, Vec<(&Integration, &Endpoint)>> = HashMap::new();
        for integration in &all_integrations {
            for endpoint in &integration.endpoints {
                if let Some(credential) = &endpoint.credential {
                    users
                        .entry(credential.as_str())
                        .or_default()
                        .push((integration, endpoint));
                }
            }
        }
        let mut linked: HashMap<&str, u32> = HashMap::new();
        let credential_rows = credentials::list(connection)?
            .into_iter()
            .map(|stored| {
                let credential = stored.credential;
                let endpoints = users
                    .get(credential.name.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                // Its own integration; else the one whose endpoint sends it.
                let integration = credential
                    .integration
                    .as_deref()
                    .and_then(|name| by_name.get(name).copied())
                    .or_else(|| endpoints.first().map(|(integration, _)| *integration));
                if let Some(integration) = integration {
                    *linked.entry(integration.name.as_str()).or_default() += 1;
                }
                CredentialRow {
                    auth: distinct(
                        endpoints
                            .iter()
                            .map(|(_, endpoint)| endpoint.auth.to_string()),
                    ),
                    grade: worst(
                        endpoints
                            .iter()
                            .map(|(_, endpoint)| grades.get(&target_key(&endpoint.url))),
                    ),
                    owner: integration.map(|integration| integration.owner.clone()),
                    environment: integration.map(|integration| integration.environment),
                    next_rotation: credential.next_rotation(),
                    expires_at: credential.expires_at,
                    integration: integration.map(|integration| integration.name.clone()),
                    name: credential.name,
                    kind: credential.kind,
                    provider: credential.provider,
                }
            })
            .collect();
        let integration_rows = all_integrations
            .iter()
            .map(|integration| IntegrationRow {
                name: integration.name.clone(),
                provider: integration.provider.clone(),
                owner: integration.owner.clone(),
                environment: integration.environment,
                endpoints: integration
                    .endpoints
                    .iter()
                    .map(|endpoint| endpoint.url.clone())
                    .collect(),
                auth: distinct(
                    integration
                        .endpoints
                        .iter()
                        .map(|endpoint| endpoint.auth.to_string()),
                ),
                grade: worst(
                    integration
                        .endpoints
                        .iter()
                        .map(|endpoint| grades.get(&target_key(&endpoint.url))),
                ),
                credentials: linked.get(integration.name.as_str()).copied().unwrap_or(0),
            })
            .collect();
        Ok(Inventory {
            credentials: credential_rows,
            integrations: integration_rows,
        })
    }
}

/// The latest completed grade of every probed target, keyed as [`target_key`] spells it.
fn latest_grades(connection: &rusqlite::Connection) -> Result<HashMap<String, Grade>> {
    Ok(probes::latest_completed_per_target(connection)?
        .into_iter()
        .filter_map(|row| {
            Some((
                target_key(&row.target),
                row.grade.as_deref()?.parse::<Grade>().ok()?,
            ))
        })
        .collect())
}

/// Endpoints are stored as typed; probes record the parsed URL (`https://h/` with the
/// trailing slash) as the probe names it, query left out (it may carry a secret). Both
/// go through the URL parser and that naming so they compare equal.
fn target_key(url: &str) -> String {
    url::Url::parse(url).map_or_else(
        |_| url.to_owned(),
        |parsed| crate::probe::target_label(&parsed),
    )
}

/// The worst of the grades present; `None` when no endpoint was probed.
fn worst<'a>(grades: impl Iterator<Item = Option<&'a Grade>>) -> Option<Grade> {
    grades.flatten().copied().max()
}

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::Keyward;
    use crate::model::{AuthMethod, Credential, NewIntegration, StorageKind};
    use crate::store::credentials::StoredCredential;
    use crate::store::probes::NewProbeRow;
    use crate::store::{DATABASE_FILE, Store, settings};

    fn credential(name: &str, integration: Option<&str>, at: DateTime<Utc>) -> StoredCredential {
        StoredCredential {
            credential: Credential {
                id: 0,
                name: name.into(),
                kind: CredentialKind::Token,
                provider: Some("github".into()),
                integration: integration.map(Into::into),
                created_at: at,
                rotated_at: at,
                expires_at: None,
                rotate_every_days: Some(30),
                rotation_method: None,
                allowed_hosts: vec![],
                allow_insecure: false,
                token_url: None,
                fingerprint: format!("fingerprint-{name}"),
                value_length: 40,
                storage: StorageKind::Keychain,
                certificate: None,
                notes: None,
            },
            slot_id: format!("slot-{name}"),
            sealed_value: None,
        }
    }

    /// A home with two integrations (one probed twice), three credentials and one
    /// probe error; opened without touching the keychain.
    fn home() -> (tempfile::TempDir, Keyward, DateTime<Utc>) {
        let directory = tempfile::tempdir().unwrap();
        let at = "2026-01-10T00:00:00Z".parse().unwrap();
        let store = Store::open(&directory.path().join(DATABASE_FILE)).unwrap();
        // Rows are sealed as they are written; a made-up key will do, nothing checks them.
        store.install_integrity_key(&[7; 32]);
        let connection = store.connection();
        settings::set(connection, settings::VAULT_ID, "inventory-test").unwrap();
        let billing = NewIntegration {
            name: "billing".into(),
            provider: "stripe".into(),
            owner: "ana@example.com".into(),
            environment: Environment::Prod,
            tags: vec![],
            notes: None,
            issuer: None,
            endpoints: vec![],
        };
        let id = integrations::insert(connection, &billing, at).unwrap();
        let mut idle = billing.clone();
        idle.name = "idle".into();
        idle.environment = Environment::Dev;
        integrations::insert(connection, &idle, at).unwrap();
        for stored in [
            credential("deploy", Some("billing"), at),
            credential("spare", Some("billing"), at),
            credential("loose", None, at),
            credential("borrowed", None, at),
        ] {
            credentials::insert(connection, &stored).unwrap();
        }
        for (url, auth, credential) in [
            (
                "https://api.example.com",
                AuthMethod::Bearer,
                Some("deploy"),
            ),
            (
                "https://hooks.example.com/in",
                AuthMethod::Header("X-Api-Key".into()),
                Some("deploy"),
            ),
            ("https://status.example.com", AuthMethod::None, None),
            (
                "https://files.example.com",
                AuthMethod::Basic,
                Some("borrowed"),
            ),
        ] {
            integrations::add_endpoint(connection, id, url, &auth, credential).unwrap();
        }
        let probe = |target: &str, grade: Option<&str>, error: Option<&str>, days: i64| {
            probes::insert(
                connection,
                &NewProbeRow {
                    target,
                    integration: Some("billing"),
                    probed_at: at + Duration::days(days),
                    grade,
                    error,
                    finding_ids: &[],
                    report: "{}",
                    regressions: "[]",
                },
            )
            .unwrap();
        };
        // The older F is superseded by an A; the hooks endpoint's B is the worst current
        // grade; a later failed probe does not erase the last completed one.
        probe("https://api.example.com/", Some("F"), None, 1);
        probe("https://api.example.com/", Some("A"), None, 2);
        probe("https://hooks.example.com/in", Some("B"), None, 2);
        probe(
            "https://hooks.example.com/in",
            None,
            Some("connection refused"),
            3,
        );
        probe("https://status.example.com/", Some("A+"), None, 2);
        drop(store);
        let keyward = Keyward::open(directory.path()).unwrap();
        (directory, keyward, at)
    }

    #[test]
    fn rows_join_integration_endpoints_and_latest_grades() {
        let (_directory, mut keyward, at) = home();
        let inventory = keyward.credentials().inventory().unwrap();

        let names: Vec<_> = inventory
            .credentials
            .iter()
            .map(|row| row.name.as_str())
            .collect();
        assert_eq!(names, ["borrowed", "deploy", "loose", "spare"]);
        // Not in the integration, but sent by its endpoint: owned by it all the same.
        let borrowed = &inventory.credentials[0];
        assert_eq!(borrowed.integration.as_deref(), Some("billing"));
        assert_eq!(borrowed.owner.as_deref(), Some("ana@example.com"));
        assert_eq!(
            (borrowed.auth.as_slice(), borrowed.grade),
            (&["basic".to_owned()][..], None)
        );
        let deploy = &inventory.credentials[1];
        assert_eq!(deploy.owner.as_deref(), Some("ana@example.com"));
        assert_eq!(deploy.environment, Some(Environment::Prod));
        assert_eq!(deploy.auth, ["bearer", "header:X-Api-Key"]);
        assert_eq!(deploy.grade, Some(Grade::B));
        assert_eq!(deploy.next_rotation, Some(at + Duration::days(30)));

        let loose = &inventory.credentials[2];
        assert_eq!((loose.owner.as_deref(), loose.grade), (None, None));
        assert!(loose.auth.is_empty());
        // Linked to the integration but used by no endpoint: no auth method, no grade.
        let spare = &inventory.credentials[3];
        assert_eq!(spare.environment, Some(Environment::Prod));
        assert_eq!((spare.auth.len(), spare.grade), (0, None));

        let billing = &inventory.integrations[0];
        assert_eq!(billing.grade, Some(Grade::B));
        assert_eq!(billing.credentials, 3);
        assert_eq!(
            billing.auth,
            ["bearer", "header:X-Api-Key", "none", "basic"]
        );
        assert_eq!(billing.endpoints.len(), 4);
        let idle = &inventory.integrations[1];
        assert_eq!((idle.grade, idle.credentials), (None, 0));
        assert!(idle.endpoints.is_empty());
    }
}
