//! Where a secret value comes from on the command line. Never from an argument: values
//! in argv are visible to every user on the machine through the process list.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use keyward::model::SecretValue;
use keyward::model::fs::{MAX_INPUT_FILE_SIZE, read_regular_file};
use zeroize::Zeroizing;

#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct ValueSource {
    /// Read the value from standard input (one trailing newline is dropped).
    #[arg(long)]
    value_stdin: bool,
    /// Read the value from a file (one trailing newline is dropped).
    #[arg(long, value_name = "FILE")]
    from_file: Option<PathBuf>,
    /// Read the value from an environment variable.
    #[arg(long, value_name = "VAR")]
    from_env: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    #[error("{0}")]
    Input(String),
}

impl ValueSource {
    /// Reads the value; with no source given, prompts on a terminal without echo.
    pub fn read(&self, what: &str) -> Result<SecretValue, ValueError> {
        let bytes = if self.value_stdin {
            read_stdin()?
        } else if let Some(path) = &self.from_file {
            // A regular file under the input limit only: `--from-file /dev/zero` or a
            // FIFO is refused by name instead of filling memory or blocking.
            Zeroizing::new(
                read_regular_file(path, MAX_INPUT_FILE_SIZE).map_err(|error| {
                    ValueError::Input(format!(
                        "{}: cannot read the value: {error}",
                        path.display()
                    ))
                })?,
            )
        } else if let Some(variable) = &self.from_env {
            let value = std::env::var(variable).map_err(|_| {
                ValueError::Input(format!(
                    "environment variable {variable} is not set (or not UTF-8)"
                ))
            })?;
            Zeroizing::new(value.into_bytes())
        } else if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            let typed =
                rpassword::prompt_password(format!("Value for {what}: ")).map_err(|error| {
                    ValueError::Input(format!("cannot read the value from the terminal: {error}"))
                })?;
            Zeroizing::new(typed.into_bytes())
        } else {
            return Err(ValueError::Input(
                "no value given: use --value-stdin, --from-file FILE or --from-env VAR".into(),
            ));
        };
        let trimmed = trim_newline(&bytes);
        if trimmed.is_empty() {
            return Err(ValueError::Input(format!("the value for {what} is empty")));
        }
        Ok(SecretValue::new(trimmed.to_vec()))
    }
}

/// Standard input, at most [`MAX_INPUT_FILE_SIZE`] bytes: `< /dev/zero` is refused once
/// the limit is passed rather than read until memory runs out.
pub fn read_stdin() -> Result<Zeroizing<Vec<u8>>, ValueError> {
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(MAX_INPUT_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ValueError::Input(format!("cannot read standard input: {error}")))?;
    if bytes.len() as u64 > MAX_INPUT_FILE_SIZE {
        return Err(ValueError::Input(format!(
            "standard input is larger than the {} limit",
            keyward::model::fs::human_size(MAX_INPUT_FILE_SIZE)
        )));
    }
    Ok(bytes)
}

pub fn trim_newline(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}
