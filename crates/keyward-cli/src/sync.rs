//! `keyward sync --postgres URL [--show [--trust-new]]`

use std::path::PathBuf;

use clap::Args;
use keyward::Keyward;
use keyward::team::{KeyTrust, RowTrust, TeamDatabase, TeamView};

use crate::Outcome;
use crate::output::{self, Table};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The team database, postgres://USER@HOST:PORT/DATABASE[?sslmode=...]. Default:
    /// verified TLS (the certificate must chain to the platform trust store or --ca and
    /// name the host; sslmode=require and verify-ca are verified as verify-full too).
    /// Plain text only to this machine (loopback, a unix socket) when the server offers
    /// no TLS, or with sslmode=disable (warned). Give the password in PGPASSWORD rather
    /// than the URL, so it does not show in the process list.
    #[arg(long, value_name = "URL", env = "KEYWARD_POSTGRES_URL")]
    postgres: String,
    /// Also trust this CA for the database's certificate (default: the platform trust
    /// store, SSL_CERT_FILE honoured).
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Read the team view instead of uploading this workstation's inventory. Rows count
    /// as verified only when signed by a key pinned in this home (from a bundle, with
    /// --trust-new, or with `keyward team-key trust`); exit 1 when any is not.
    #[arg(long)]
    show: bool,
    /// With --show: pin the key of every workstation this home has no key for, as the
    /// database lists it (trust on first use). Compare the fingerprints shown with the
    /// workstations' owners. A changed key is never pinned this way.
    #[arg(long, requires = "show")]
    trust_new: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(args: SyncArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    // Said before connecting: the password is about to travel in clear.
    if let Some(warning) = TeamDatabase::new(&args.postgres, args.ca.as_deref())
        .ok()
        .and_then(|database| database.plaintext_warning())
    {
        eprintln!("keyward: warning: {warning}");
    }
    if args.show {
        let view = if args.trust_new {
            keyward
                .team()
                .team_view_trusting_new(&args.postgres, args.ca.as_deref())?
        } else {
            keyward
                .team()
                .team_view(&args.postgres, args.ca.as_deref())?
        };
        let outcome = if view.unverified_rows() > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        };
        if args.json {
            output::json(&view)?;
        } else {
            print_view(&view);
        }
        return Ok(outcome);
    }
    let outcome = keyward
        .team()
        .sync_team(&args.postgres, args.ca.as_deref())?;
    if args.json {
        output::json(&outcome)?;
    } else {
        println!(
            "Synced {} credential(s) and {} integration(s) to {} ({} removed), signed with workstation {} key {}",
            outcome.credentials,
            outcome.integrations,
            outcome.target,
            outcome.removed,
            outcome.workstation,
            outcome.key_fingerprint
        );
    }
    Ok(Outcome::Clean)
}

fn print_view(view: &TeamView) {
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
            match row.trust {
                RowTrust::Verified => "ok",
                RowTrust::UnknownKey => "UNKNOWN KEY",
                RowTrust::KeyChanged => "KEY CHANGED",
                RowTrust::BadSignature => "ALTERED",
            }
            .into(),
        ]);
    }
    table.print("The team database holds no credentials yet.");
    for key in &view.keys {
        match key.trust {
            KeyTrust::Pinned => {}
            KeyTrust::NewlyPinned => println!(
                "Now trusting key {} for {} ({})",
                key.key_fingerprint, key.hostname, key.workstation
            ),
            KeyTrust::Unknown => println!(
                "Not verified: {} ({}) signs with key {}, which this home has not pinned. Confirm it with the workstation's owner, then `keyward team-key trust {} --fingerprint {}`.",
                key.hostname,
                key.workstation,
                key.key_fingerprint,
                key.workstation,
                key.key_fingerprint
            ),
            KeyTrust::Changed => println!(
                "Not verified: the team database lists key {} for {} ({}), but this home pinned {}. Rows signed by the new key are not trusted; if the workstation really has a new key, confirm it with its owner and `keyward team-key trust {} --fingerprint FP`.",
                key.key_fingerprint,
                key.hostname,
                key.workstation,
                key.pinned_fingerprint.as_deref().unwrap_or("another key"),
                key.workstation
            ),
        }
    }
}
