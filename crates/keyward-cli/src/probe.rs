//! `keyward probe URL... | --integration NAME | --all [--ca FILE] [--json]`
//!
//! Exit 1 when any target has a finding of medium severity or worse, or could not be
//! probed at all (nothing can be vouched for); 0 otherwise.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args};
use keyward::probe::{ProbeOptions, ProbeReport, RateLimitCheck, Severity, Timeouts};
use keyward::{Error, Keyward, ProbeOutcome, Regression};
use serde::Serialize;

use crate::{Outcome, output};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("targets").required(true).args(["urls", "integration", "all"])))]
pub struct ProbeArgs {
    /// URLs to probe; no credential is sent to them.
    #[arg(value_name = "URL")]
    urls: Vec<String>,
    /// Probe every endpoint of this integration, with its linked credentials.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["urls", "all"])]
    integration: Option<String>,
    /// Probe every endpoint in the inventory.
    #[arg(long, conflicts_with = "urls")]
    all: bool,
    /// PEM file with CA certificates to trust besides the system roots (intermediates
    /// in it also let Keyward tell an incomplete chain from an untrusted one).
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Print one JSON document (an array of reports) instead of text.
    #[arg(long)]
    json: bool,
    /// Time limit for connecting and for each answer, e.g. `3s` or `800ms`.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = parse_duration)]
    timeout: Duration,
    /// Port to look for plain HTTP on. Default: 80, for targets on port 443 only.
    #[arg(long, value_name = "PORT")]
    plaintext_port: Option<u16>,
    /// Opt-in rate-limit check: send up to N requests (at most 100) at 20 per second
    /// and report whether the endpoint ever throttles. Off by default.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    rate_limit_burst: Option<u32>,
}

/// A report as printed: the contract's fields plus the integration and regression.
#[derive(Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    report: &'a ProbeReport,
    integration: Option<&'a str>,
    regression: Option<&'a Regression>,
}

pub fn run(args: ProbeArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let custom_ca_pem = match &args.ca {
        Some(path) => Some(std::fs::read(path).map_err(|error| Error::Invalid {
            field: "--ca".into(),
            problem: format!("cannot read {}: {error}", path.display()),
        })?),
        None => None,
    };
    let options = ProbeOptions {
        timeouts: Timeouts {
            connect: args.timeout,
            read: args.timeout,
        },
        custom_ca_pem,
        plaintext_port: args.plaintext_port,
        rate_limit: args.rate_limit_burst.map(|requests| RateLimitCheck {
            requests,
            per_second: 20,
        }),
        ..ProbeOptions::default()
    };
    let outcomes = if let Some(name) = &args.integration {
        keyward.posture().probe_integration(name, options)?
    } else if args.all {
        let show_progress = !args.json;
        keyward.posture().probe_all(options, |progress| {
            if show_progress {
                eprintln!("[{}/{}] {}", progress.done, progress.total, progress.target);
            }
        })?
    } else {
        keyward.posture().probe_urls(&args.urls, options)?
    };

    if args.json {
        let printed: Vec<Printed<'_>> = outcomes
            .iter()
            .map(|outcome| Printed {
                report: &outcome.report,
                integration: outcome.integration.as_deref(),
                regression: outcome.regression.as_ref(),
            })
            .collect();
        output::json(&printed)?;
    } else {
        for outcome in &outcomes {
            print_outcome(outcome);
        }
    }
    let attention = outcomes.iter().any(|outcome| {
        outcome.report.error.is_some()
            || outcome
                .report
                .worst_severity()
                .is_some_and(|severity| severity >= Severity::Medium)
    });
    Ok(if attention {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn print_outcome(outcome: &ProbeOutcome) {
    let report = &outcome.report;
    let grade = report.grade.map_or("-", |grade| grade.as_str());
    let label = outcome
        .integration
        .as_deref()
        .map(|name| format!(" [{name}]"))
        .unwrap_or_default();
    println!(
        "{}{label}  grade {grade}  ({} ms)",
        report.target, report.duration_ms
    );
    if let Some(error) = &report.error {
        println!("  error: {error}");
    }
    for finding in &report.findings {
        println!(
            "  {:<8} {:<34} {}",
            finding.severity.as_str(),
            finding.id,
            finding.message
        );
        if !finding.evidence.is_empty() {
            println!("  {:<8} {:<34} {}", "", "", finding.evidence);
        }
    }
    for deduction in &report.deductions {
        println!(
            "  caps at {:<3} because of {}",
            deduction.caps.as_str(),
            deduction.finding
        );
    }
    let partial = report
        .tls
        .iter()
        .flat_map(|tls| &tls.errors)
        .chain(report.http.iter().flat_map(|http| &http.errors));
    for problem in partial {
        println!("  incomplete: {problem}");
    }
    for note in &report.notes {
        println!("  note: {note}");
    }
    if let Some(regression) = &outcome.regression {
        println!("  REGRESSION: {}", regression.summary());
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 3s or 800ms"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(value),
        "s" | "" => Duration::from_secs(value),
        _ => return Err(format!("`{text}` has unknown unit `{unit}`; use s or ms")),
    };
    if duration.is_zero() || duration > Duration::from_secs(120) {
        return Err(format!("`{text}` must be between 1 ms and 120 s"));
    }
    Ok(duration)
}
