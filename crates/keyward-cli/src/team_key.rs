//! `keyward team-key set` and `keyward team-key trust`

use std::path::PathBuf;

use clap::Subcommand;
use keyward::Keyward;

use crate::Outcome;
use crate::output;
use crate::value_source::ValueSource;

#[derive(Debug, Subcommand)]
pub enum TeamKeyCommand {
    /// Set the fingerprint key the team shares (the same on every workstation), so the
    /// review can recognise one secret held on several machines.
    Set {
        #[command(flatten)]
        value: ValueSource,
    },
    /// Pin a workstation's signing key here, so its team-database rows verify: the key
    /// the database lists, only if it has the fingerprint its owner read out (`keyward
    /// sync` prints it). Replaces a key pinned before.
    Trust {
        /// The workstation's id, or a hostname only one workstation in the database has.
        workstation: String,
        /// The key's fingerprint as `keyward sync` printed it on the workstation.
        #[arg(long, value_name = "FP")]
        fingerprint: String,
        /// The team database (default: the one saved in this home, as last pulled).
        #[arg(long, value_name = "URL", env = "KEYWARD_POSTGRES_URL")]
        postgres: Option<String>,
        /// Also trust this CA for the database's certificate.
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: TeamKeyCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    match command {
        TeamKeyCommand::Set { value } => {
            let key = value.read("the team key")?;
            let count = keyward.team().set_team_key(key)?;
            println!(
                "Team key stored in the keychain; {count} credential(s) fingerprinted for the team"
            );
        }
        TeamKeyCommand::Trust {
            workstation,
            fingerprint,
            postgres,
            ca,
            json,
        } => {
            if let Some(warning) = postgres
                .as_deref()
                .and_then(|url| keyward::team::TeamDatabase::new(url, ca.as_deref()).ok())
                .and_then(|database| database.plaintext_warning())
            {
                eprintln!("keyward: warning: {warning}");
            }
            let key = keyward.team().trust_team_key(
                postgres.as_deref(),
                ca.as_deref(),
                &workstation,
                &fingerprint,
            )?;
            if json {
                output::json(&key)?;
            } else {
                println!(
                    "Trusting key {} for {} ({}): its team-database rows now verify here",
                    key.key_fingerprint, key.hostname, key.workstation
                );
            }
        }
    }
    Ok(Outcome::Clean)
}
