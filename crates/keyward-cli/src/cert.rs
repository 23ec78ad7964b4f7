//! `keyward cert import ...`

use std::path::PathBuf;

use clap::{Args, Subcommand};
use keyward::model::{NewCredential, SecretValue};
use keyward::{CertificateImport, Keyward};

use crate::Outcome;
use crate::value_source::{read_stdin, trim_newline};

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Import a client certificate with its private key as a client-cert credential.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// PEM file (certificate chain, optionally with the key) or PKCS#12 file (.p12/.pfx).
    file: PathBuf,
    /// PEM private key, when it is not in FILE.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Read the PKCS#12 password from standard input; FILE is then read as PKCS#12.
    #[arg(long)]
    password_stdin: bool,
    #[arg(long)]
    name: String,
    #[arg(long)]
    integration: Option<String>,
    /// A host the certificate may be presented to (repeatable).
    #[arg(long = "host", value_name = "HOST")]
    hosts: Vec<String>,
}

pub fn run(command: CertCommand, keyward: &mut Keyward) -> anyhow::Result<Outcome> {
    let CertCommand::Import(args) = command;
    let password = if args.password_stdin {
        let bytes = read_stdin()?;
        Some(SecretValue::new(trim_newline(&bytes).to_vec()))
    } else {
        None
    };
    let credential = keyward
        .credentials()
        .import_certificate(CertificateImport {
            path: args.file,
            key_path: args.key,
            password,
            credential: NewCredential {
                name: args.name,
                integration: args.integration,
                allowed_hosts: args.hosts,
                ..Default::default()
            },
        })?;
    let certificate = credential
        .certificate
        .as_ref()
        .expect("imported certificates carry details");
    println!("Imported {} ({})", credential.name, certificate.subject);
    println!(
        "  {} {} bits, valid until {}, SHA-256 {}",
        certificate.key_type,
        certificate.key_bits,
        certificate.not_after.format("%Y-%m-%d"),
        certificate.sha256_fingerprint
    );
    Ok(Outcome::Clean)
}
