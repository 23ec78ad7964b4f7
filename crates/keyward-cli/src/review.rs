//! `keyward export --bundle` and `keyward review import|show`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use keyward::Keyward;

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write a signed bundle of this workstation's inventory (metadata only).
    #[arg(long, required = true)]
    bundle: bool,
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Verify bundles and merge them into this (review) home; all or nothing.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Trust workstations seen for the first time (pin their keys). Compare the key
        /// fingerprint shown with the workstation's owner first.
        #[arg(long)]
        trust_new: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show imported workstations and cross-workstation facts.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Record an access-review decision on a credential (or, with --integration, an
    /// integration) of this home.
    Decide {
        name: String,
        /// keep, rotate or revoke.
        #[arg(long)]
        decision: String,
        #[arg(long)]
        note: Option<String>,
        /// NAME is an integration rather than a credential.
        #[arg(long)]
        integration: bool,
    },
    /// Write every review decision as a signed attestation.
    Attest {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn export(args: ExportArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let sequence = keyward.review().export_bundle(&args.out)?;
    let workstation = keyward.review().workstation()?;
    println!(
        "Wrote signed bundle {} (number {sequence}) for workstation {} ({})",
        args.out.display(),
        workstation.hostname,
        workstation.id
    );
    Ok(Outcome::Clean)
}

pub fn run(command: ReviewCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    match command {
        ReviewCommand::Import {
            files,
            trust_new,
            json,
        } => {
            let imported = keyward.review().import_bundles(&files, trust_new)?;
            if json {
                output::json(&serde_json::json!({ "imported": imported }))?;
            } else {
                for bundle in &imported {
                    println!(
                        "Imported bundle {} from {} ({}, {} credentials){}",
                        bundle.sequence,
                        bundle.workstation.hostname,
                        bundle.workstation.user,
                        bundle.credentials,
                        if bundle.newly_trusted {
                            format!("; now trusting key {}", bundle.key_fingerprint)
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
        ReviewCommand::Decide {
            name,
            decision,
            note,
            integration,
        } => {
            let kind = if integration {
                "integration"
            } else {
                "credential"
            };
            let review = keyward
                .review()
                .record_review(kind, &name, &decision, note)?;
            println!(
                "Recorded {} for {kind} {} by {}",
                review.decision, review.subject, review.reviewer
            );
        }
        ReviewCommand::Attest { out } => {
            let count = keyward.review().attest_reviews(&out)?;
            println!(
                "Wrote signed attestation of {count} decision(s) to {}",
                out.display()
            );
        }
        ReviewCommand::Show { json } => {
            let overview = keyward.review().review_overview()?;
            if json {
                output::json(&overview)?;
                return Ok(Outcome::Clean);
            }
            let mut table = Table::new(&["WORKSTATION", "USER", "BUNDLE", "CREDENTIALS", "KEY"]);
            for bundle in &overview.workstations {
                table.row(vec![
                    bundle.workstation.hostname.clone(),
                    bundle.workstation.user.clone(),
                    bundle.sequence.to_string(),
                    bundle.credentials.to_string(),
                    bundle.key_fingerprint.clone(),
                ]);
            }
            table.print("No bundles imported yet. Use `keyward review import FILE --trust-new`.");
            if !overview.shared_fingerprints.is_empty() {
                println!("\nThe same secret on several workstations:");
                for shared in &overview.shared_fingerprints {
                    println!(
                        "  {}…  {}",
                        &shared.fingerprint[..12],
                        shared.holders.join(", ")
                    );
                }
            }
            if !overview.overdue_by_owner.is_empty() {
                println!("\nOverdue rotations by owner:");
                for (owner, holders) in &overview.overdue_by_owner {
                    println!("  {owner}: {}", holders.join(", "));
                }
            }
        }
    }
    Ok(Outcome::Clean)
}
