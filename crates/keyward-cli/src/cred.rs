//! `keyward cred ...`

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use keyward::model::{Credential, CredentialKind, NewCredential, parse_period_days};
use keyward::{Access, Keyward};

use crate::Outcome;
use crate::output::{self, Table};
use crate::value_source::ValueSource;

#[derive(Debug, Subcommand)]
pub enum CredCommand {
    /// Store a new credential (value from stdin, a file or an environment variable).
    Add(Box<AddArgs>),
    /// List credentials (metadata only).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one credential's metadata.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Print a credential's value (audited).
    Reveal { name: String },
    /// Delete a credential and its keychain entries.
    Rm { name: String },
    /// Give a credential a new name (its value, history and files stay); the way to fix
    /// a name stored before the naming rule.
    Rename {
        name: String,
        /// 1-64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit.
        new_name: String,
    },
    /// Set how (and how often) a credential is rotated. (Rotation area: see rotate.rs.)
    SetRotation(Box<crate::rotate::SetRotationArgs>),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// 1-64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit.
    name: String,
    /// api-key, token, basic (user:password), oauth2-client (client_id:client_secret),
    /// hmac, client-cert, jwt-signing-key or secret.
    #[arg(long)]
    kind: String,
    #[arg(long)]
    provider: Option<String>,
    /// The integration it belongs to; its endpoints' hosts become the allowed hosts
    /// unless --host is given.
    #[arg(long)]
    integration: Option<String>,
    /// Rotation period, e.g. 90d, 12w, 6m, 1y. Default: no rotation schedule.
    #[arg(long, value_name = "PERIOD")]
    rotate_every: Option<String>,
    /// A host the value may be sent to (repeatable; `*.example.com` for subdomains).
    #[arg(long = "host", value_name = "HOST")]
    hosts: Vec<String>,
    /// Allow sending this credential over plain HTTP to its hosts. Default: TLS only.
    #[arg(long)]
    allow_insecure: bool,
    /// Token endpoint of an oauth2-client credential.
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// Expiry date (YYYY-MM-DD or RFC 3339), for tokens that expire.
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    #[command(flatten)]
    value: ValueSource,
}

impl AddArgs {
    /// Turns raw flags into the library's validated request.
    fn settings(&self) -> anyhow::Result<NewCredential> {
        let kind: CredentialKind =
            self.kind
                .parse()
                .map_err(|problem: String| keyward::Error::Invalid {
                    field: "--kind".into(),
                    problem,
                })?;
        let rotate_every_days = self
            .rotate_every
            .as_deref()
            .map(parse_period_days)
            .transpose()
            .map_err(|problem| keyward::Error::Invalid {
                field: "--rotate-every".into(),
                problem,
            })?;
        let expires_at = self.expires.as_deref().map(parse_date).transpose()?;
        Ok(NewCredential {
            name: self.name.clone(),
            kind: Some(kind),
            provider: self.provider.clone(),
            integration: self.integration.clone(),
            rotate_every_days,
            expires_at,
            allowed_hosts: self.hosts.clone(),
            allow_insecure: self.allow_insecure,
            token_url: self.token_url.clone(),
            notes: self.notes.clone(),
        })
    }
}

pub fn parse_date(text: &str) -> Result<DateTime<Utc>, keyward::Error> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| keyward::Error::Invalid {
            field: "--expires".into(),
            problem: format!("`{text}` is not a date (YYYY-MM-DD or RFC 3339)"),
        })
}

