//! `keyward import dotenv|postman|csv FILE`

use std::path::PathBuf;

use clap::{Args, Subcommand};
use keyward::import::ImportFormat;
use keyward::{ImportOptions, Keyward};

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A .env file.
    Dotenv(ImportArgs),
    /// A Postman environment export (JSON).
    Postman(ImportArgs),
    /// A CSV file: name,kind,value[,provider,integration,hosts,rotate_every,notes], or a
    /// KeePassXC / 1Password / Bitwarden export.
    Csv(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Also import entries that do not look like secrets (ports, flags, plain URLs).
    #[arg(long)]
    all: bool,
    /// Import only these names (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Attach every imported credential to this integration.
    #[arg(long)]
    integration: Option<String>,
    /// Show what would be imported, values redacted, and change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(command: ImportCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let (format, args) = match command {
        ImportCommand::Dotenv(args) => (ImportFormat::Dotenv, args),
        ImportCommand::Postman(args) => (ImportFormat::Postman, args),
        ImportCommand::Csv(args) => (ImportFormat::Csv, args),
    };
    if args.dry_run {
        let preview = keyward.credentials().preview_import(format, &args.file)?;
        if args.json {
            output::json(&serde_json::json!({ "entries": preview }))?;
            return Ok(Outcome::Clean);
        }
        let mut table = Table::new(&["LINE", "NAME", "KIND", "PROVIDER", "VALUE", "ACTION"]);
        for item in &preview {
            let selected = args.only.is_empty() || args.only.contains(&item.name);
            let action = match (&item.skip, selected, args.all || !args.only.is_empty()) {
                (_, false, _) => "skip: not selected".to_owned(),
                (Some(reason), true, _) if !keyward::is_safe_name(&item.name) => {
                    format!("refused: {reason}")
                }
                (Some(reason), true, false) => format!("skip: {reason}"),
                _ => "import".to_owned(),
            };
            table.row(vec![
                item.line.to_string(),
                item.name.clone(),
                item.kind.to_string(),
                output::text(item.provider.as_deref()),
                item.redacted.clone(),
                action,
            ]);
        }
        table.print("The file holds no entries.");
        return Ok(Outcome::Clean);
    }
    let options = ImportOptions {
        include_all: args.all,
        only: args.only,
        integration: args.integration,
    };
    let outcome = keyward
        .credentials()
        .import_file(format, &args.file, &options)?;
    if args.json {
        output::json(&outcome)?;
        return Ok(Outcome::Clean);
    }
    println!(
        "Imported {} credential(s) from {}",
        outcome.created.len(),
        args.file.display()
    );
    for credential in &outcome.created {
        println!("  + {} ({})", credential.name, credential.kind);
    }
    for skipped in &outcome.skipped {
        println!(
            "  - {} (line {}): {}",
            skipped.name, skipped.line, skipped.reason
        );
    }
    Ok(Outcome::Clean)
}
