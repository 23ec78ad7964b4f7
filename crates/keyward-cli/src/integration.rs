//! `keyward integration ...`

use clap::{Args, Subcommand};
use keyward::model::{AuthMethod, Environment, Integration, NewEndpoint, NewIntegration};
use keyward::{IntegrationEdit, Keyward};

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Subcommand)]
pub enum IntegrationCommand {
    /// Add an integration with its endpoint(s).
    Add(Box<AddArgs>),
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an integration's details; options not given keep their value. Any
    /// --endpoint replaces the endpoint list.
    Edit(Box<EditArgs>),
    /// Remove an integration; its credentials stay, unlinked.
    Rm { name: String },
}

#[derive(Debug, Args)]
pub struct EditArgs {
    name: String,
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    owner: Option<String>,
    /// prod, staging or dev.
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<String>,
    /// Endpoint URL (repeatable); replaces all endpoints.
    #[arg(long = "endpoint", value_name = "URL")]
    endpoints: Vec<String>,
    /// How the new endpoints take the credential (as for `add`).
    #[arg(long, requires = "endpoints")]
    auth: Option<String>,
    /// The credential the new endpoints use.
    #[arg(long = "cred", value_name = "NAME", requires = "endpoints")]
    credential: Option<String>,
    /// OIDC issuer URL; an empty value clears it.
    #[arg(long)]
    issuer: Option<String>,
    /// Tags (repeatable); replace the current tags.
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Notes; an empty value clears them.
    #[arg(long)]
    notes: Option<String>,
}

impl EditArgs {
    /// The edit: the integration as it is, with what the options change.
    fn apply(self, mut edit: IntegrationEdit) -> anyhow::Result<IntegrationEdit> {
        if let Some(text) = &self.environment {
            edit.environment = parse_environment(text)?;
        }
        if !self.endpoints.is_empty() {
            let auth = parse_auth(self.auth.as_deref(), self.credential.is_some())?;
            edit.endpoints = self
                .endpoints
                .into_iter()
                .map(|url| NewEndpoint {
                    url,
                    auth: auth.clone(),
                    credential: self.credential.clone(),
                })
                .collect();
        }
        if !self.tags.is_empty() {
            edit.tags = self.tags;
        }
        let cleared = |text: String| (!text.is_empty()).then_some(text);
        if let Some(issuer) = self.issuer {
            edit.issuer = cleared(issuer);
        }
        if let Some(notes) = self.notes {
            edit.notes = cleared(notes);
        }
        edit.provider = self.provider.unwrap_or(edit.provider);
        edit.owner = self.owner.unwrap_or(edit.owner);
        Ok(edit)
    }
}

fn invalid(field: &str, problem: String) -> keyward::Error {
    keyward::Error::Invalid {
        field: field.into(),
        problem,
    }
}

fn parse_environment(text: &str) -> anyhow::Result<Environment> {
    Ok(text.parse().map_err(|problem| invalid("--env", problem))?)
}

/// `--auth`, defaulting to bearer when a credential is named and none otherwise.
fn parse_auth(text: Option<&str>, has_credential: bool) -> anyhow::Result<AuthMethod> {
    Ok(match text {
        Some(text) => text.parse().map_err(|problem| invalid("--auth", problem))?,
        None if has_credential => AuthMethod::Bearer,
        None => AuthMethod::None,
    })
}

#[derive(Debug, Args)]
pub struct AddArgs {
    name: String,
    #[arg(long)]
    provider: String,
    #[arg(long)]
    owner: String,
    /// prod, staging or dev.
    #[arg(long = "env", value_name = "ENV")]
    environment: String,
    /// Endpoint URL (repeatable).
    #[arg(long = "endpoint", value_name = "URL")]
    endpoints: Vec<String>,
    /// How the endpoints take the credential: header:NAME, bearer, basic, query:NAME,
    /// mtls or none. Default: bearer when --cred is given, else none.
    #[arg(long)]
    auth: Option<String>,
    /// The credential the endpoints use.
    #[arg(long = "cred", value_name = "NAME")]
    credential: Option<String>,
    /// OIDC issuer URL, for discovery checks.
    #[arg(long)]
    issuer: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long)]
    notes: Option<String>,
}

impl AddArgs {
    fn settings(self) -> anyhow::Result<NewIntegration> {
        let environment = parse_environment(&self.environment)?;
        let auth = parse_auth(self.auth.as_deref(), self.credential.is_some())?;
        Ok(NewIntegration {
            endpoints: self
                .endpoints
                .into_iter()
                .map(|url| NewEndpoint {
                    url,
                    auth: auth.clone(),
                    credential: self.credential.clone(),
                })
                .collect(),
            name: self.name,
            provider: self.provider,
            owner: self.owner,
            environment,
            tags: self.tags,
            notes: self.notes,
            issuer: self.issuer,
        })
    }
}

pub fn run(command: IntegrationCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    match command {
        IntegrationCommand::Add(args) => {
            let integration = keyward.credentials().add_integration((*args).settings()?)?;
            println!(
                "Added integration {} with {} endpoint(s)",
                integration.name,
                integration.endpoints.len()
            );
        }
        IntegrationCommand::List { json } => {
            let integrations = keyward.list_integrations()?;
            if json {
                output::json(&serde_json::json!({ "integrations": integrations }))?;
            } else {
                let mut table =
                    Table::new(&["NAME", "PROVIDER", "OWNER", "ENV", "ENDPOINTS", "TAGS"]);
                for integration in &integrations {
                    table.row(vec![
                        integration.name.clone(),
                        integration.provider.clone(),
                        integration.owner.clone(),
                        integration.environment.to_string(),
                        integration.endpoints.len().to_string(),
                        integration.tags.join(","),
                    ]);
                }
                table.print("No integrations yet. Add one with `keyward integration add`.");
            }
        }
        IntegrationCommand::Show { name, json } => {
            let integration = keyward.integration(&name)?;
            if json {
                output::json(&integration)?;
            } else {
                print_detail(&integration);
            }
        }
        IntegrationCommand::Edit(args) => {
            let current = keyward.integration(&args.name)?;
            let name = args.name.clone();
            let edit = (*args).apply(IntegrationEdit::from(&current))?;
            let integration = keyward.credentials().edit_integration(&name, edit)?;
            println!(
                "Updated integration {} ({} endpoint(s))",
                integration.name,
                integration.endpoints.len()
            );
        }
        IntegrationCommand::Rm { name } => {
            keyward.credentials().remove_integration(&name)?;
            println!("Removed integration {name}");
        }
    }
    Ok(Outcome::Clean)
}

fn print_detail(integration: &Integration) {
    output::fields(&[
        ("name", integration.name.clone()),
        ("provider", integration.provider.clone()),
        ("owner", integration.owner.clone()),
        ("environment", integration.environment.to_string()),
        ("tags", integration.tags.join(", ")),
        ("issuer", output::text(integration.issuer.as_deref())),
        ("notes", output::text(integration.notes.as_deref())),
        ("created", integration.created_at.to_rfc3339()),
    ]);
    let mut table = Table::new(&["ENDPOINT", "AUTH", "CREDENTIAL"]);
    for endpoint in &integration.endpoints {
        table.row(vec![
            endpoint.url.clone(),
            endpoint.auth.to_string(),
            output::text(endpoint.credential.as_deref()),
        ]);
    }
    println!();
    table.print("No endpoints.");
}
