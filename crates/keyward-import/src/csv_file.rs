//! CSV files: Keyward's own columns (`name,kind,value[,provider,integration,hosts,
//! rotate_every,notes]`) or the exports of password managers (KeePassXC, 1Password,
//! Bitwarden: title, username, password, URL), recognised by their header.

use std::path::Path;

use super::classify::{guess_kind, guess_provider};
use super::{ImportError, ImportItem, line_error};
use keyward_model::{CredentialKind, SecretValue, parse_period_days};

/// Header aliases per field, lowercase.
const NAME: &[&str] = &["name", "title"];
const VALUE: &[&str] = &["value", "password", "login_password"];
const USERNAME: &[&str] = &["username", "login_username", "user"];
const URL: &[&str] = &["url", "website", "login_uri"];
const KIND: &[&str] = &["kind"];
const PROVIDER: &[&str] = &["provider"];
const INTEGRATION: &[&str] = &["integration"];
const HOSTS: &[&str] = &["hosts", "allowed_hosts"];
const ROTATE: &[&str] = &["rotate_every", "rotate-every"];
const NOTES: &[&str] = &["notes", "note"];

pub(super) fn items(path: &Path, text: &str) -> Result<Vec<ImportItem>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|error| line_error(path, 1, format!("unreadable header: {error}")))?
        .iter()
        .map(|header| {
            header
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let column = |aliases: &[&str]| {
        headers
            .iter()
            .position(|header| aliases.contains(&header.as_str()))
    };
    let (Some(name_at), Some(value_at)) = (column(NAME), column(VALUE)) else {
        return Err(ImportError::WrongFormat {
            path: path.to_owned(),
            reason: "the header needs a name (or title) column and a value (or password) column"
                .into(),
        });
    };
    let kind_at = column(KIND);
    let username_at = column(USERNAME);
    let url_at = column(URL);
    let provider_at = column(PROVIDER);
    let integration_at = column(INTEGRATION);
    let hosts_at = column(HOSTS);
    let rotate_at = column(ROTATE);
    let notes_at = column(NOTES);

    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let line = error
                .position()
                .map_or(0, |position| line_at(text, position.byte()));
            // The csv crate's messages name field counts and positions, not contents.
            line_error(
                path,
                line,
                format!("malformed CSV row: {}", describe_csv_error(&error)),
            )
        })?;
        let line = record
            .position()
            .map_or(0, |position| line_at(text, position.byte()));
        let field = |at: Option<usize>| {
            at.and_then(|at| record.get(at))
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let name =
            field(Some(name_at)).ok_or_else(|| line_error(path, line, "the name is empty"))?;
        let password = record.get(value_at).unwrap_or_default();
        let username = field(username_at);
        let kind = match field(kind_at) {
            Some(kind) => kind
                .parse::<CredentialKind>()
                .map_err(|reason| line_error(path, line, reason))?,
            None if username.is_some() => CredentialKind::Basic,
            None => guess_kind(&name, password),
        };
        let value = match (&username, kind) {
            (Some(user), CredentialKind::Basic) if !password.contains(':') || kind_at.is_none() => {
                format!("{user}:{password}")
            }
            _ => password.to_owned(),
        };
        let mut hosts: Vec<String> = field(hosts_at)
            .map(|hosts| {
                hosts
                    .split([';', ' '])
                    .filter(|host| !host.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(url) = field(url_at).and_then(|url| url::Url::parse(&url).ok()) {
            hosts.extend(url.host_str().map(str::to_owned));
        }
        let rotate_every_days = field(rotate_at)
            .map(|period| {
                parse_period_days(&period).map_err(|reason| line_error(path, line, reason))
            })
            .transpose()?;
        let skip = password.is_empty().then(|| "empty value".to_owned());
        items.push(ImportItem {
            provider: field(provider_at).or_else(|| guess_provider(&name, password)),
            integration: field(integration_at),
            notes: field(notes_at),
            kind,
            name,
            hosts,
            rotate_every_days,
            line,
            value: SecretValue::from_string(value),
            skip,
        });
    }
    Ok(items)
}

/// The 1-based line on which the record at byte `offset` of `text` starts. The csv
/// reader ends records at `\r\n`, `\n` or a lone `\r` (old Mac exports), but its
/// `Position::line` counts only `\n`, so every row of a `\r` file would be "line 1";
/// here all three end a line. (A record after a `\r\n` is placed at its `\n`: line ends
/// at the offset still belong before the record.)
fn line_at(text: &str, offset: u64) -> usize {
    let bytes = text.as_bytes();
    let mut start = usize::try_from(offset).map_or(bytes.len(), |start| start.min(bytes.len()));
    while bytes
        .get(start)
        .is_some_and(|byte| matches!(byte, b'\r' | b'\n'))
    {
        start += 1;
    }
    1 + bytes[..start]
        .iter()
        .enumerate()
        .filter(|&(at, byte)| {
            *byte == b'\n' || (*byte == b'\r' && bytes.get(at + 1) != Some(&b'\n'))
        })
        .count()
}

fn describe_csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
        _ => "unreadable row".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<usize> {
        items(Path::new("export.csv"), text)
            .unwrap()
            .iter()
            .map(|item| item.line)
            .collect()
    }

    #[test]
    fn rows_are_numbered_by_line_whatever_ends_the_lines() {
        assert_eq!(lines("name,value\na,1\nb,2\n"), vec![2, 3]);
        assert_eq!(lines("name,value\r\na,1\r\nb,2\r\n"), vec![2, 3]);
        // Found by the import_csv fuzz target (fuzz/corpus/import_csv/crash-lone-cr and
        // crash-cr-then-crlf): a row ended by a lone `\r` was reported on the line of
        // the row before it.
        assert_eq!(lines("name,value\ra,1\rb,2\r"), vec![2, 3]);
        assert_eq!(lines("name,value\na,\"x\ny\"\rb,2\n"), vec![2, 4]);
        // And a row after a `\r\n` that follows `\r` line ends.
        assert_eq!(lines("name,value\ra,1\r\nb,2\rc,3\n"), vec![2, 3, 4]);
        let error = items(Path::new("export.csv"), "name,value\ra,1\rb\r")
            .err()
            .expect("a short row");
        assert!(error.to_string().starts_with("export.csv:3:"), "{error}");
    }
}
