//! `keyward rotate ...` and `keyward cred set-rotation ...`: parse flags, call the
//! library's rotation use cases, print the plan and the progress.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use keyward::model::parse_period_days;
use keyward::rotate::{RotationMethod, RotationPlan, RotationSetup, StepProgress};
use keyward::{Keyward, RotationApproval};

use crate::Outcome;
use crate::output;

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The credential to rotate.
    #[arg(required_unless_present_any = ["resume", "overdue"], conflicts_with_all = ["resume", "overdue"])]
    name: Option<String>,
    /// Show the plan (steps and file diffs, values redacted) and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do not ask for confirmation. Needed when stdin is not a terminal.
    #[arg(long)]
    yes: bool,
    /// A registered file not to rewrite (repeatable).
    #[arg(long = "skip-file", value_name = "FILE")]
    skip_files: Vec<PathBuf>,
    /// Finish or roll back interrupted rotations, then purge replaced values whose grace
    /// period has passed.
    #[arg(long, conflicts_with = "overdue")]
    resume: bool,
    /// Rotate every credential whose rotation period has run out.
    #[arg(long)]
    overdue: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

/// `keyward cred set-rotation NAME --method ...`
#[derive(Debug, Args)]
pub struct SetRotationArgs {
    name: String,
    /// generate, http, aws, gitlab, cloudflare or twilio.
    #[arg(long)]
    method: String,
    /// Rotation period, e.g. 90d. Default: keep the credential's current period.
    #[arg(long, value_name = "PERIOD")]
    every: Option<String>,
    /// The TOML recipe of the http method (read now and stored).
    #[arg(long, value_name = "FILE")]
    recipe: Option<PathBuf>,
    /// The provider API's base URL (self-hosted GitLab). Default: the public API.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Extra CA certificates (PEM) to trust for the provider's TLS. Default: system roots.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Twilio account SID, Cloudflare account id, GitLab project, or AWS IAM user name.
    #[arg(long)]
    account: Option<String>,
    /// The provider's id of the current key (http recipes, Cloudflare), if not known.
    #[arg(long)]
    key_id: Option<String>,
    /// client-cert only: the client-cert credential of a local CA that signs the renewed
    /// certificate. Default: self-signed.
    #[arg(long, value_name = "CREDENTIAL")]
    signing_ca: Option<String>,
    /// A file that holds the value and is rewritten on rotation (repeatable).
    #[arg(long = "file", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// jwt-signing-key only: where the public JWKS goes. Default: <home>/jwks/ID.json (the credential's id).
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
}

impl SetRotationArgs {
    fn settings(&self) -> anyhow::Result<(RotationSetup, Option<u32>)> {
        let invalid = |field: &str, problem: String| keyward::Error::Invalid {
            field: field.into(),
            problem,
        };
        let method =
            RotationMethod::parse(&self.method).map_err(|problem| invalid("--method", problem))?;
        let every = self
            .every
            .as_deref()
            .map(parse_period_days)
            .transpose()
            .map_err(|problem| invalid("--every", problem))?;
        let recipe = match &self.recipe {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|error| {
                invalid(
                    "--recipe",
                    format!("{}: cannot read: {error}", path.display()),
                )
            })?),
            None => None,
        };
        let absolute = |path: &PathBuf| std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let mut setup = RotationSetup::new(method);
        setup.base_url = self.base_url.clone();
        setup.recipe = recipe;
        setup.ca_file = self.ca.as_ref().map(absolute);
        setup.account = self.account.clone();
        setup.key_id = self.key_id.clone();
        setup.signing_ca = self.signing_ca.clone();
        setup.files = self.files.iter().map(absolute).collect();
        setup.jwks_file = self.jwks.as_ref().map(absolute);
        Ok((setup, every))
    }
}

pub fn set_rotation(args: SetRotationArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let (setup, every) = args.settings()?;
    let credential = keyward.rotation().set_rotation(&args.name, setup, every)?;
    println!(
        "{} rotates with {}{}",
        credential.name,
        args.method,
        credential
            .rotate_every_days
            .map(|days| format!(" every {days} days"))
            .unwrap_or_default()
    );
    Ok(Outcome::Clean)
}

