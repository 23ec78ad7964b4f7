//! `keyward integration ...`

use clap::{Args, Subcommand};
use keyward::Keyward;
use keyward::model::{AuthMethod, Environment, Integration, NewEndpoint, NewIntegration};

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
    /// Remove an integration; its credentials stay, unlinked.
    Rm { name: String },
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
        let invalid = |field: &str, problem: String| keyward::Error::Invalid {
            field: field.into(),
            problem,
        };
        let environment: Environment = self
            .environment
            .parse()
            .map_err(|problem| invalid("--env", problem))?;
        let auth: AuthMethod = match &self.auth {
            Some(text) => text.parse().map_err(|problem| invalid("--auth", problem))?,
            None if self.credential.is_some() => AuthMethod::Bearer,
            None => AuthMethod::None,
        };
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
            let integration = keyward.add_integration((*args).settings()?)?;
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
        IntegrationCommand::Rm { name } => {
            keyward.remove_integration(&name)?;
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
