//! `keyward scan PATH... [--git [--all-objects]] [--staged] [--format human|json|sarif]
//! [--config FILE] [--rules-from FILE]`

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use keyward::scan::{
    Baseline, Confidence, FingerprintKey, ScanConfig, ScanError, ScanOptions, ScanReport, Scanner,
    render_human, render_json, render_sarif,
};
use keyward::{Error, Keyward, ScanMode, ScanRequest};
use zeroize::Zeroizing;

use crate::Outcome;
use crate::output;
use crate::value_source::trim_newline;

/// The environment variable a scan without a home takes the team key from (CI jobs), so
/// its fingerprints match the team's baselines.
const TEAM_KEY_VARIABLE: &str = "KEYWARD_TEAM_KEY";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (with --git/--staged: paths inside repositories).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Scan every commit's added lines instead of the files on disk.
    #[arg(long, conflicts_with = "staged")]
    git: bool,
    /// With --git (implied): scan every object in the repository's store, not only the
    /// history references reach: commits on pull-request refs, dangling commits and
    /// blobs (a host still serves them), packed or loose.
    #[arg(long, conflicts_with = "staged")]
    all_objects: bool,
    /// Scan what is staged for the next commit (for pre-commit hooks).
    #[arg(long)]
    staged: bool,
    /// Output format. Default: human (secrets redacted in every format).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Scan settings (rules, allowlists, size limit, baseline). Default: the first
    /// path's .keyward.toml, if it has one.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Also run the rules of this gitleaks configuration (`[[rules]]`, allowlists); its
    /// global allowlists never hide a vault value. Keyward's built-in rules run too.
    #[arg(long, value_name = "FILE")]
    rules_from: Option<PathBuf>,
    /// Accept the findings listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write every finding of this scan to FILE as a baseline, and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Skip files larger than this many bytes. Default: 10485760 (10 MiB).
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Report only findings at least this sure: high (checksum or structure validated,
    /// or a vault value), medium (a provider's pattern), low (generic or entropy-only
    /// hits, and anything in documentation, tests or fixtures). Default: low (all).
    #[arg(long, value_name = "LEVEL", default_value = "low", value_parser = parse_confidence)]
    min_confidence: Confidence,
    /// Do not match the vault's values (no home or keychain needed). Fingerprints and
    /// baselines then need the team key in $KEYWARD_TEAM_KEY.
    #[arg(long)]
    no_vault: bool,
}