pub fn run(command: CredCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    match command {
        CredCommand::Add(args) => {
            let new = args.settings()?;
            let value = args.value.read(&args.name)?;
            let credential = keyward.credentials().add_credential(new, value)?;
            println!(
                "Stored {} ({}) in the keychain; fingerprint {}",
                credential.name,
                credential.kind,
                &credential.fingerprint[..16]
            );
        }
        CredCommand::List { json } => {
            let credentials = keyward.list_credentials()?;
            if json {
                output::json(&serde_json::json!({ "credentials": credentials }))?;
            } else {
                print_table(&credentials);
            }
        }
        CredCommand::Show { name, json } => {
            let credential = keyward.credential(&name)?;
            if json {
                output::json(&credential)?;
            } else {
                print_detail(&credential);
            }
        }
        CredCommand::Reveal { name } => {
            let value = keyward.credentials().reveal(&name, Access::Reveal)?;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(value.expose())?;
            stdout.write_all(b"\n")?;
        }
        CredCommand::SetRotation(args) => return crate::rotate::set_rotation(*args, keyward),
        CredCommand::Rename { name, new_name } => {
            keyward.credentials().rename_credential(&name, &new_name)?;
            println!("Renamed {} to {new_name}", name.escape_default());
        }
        CredCommand::Rm { name } => {
            keyward.credentials().remove_credential(&name)?;
            println!("Deleted {name} and its keychain entries");
        }
    }
    Ok(Outcome::Clean)
}

fn print_table(credentials: &[Credential]) {
    let mut table = Table::new(&[
        "NAME",
        "KIND",
        "PROVIDER",
        "INTEGRATION",
        "HOSTS",
        "ROTATED",
        "NEXT ROTATION",
        "EXPIRES",
    ]);
    for credential in credentials {
        table.row(vec![
            credential.name.clone(),
            credential.kind.to_string(),
            output::text(credential.provider.as_deref()),
            output::text(credential.integration.as_deref()),
            if credential.allowed_hosts.is_empty() {
                "-".into()
            } else {
                credential.allowed_hosts.join(",")
            },
            output::date(Some(credential.rotated_at)),
            output::date(credential.next_rotation()),
            output::date(credential.expires_at),
        ]);
    }
    table.print(
        "No credentials yet. Add one with `keyward cred add NAME --kind KIND --value-stdin`.",
    );
}

fn print_detail(credential: &Credential) {
    let mut pairs = vec![
        ("name", credential.name.clone()),
        ("kind", credential.kind.to_string()),
        ("provider", output::text(credential.provider.as_deref())),
        (
            "integration",
            output::text(credential.integration.as_deref()),
        ),
        (
            "allowed hosts",
            if credential.allowed_hosts.is_empty() {
                "-".into()
            } else {
                credential.allowed_hosts.join(", ")
            },
        ),
        (
            "plain HTTP",
            if credential.allow_insecure {
                "allowed".into()
            } else {
                "refused".into()
            },
        ),
        ("created", credential.created_at.to_rfc3339()),
        ("rotated", credential.rotated_at.to_rfc3339()),
        (
            "rotate every",
            credential
                .rotate_every_days
                .map_or("-".into(), |days| format!("{days} days")),
        ),
        ("next rotation", output::date(credential.next_rotation())),
        ("expires", output::date(credential.expires_at)),
        ("value length", credential.value_length.to_string()),
        ("stored", format!("{:?}", credential.storage).to_lowercase()),
        ("fingerprint", credential.fingerprint.clone()),
    ];
    if let Some(token_url) = &credential.token_url {
        pairs.push(("token URL", token_url.clone()));
    }
    if let Some(certificate) = &credential.certificate {
        pairs.extend([
            ("subject", certificate.subject.clone()),
            ("issuer", certificate.issuer.clone()),
            ("SANs", certificate.subject_alt_names.join(", ")),
            ("serial", certificate.serial.clone()),
            (
                "valid",
                format!(
                    "{} to {}",
                    certificate.not_before.to_rfc3339(),
                    certificate.not_after.to_rfc3339()
                ),
            ),
            (
                "key",
                format!("{} {} bits", certificate.key_type, certificate.key_bits),
            ),
            ("SHA-256", certificate.sha256_fingerprint.clone()),
            (
                "chain",
                format!("{} certificate(s)", certificate.chain_length),
            ),
        ]);
    }
    if let Some(notes) = &credential.notes {
        pairs.push(("notes", notes.clone()));
    }
    output::fields(&pairs);
}
