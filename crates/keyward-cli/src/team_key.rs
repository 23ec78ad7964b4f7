//! `keyward team-key set`

use clap::Subcommand;
use keyward::Keyward;

use crate::Outcome;
use crate::value_source::ValueSource;

#[derive(Debug, Subcommand)]
pub enum TeamKeyCommand {
    /// Set the fingerprint key the team shares (the same on every workstation), so the
    /// review can recognise one secret held on several machines.
    Set {
        #[command(flatten)]
        value: ValueSource,
    },
}

pub fn run(command: TeamKeyCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let TeamKeyCommand::Set { value } = command;
    let key = value.read("the team key")?;
    let count = keyward.team().set_team_key(key)?;
    println!("Team key stored in the keychain; {count} credential(s) fingerprinted for the team");
    Ok(Outcome::Clean)
}
