//! `keyward sync --postgres URL`

use std::path::PathBuf;

use clap::Args;
use keyward::Keyward;

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The team database, postgres://USER@HOST:PORT/DATABASE[?sslmode=...]. TLS is on
    /// unless sslmode=disable; give the password in PGPASSWORD rather than the URL, so
    /// it does not show in the process list.
    #[arg(long, value_name = "URL", env = "KEYWARD_POSTGRES_URL")]
    postgres: String,
    /// Trust only this CA for the database's certificate (default: the web PKI roots).
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Read the team view instead of uploading this workstation's inventory.
    #[arg(long)]
    show: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(args: SyncArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    if args.show {
        let view = keyward
            .team()
            .team_view(&args.postgres, args.ca.as_deref())?;
        let altered = view.credentials.iter().filter(|row| !row.verified).count()
            + view.integrations.iter().filter(|row| !row.verified).count();
        let outcome = if altered > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        };
        if args.json {
            output::json(&view)?;
            return Ok(outcome);
        }
        let mut table = Table::new(&[
            "WORKSTATION",
            "CREDENTIAL",
            "KIND",
            "OWNER",
            "ENV",
            "NEXT ROTATION",
            "SIGNATURE",
        ]);
        for row in &view.credentials {
            table.row(vec![
                row.hostname.clone(),
                row.credential.name.clone(),
                row.credential.kind.clone(),
                output::text(row.credential.owner.as_deref()),
                output::text(row.credential.environment.as_deref()),
                output::date(row.credential.next_rotation),
                if row.verified {
                    "ok".into()
                } else {
                    "ALTERED".into()
                },
            ]);
        }
        table.print("The team database holds no credentials yet.");
        let altered = view.credentials.iter().filter(|row| !row.verified).count()
            + view.integrations.iter().filter(|row| !row.verified).count();
        return Ok(if altered > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        });
    }
    let outcome = keyward
        .team()
        .sync_team(&args.postgres, args.ca.as_deref())?;
    if args.json {
        output::json(&outcome)?;
    } else {
        println!(
            "Synced {} credential(s) and {} integration(s) to {} ({} removed)",
            outcome.credentials, outcome.integrations, outcome.target, outcome.removed
        );
    }
    Ok(Outcome::Clean)
}
