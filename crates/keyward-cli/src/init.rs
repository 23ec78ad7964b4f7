use std::path::Path;

use keyward::Keyward;

use crate::Outcome;

pub fn run(home: &Path) -> anyhow::Result<Outcome> {
    let keyward = Keyward::init_as(home, "cli")?;
    if let Some(mode) = keyward.tightened_home_mode() {
        // On stderr: stdout stays the two lines other tools read.
        eprintln!(
            "notice: {} had mode {mode:04o}; Keyward changed it to 0700 (owner only)",
            keyward.home().display()
        );
    }
    println!("Keyward home ready at {}", keyward.home().display());
    println!(
        "Vault id {} (keychain service `keyward`)",
        keyward.vault().vault_id()
    );
    Ok(Outcome::Clean)
}
