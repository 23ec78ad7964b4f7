//! Integration use cases.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Credentials, Keyward, validate};
use crate::audit::{self, AuditAction};
use crate::model::{Environment, Integration, NewEndpoint, NewIntegration};
use crate::store::{credentials, integrations};
use crate::{Error, Result};

/// The fields of an integration a user may change after creating it: everything but its
/// name. `endpoints` replaces the current list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IntegrationEdit {
    pub provider: String,
    pub owner: String,
    pub environment: Environment,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub issuer: Option<String>,
    pub endpoints: Vec<NewEndpoint>,
}

impl From<&Integration> for IntegrationEdit {
    fn from(integration: &Integration) -> Self {
        Self {
            provider: integration.provider.clone(),
            owner: integration.owner.clone(),
            environment: integration.environment,
            tags: integration.tags.clone(),
            notes: integration.notes.clone(),
            issuer: integration.issuer.clone(),
            endpoints: integration
                .endpoints
                .iter()
                .map(|endpoint| NewEndpoint {
                    url: endpoint.url.clone(),
                    auth: endpoint.auth.clone(),
                    credential: endpoint.credential.clone(),
                })
                .collect(),
        }
    }
}

impl Credentials<'_> {
    /// Adds an integration with its endpoints. An endpoint that names a credential also
    /// adds the endpoint's host to that credential's allowed hosts: linking them is the
    /// user saying the credential belongs there.
    pub fn add_integration(&mut self, new: NewIntegration) -> Result<Integration> {
        validate::name("integration name", &new.name)?;
        let linked_hosts = self.check_integration(&new)?;
        let name = new.name.clone();
        self.write(|connection, at, actor| {
            integrations::insert(connection, &new, at)?;
            link_hosts(connection, at, actor, &new.name, &linked_hosts)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::IntegrationCreate,
                &new.name,
                describe(&new),
            )?;
            Ok(((), row))
        })?;
        self.integration(&name)
    }

    /// Replaces an integration's details and endpoints with `edit` (its name stays: it
    /// is how credentials, probes and reports refer to it). Endpoints that name a
    /// credential add their host to its allowed hosts, as when adding; hosts an endpoint
    /// no longer uses stay allowed until the user removes them from the credential,
    /// since narrowing what a credential may reach is its own decision.
    pub fn edit_integration(&mut self, name: &str, edit: IntegrationEdit) -> Result<Integration> {
        let current = self.integration(name)?;
        let updated = NewIntegration {
            name: current.name.clone(),
            provider: edit.provider,
            owner: edit.owner,
            environment: edit.environment,
            tags: edit.tags,
            notes: edit.notes,
            issuer: edit.issuer,
            endpoints: edit.endpoints,
        };
        let linked_hosts = self.check_integration(&updated)?;
        self.write(|connection, at, actor| {
            integrations::update(connection, current.id, &updated)?;
            link_hosts(connection, at, actor, &updated.name, &linked_hosts)?;
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::IntegrationUpdate,
                &updated.name,
                describe(&updated),
            )?;
            Ok(((), row))
        })?;
        self.integration(name)
    }

    /// Removes an integration and its endpoints; its credentials stay, unlinked.
    pub fn remove_integration(&mut self, name: &str) -> Result<()> {
        integrations::by_name(self.store.connection(), name)?;
        self.write(|connection, at, actor| {
            if !integrations::delete(connection, name)? {
                return Err(Error::Internal(format!(
                    "integration `{name}` vanished during removal"
                )));
            }
            let row = audit::append(
                connection,
                at,
                actor,
                AuditAction::IntegrationDelete,
                name,
                serde_json::json!({}),
            )?;
            Ok(((), row))
        })
    }
}

impl Keyward {
    /// Checks what a user typed for an integration before anything is written, and
    /// returns the (credential, host) pairs its endpoints link.
    fn check_integration(&self, new: &NewIntegration) -> Result<Vec<(String, String)>> {
        validate::label("provider", &new.provider)?;
        validate::label("owner", &new.owner)?;
        let mut linked_hosts = Vec::new();
        for endpoint in &new.endpoints {
            let url = validate::url("endpoint", &endpoint.url)?;
            if let Some(credential) = &endpoint.credential {
                credentials::by_name(self.store.connection(), credential)?;
                let host = url
                    .host_str()
                    .expect("validated URL has a host")
                    .to_ascii_lowercase();
                linked_hosts.push((credential.clone(), host));
            }
        }
        if let Some(issuer) = &new.issuer {
            validate::url("issuer", issuer)?;
        }
        Ok(linked_hosts)
    }

    pub fn list_integrations(&self) -> Result<Vec<Integration>> {
        Ok(integrations::list(self.store.connection())?)
    }

    pub fn integration(&self, name: &str) -> Result<Integration> {
        Ok(integrations::by_name(self.store.connection(), name)?)
    }
}

/// Adds each endpoint's host to the allowed hosts of the credential it names: linking
/// them is the user saying the credential belongs there.
fn link_hosts(
    connection: &Connection,
    at: DateTime<Utc>,
    actor: &str,
    integration: &str,
    linked_hosts: &[(String, String)],
) -> Result<()> {
    for (credential, host) in linked_hosts {
        let mut stored = credentials::by_name(connection, credential)?.credential;
        if !stored.allows_host(host) {
            stored.allowed_hosts.push(host.clone());
            stored.allowed_hosts.sort();
            credentials::update_details(connection, &stored)?;
            audit::append(
                connection,
                at,
                actor,
                AuditAction::CredentialUpdate,
                credential,
                serde_json::json!({"allowed_hosts": stored.allowed_hosts, "reason": format!("linked to integration {integration}")}),
            )?;
        }
    }
    Ok(())
}

/// What an integration's audit entry records about it.
fn describe(integration: &NewIntegration) -> serde_json::Value {
    serde_json::json!({
        "provider": integration.provider,
        "owner": integration.owner,
        "environment": integration.environment,
        "endpoints": integration.endpoints.iter().map(|endpoint| &endpoint.url).collect::<Vec<_>>(),
    })
}
