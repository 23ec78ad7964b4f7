//! The `keyward` command line: parses flags into validated settings, calls the library,
//! prints. No logic of its own, so the CLI and the desktop app always agree.

mod audit;
mod cert;
mod check;
mod cred;
mod import;
mod init;
mod integration;
mod output;
mod probe;
mod report;
mod review;
mod rotate;
mod scan;
mod sync;
mod team_key;
mod value_source;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use keyward::{Error, ErrorCode, Keyward};

/// Keeps API credentials in the OS keychain and the inventory around them in SQLite.
#[derive(Debug, Parser)]
#[command(name = "keyward", version, about, max_term_width = 100)]
struct Cli {
    /// The Keyward home (database and settings). Default: $KEYWARD_HOME, else the
    /// platform data directory (~/.local/share/keyward on Linux).
    #[arg(long, global = true, env = "KEYWARD_HOME", value_name = "DIR")]
    home: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the home and check that the OS keychain is usable.
    Init,
    /// Add, list, show, reveal and remove credentials.
    #[command(subcommand)]
    Cred(cred::CredCommand),
    /// Import client certificates (PEM or PKCS#12).
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Add, list, show and remove integrations.
    #[command(subcommand)]
    Integration(integration::IntegrationCommand),
    /// Import credentials from .env, Postman environment or CSV files.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Read and verify the audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Probe endpoints for TLS and auth posture; exit 1 on findings of medium or worse.
    Probe(probe::ProbeArgs),
    /// Write an HTML, CSV or JSON report of the inventory (no secrets).
    Report(report::ReportArgs),
    /// Export this workstation's signed inventory bundle (no secrets).
    Export(review::ExportArgs),
    /// Import and review other workstations' bundles.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// Upload this workstation's inventory to the team PostgreSQL database, or read the
    /// team view with --show.
    Sync(sync::SyncArgs),
    /// Set the team's shared fingerprint key, or pin a workstation's signing key.
    #[command(subcommand)]
    TeamKey(team_key::TeamKeyCommand),
    /// Rotate a credential (plan, confirm, run), resume interrupted rotations, or rotate
    /// every overdue credential.
    Rotate(rotate::RotateArgs),
    /// Scan files, git history or the git index for leaked vault values and provider
    /// secrets; exit 1 if anything is found.
    Scan(scan::ScanArgs),
    /// List staleness and leak warnings; exit 1 if there are any.
    Check(check::CheckArgs),
}

/// What a command reports besides errors: whether it found something (exit 1).
pub enum Outcome {
    Clean,
    Findings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(error) => {
            eprintln!("keyward: {error:#}");
            let code = error
                .downcast_ref::<Error>()
                .map(Error::code)
                .unwrap_or_else(|| classify_other(&error));
            ExitCode::from(code.exit_code() as u8)
        }
    }
}

/// Errors raised by the CLI itself (reading stdin, a missing value source) are input
/// errors; anything else unexpected is internal.
fn classify_other(error: &anyhow::Error) -> ErrorCode {
    if error.downcast_ref::<value_source::ValueError>().is_some() {
        ErrorCode::InvalidInput
    } else {
        ErrorCode::Internal
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let home = match cli.home {
        Some(home) => home,
        None => keyward::default_home().ok_or_else(|| {
            anyhow::anyhow!("cannot find a data directory for the Keyward home; pass --home DIR")
        })?,
    };
    let open = || -> Result<Keyward, Error> { Ok(Keyward::open(&home)?.with_surface("cli")) };
    match cli.command {
        Command::Init => init::run(&home),
        Command::Cred(command) => cred::run(command, &mut open()?),
        Command::Cert(command) => cert::run(command, &mut open()?),
        Command::Integration(command) => integration::run(command, &mut open()?),
        Command::Import(command) => import::run(command, &mut open()?),
        Command::Audit(command) => audit::run(command, &mut open()?),
        Command::Probe(args) => probe::run(args, &mut open()?),
        Command::Report(args) => report::run(args, &mut open()?),
        Command::Export(args) => review::export(args, &mut open()?),
        Command::Review(command) => review::run(command, &mut open()?),
        Command::Sync(args) => sync::run(args, &mut open()?),
        Command::TeamKey(command) => team_key::run(command, &mut open()?),
        Command::Rotate(args) => rotate::run(args, &mut open()?),
        Command::Scan(args) => scan::run(args, open),
        Command::Check(args) => check::run(args, &mut open()?),
    }
}