/// Scans with the vault's values when a home exists; without one (or with --no-vault)
/// only the provider rules run, which is what CI machines without a vault need.
pub fn run(
    args: ScanArgs,
    open: impl FnOnce() -> Result<Keyward, Error>,
) -> anyhow::Result<Outcome> {
    // As keyward errors, so a bad or refused settings file exits 2 (input), not 4.
    let mut config = match &args.config {
        Some(path) => ScanConfig::load(path),
        None => ScanConfig::for_root(&args.paths[0]),
    }
    .map_err(Error::from)?;
    if let Some(path) = &args.rules_from {
        for warning in config.add_gitleaks_rules(path).map_err(Error::from)? {
            eprintln!("keyward: warning: {warning}");
        }
    }
    if let Some(baseline) = &args.baseline {
        config.set_user_baseline(Some(
            std::path::absolute(baseline).context("baseline path")?,
        ));
    }
    if args.write_baseline.is_some() {
        config.set_user_baseline(None);
    }
    let mut options = ScanOptions {
        min_confidence: args.min_confidence,
        ..ScanOptions::default()
    };
    if let Some(limit) = args.max_file_size {
        // The user's limit replaces any the settings file sets.
        options.max_file_size = limit;
        config.max_file_size = None;
    }
    let mode = if args.all_objects {
        ScanMode::GitObjects
    } else if args.git {
        ScanMode::GitHistory
    } else if args.staged {
        ScanMode::Staged
    } else {
        ScanMode::Files
    };
    // SARIF describes the rules that fired, user and gitleaks rules included.
    let sarif_rules = (args.format == Format::Sarif)
        .then(|| config.rule_set())
        .transpose()
        .map_err(Error::from)?;
    let keyward = if args.no_vault {
        None
    } else {
        match open() {
            Ok(keyward) => Some(keyward),
            Err(Error::NotInitialized { .. }) => {
                eprintln!(
                    "keyward: no Keyward home; scanning with the provider rules only (no vault values)"
                );
                None
            }
            Err(error) => return Err(error.into()),
        }
    };
    let report = match keyward {
        Some(mut keyward) => {
            let request = ScanRequest {
                roots: args.paths.clone(),
                mode,
                options,
            };
            keyward.leaks().scan(&request, Some(config), &|_| {})?
        }
        None => {
            let key = team_key_from_environment()?;
            if key.is_none() && args.write_baseline.is_some() {
                return Err(Error::Invalid {
                    field: "--write-baseline".into(),
                    problem: format!(
                        "a baseline needs a fingerprint key: scan in a Keyward home, or set \
                         {TEAM_KEY_VARIABLE} to the team key (`keyward team-key set`)"
                    ),
                }
                .into());
            }
            scan_without_vault(&args.paths, mode, &options, config, key).map_err(Error::from)?
        }
    };
    if args.format != Format::Human || args.write_baseline.is_some() {
        // The human output has them on stdout; machine formats carry them in the
        // document, and stderr says them to whoever reads the job's log.
        for warning in &report.baseline_warnings {
            eprintln!("keyward: warning: {warning}");
        }
    }
    if let Some(path) = &args.write_baseline {
        Baseline::from_findings(&report.findings).write(path)?;
        eprintln!(
            "keyward: wrote {} finding(s) to the baseline {}",
            report.findings.len(),
            path.display()
        );
        return Ok(Outcome::Clean);
    }
    match args.format {
        Format::Human => print!("{}", render_human(&report)),
        Format::Json => output::json(&render_json(&report))?,
        Format::Sarif => output::json(&render_sarif(
            &report,
            sarif_rules.as_ref().expect("compiled for SARIF above"),
        ))?,
    }
    Ok(if report.findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn parse_confidence(text: &str) -> Result<Confidence, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a confidence: low, medium or high"))
}

/// The team key from [`TEAM_KEY_VARIABLE`], for a scan without a home: the same bytes
/// `keyward team-key set --from-env` would store (one trailing newline dropped).
fn team_key_from_environment() -> Result<Option<FingerprintKey>, Error> {
    let Some(value) = std::env::var_os(TEAM_KEY_VARIABLE) else {
        return Ok(None);
    };
    let value = Zeroizing::new(value.into_encoded_bytes());
    let key = trim_newline(&value);
    if key.len() < 16 {
        return Err(Error::Invalid {
            field: TEAM_KEY_VARIABLE.into(),
            problem: "must hold the team key, at least 16 bytes".into(),
        });
    }
    Ok(Some(FingerprintKey::derive(key)))
}

fn scan_without_vault(
    paths: &[PathBuf],
    mode: ScanMode,
    options: &ScanOptions,
    config: ScanConfig,
    key: Option<FingerprintKey>,
) -> Result<ScanReport, ScanError> {
    let scanner = Scanner::new(config, None)?.with_fingerprint_key(key);
    let mut total = ScanReport::default();
    match mode {
        ScanMode::Files => total = scanner.scan_paths(paths, options, &|_| {})?,
        ScanMode::GitHistory | ScanMode::GitObjects | ScanMode::Staged => {
            for path in paths {
                let report = match mode {
                    ScanMode::GitHistory => scanner.scan_git_history(path, options, &|_| {})?,
                    ScanMode::GitObjects => scanner.scan_git_objects(path, options, &|_| {})?,
                    _ => scanner.scan_staged(path, options)?,
                };
                total.merge(report);
            }
        }
    }
    Ok(total)
}
