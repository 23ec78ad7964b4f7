//! Integration use cases.

use super::{Keyward, validate};
use crate::audit::{self, AuditAction};
use crate::model::{Integration, NewIntegration};
use crate::store::{credentials, integrations};
use crate::{Error, Result};

impl Keyward {
    /// Adds an integration with its endpoints. An endpoint that names a credential also
    /// adds the endpoint's host to that credential's allowed hosts: linking them is the
    /// user saying the credential belongs there.
    pub fn add_integration(&mut self, new: NewIntegration) -> Result<Integration> {
        validate::name("integration name", &new.name)?;
        validate::name("provider", &new.provider)?;
        validate::name("owner", &new.owner)?;
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
        let name = new.name.clone();
        self.write(|connection, at, actor| {
            integrations::insert(connection, &new, at)?;
            for (credential, host) in &linked_hosts {
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
                        serde_json::json!({"allowed_hosts": stored.allowed_hosts, "reason": format!("linked to integration {}", new.name)}),
                    )?;
                }
            }
            let detail = serde_json::json!({
                "provider": new.provider,
                "owner": new.owner,
                "environment": new.environment,
                "endpoints": new.endpoints.iter().map(|endpoint| &endpoint.url).collect::<Vec<_>>(),
            });
            let row = audit::append(connection, at, actor, AuditAction::IntegrationCreate, &new.name, detail)?;
            Ok(((), row))
        })?;
        self.integration(&name)
    }

    pub fn list_integrations(&self) -> Result<Vec<Integration>> {
        Ok(integrations::list(self.store.connection())?)
    }

    pub fn integration(&self, name: &str) -> Result<Integration> {
        Ok(integrations::by_name(self.store.connection(), name)?)
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