pub fn run(args: RotateArgs, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let json = args.json;
    let mut report = |step: &StepProgress| {
        if !json {
            println!("  [{}] {}", step.state, step.message);
        }
    };
    if args.resume {
        let outcomes = keyward.rotation().resume_rotations(None, &mut report)?;
        if json {
            output::json(&serde_json::json!({ "rotations": outcomes }))?;
        } else if outcomes.is_empty() {
            println!("No interrupted rotations.");
        } else {
            for outcome in &outcomes {
                println!(
                    "Rotation #{} of {}: {}",
                    outcome.rotation_id, outcome.credential, outcome.state
                );
            }
        }
        return Ok(Outcome::Clean);
    }
    // Interrupted rotations first, so a new one never starts next to a half-done one.
    keyward.rotation().resume_rotations(None, &mut report)?;
    let names: Vec<String> = match &args.name {
        Some(name) => vec![name.clone()],
        None => keyward
            .rotation()
            .overdue_credentials()?
            .into_iter()
            .map(|credential| credential.name)
            .collect(),
    };
    if names.is_empty() {
        println!("No credential is overdue for rotation.");
        return Ok(Outcome::Clean);
    }
    let mut plans = Vec::new();
    for name in &names {
        plans.push(keyward.rotation().plan_rotation(name)?);
    }
    if args.dry_run {
        if json {
            output::json(&serde_json::json!({ "plans": plans }))?;
        } else {
            plans.iter().for_each(print_plan);
        }
        return Ok(Outcome::Clean);
    }
    if !json {
        plans.iter().for_each(print_plan);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(keyward::Error::Invalid {
                field: "--yes".into(),
                problem: "rotation changes credentials at their providers; confirm with --yes when not on a terminal".into(),
            }
            .into());
        }
        eprint!("Rotate {}? [y/N] ", names.join(", "));
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing rotated.");
            return Ok(Outcome::Clean);
        }
    }
    let approval = RotationApproval {
        skip_files: args
            .skip_files
            .iter()
            .map(|path| std::path::absolute(path).unwrap_or_else(|_| path.clone()))
            .collect(),
    };
    let mut outcomes = Vec::new();
    for name in &names {
        if !json {
            println!("Rotating {name}:");
        }
        // Where an integration's endpoint uses this credential, the new value must be
        // accepted there before it becomes current.
        let check = keyward.posture().endpoint_check(name)?;
        let check: Option<&dyn keyward::rotate::CredentialCheck> =
            if check.is_empty() { None } else { Some(&check) };
        outcomes.push(
            keyward
                .rotation()
                .rotate_credential(name, &approval, check, &mut report)?,
        );
    }
    if json {
        output::json(&serde_json::json!({ "rotations": outcomes }))?;
    } else {
        for outcome in &outcomes {
            for warning in &outcome.warnings {
                println!("  warning: {warning}");
            }
            println!(
                "{} rotated (rotation #{}).",
                outcome.credential, outcome.rotation_id
            );
        }
    }
    Ok(Outcome::Clean)
}

fn print_plan(plan: &RotationPlan) {
    println!(
        "Plan for {} ({}, {}):",
        plan.credential, plan.method, plan.lifecycle
    );
    for step in &plan.steps {
        println!("  {:<11} {}", step.state.as_str(), step.description);
    }
    for endpoint in &plan.verify_endpoints {
        println!("  the new value is checked at {endpoint}");
    }
    for file in &plan.files {
        let origin = match file.origin {
            keyward::rotate::FileOrigin::Registered => "",
            keyward::rotate::FileOrigin::LeakScan => " (the leak scanner found the value here)",
        };
        println!("  file {}{origin}", file.path.display());
        for change in &file.changes {
            println!("    {:>4} - {}", change.line, change.before);
            println!("    {:>4} + {}", change.line, change.after);
        }
    }
    for warning in &plan.warnings {
        println!("  warning: {warning}");
    }
    println!(
        "  The replaced value is kept in the keychain for {} hours.",
        plan.grace_hours
    );
}
