use std::path::Path;

use keyward::Keyward;

use crate::Outcome;

pub fn run(home: &Path) -> anyhow::Result<Outcome> {
    let keyward = Keyward::init_as(home, "cli")?;
    println!("Keyward home ready at {}", keyward.home().display());
    println!(
        "Vault id {} (keychain service `keyward`)",
        keyward.vault().vault_id()
    );
    Ok(Outcome::Clean)
}
