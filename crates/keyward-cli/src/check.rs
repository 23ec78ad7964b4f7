//! `keyward check [--json]`: staleness and leak warnings.

use clap::Args;
use keyward::Keyward;
use keyward::policy::FixAction;

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long)]
    json: bool,
}

pub fn run(args: CheckArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let warnings = keyward.review().warnings()?;
    if args.json {
        output::json(&serde_json::json!({ "warnings": warnings }))?;
    } else {
        let mut table = Table::new(&["SEVERITY", "WARNING", "MESSAGE", "FIX"]);
        for warning in &warnings {
            table.row(vec![
                warning.severity.as_str().to_owned(),
                warning.kind.as_str().to_owned(),
                warning.message.clone(),
                fix(&warning.action),
            ]);
        }
        table.print("No warnings: nothing stale, nothing leaked.");
    }
    Ok(if warnings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn fix(action: &FixAction) -> String {
    match action {
        FixAction::Rotate { credential } => format!("keyward rotate {credential}"),
        FixAction::Verify { credential } => format!("keyward probe --all (verifies {credential})"),
        FixAction::Import { finding_id } => format!("import finding {finding_id}"),
        FixAction::Review { credential } => {
            format!("keyward review decide {credential} --decision keep|rotate|revoke")
        }
        FixAction::OpenFile { root, path, line } => format!("edit {root}/{path}:{line}"),
        FixAction::Posture { integration } => {
            format!("keyward probe --integration {integration} (after fixing its findings)")
        }
    }
}
