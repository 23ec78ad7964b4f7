//! `keyward report --format html|csv|json --out FILE`

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use keyward::{Keyward, ReportFormat, ReportScope};

use crate::Outcome;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Html,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, value_enum)]
    format: Format,
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Report on every workstation whose bundle this home imported, instead of this
    /// workstation.
    #[arg(long)]
    review: bool,
}

pub fn run(args: ReportArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let format = match args.format {
        Format::Html => ReportFormat::Html,
        Format::Csv => ReportFormat::Csv,
        Format::Json => ReportFormat::Json,
    };
    let scope = if args.review {
        ReportScope::Review
    } else {
        ReportScope::Local
    };
    let rows = keyward.review().write_report(format, scope, &args.out)?;
    println!("Wrote {} ({rows} credentials)", args.out.display());
    Ok(Outcome::Clean)
}
