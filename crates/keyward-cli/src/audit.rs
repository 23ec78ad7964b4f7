//! `keyward audit list|verify`

use clap::Subcommand;
use keyward::Keyward;
use keyward::audit::AuditProblem;

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit entries, oldest first.
    List {
        /// Only the newest N entries.
        #[arg(long, value_name = "N")]
        last: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Check the audit chain, its MACs and anchor, and the inventory's row MACs; exit 1 if
    /// altered.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: AuditCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    match command {
        AuditCommand::List { last, json } => {
            let mut entries = keyward.review().audit_entries()?;
            if let Some(last) = last {
                entries.drain(..entries.len().saturating_sub(last));
            }
            if json {
                output::json(&serde_json::json!({ "entries": entries }))?;
            } else {
                let mut table = Table::new(&["SEQ", "AT", "ACTOR", "ACTION", "SUBJECT"]);
                for entry in &entries {
                    table.row(vec![
                        entry.seq.to_string(),
                        entry.at.clone(),
                        entry.actor.clone(),
                        entry.action.clone(),
                        entry.subject.clone(),
                    ]);
                }
                table.print("The audit log is empty.");
            }
            Ok(Outcome::Clean)
        }
        AuditCommand::Verify { json } => {
            let verification = keyward.review().verify_audit()?;
            if json {
                output::json(&verification)?;
            } else if verification.intact {
                println!(
                    "Audit log intact: {} entries, chain, entry MACs and keychain anchor agree; every protected inventory row matches its MAC.",
                    verification.entries
                );
                if verification.unanchored > 0 {
                    println!(
                        "Note: the newest {} entr{} came after the last anchor update (an interrupted write); their MACs show Keyward wrote them, and the next write anchors them.",
                        verification.unanchored,
                        if verification.unanchored == 1 {
                            "y"
                        } else {
                            "ies"
                        }
                    );
                }
            } else {
                let (rows, chain): (Vec<&AuditProblem>, Vec<&AuditProblem>) =
                    verification.problems.iter().partition(|problem| {
                        matches!(
                            problem,
                            AuditProblem::RowAltered { .. } | AuditProblem::RowDeleted { .. }
                        )
                    });
                if !chain.is_empty() {
                    println!("Audit log ALTERED ({} entries):", verification.entries);
                    for problem in chain {
                        println!("  - {problem}");
                    }
                }
                if !rows.is_empty() {
                    println!(
                        "Inventory ALTERED ({} row{} changed outside Keyward; nothing is sent with them):",
                        rows.len(),
                        if rows.len() == 1 { "" } else { "s" }
                    );
                    for problem in rows {
                        println!("  - {problem}");
                    }
                }
            }
            Ok(if verification.intact {
                Outcome::Clean
            } else {
                Outcome::Findings
            })
        }
    }
}
