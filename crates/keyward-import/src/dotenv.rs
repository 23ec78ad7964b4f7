//! `.env` files as dotenv tools write them: `KEY=value`, an optional `export ` prefix,
//! `#` comments, single quotes (literal), double quotes (escapes, may span lines),
//! backticks, and unquoted values that end at ` #`.

use std::path::Path;

use zeroize::Zeroizing;

use super::classify::{guess_kind, guess_provider, looks_secret};
use super::{ImportError, ImportItem, line_error};
use keyward_model::SecretValue;

/// One `KEY=value` pair and the line it starts on.
pub struct DotenvEntry {
    pub key: String,
    pub value: SecretValue,
    pub line: usize,
}

pub(super) fn items(path: &Path, text: &str) -> Result<Vec<ImportItem>, ImportError> {
    Ok(parse_dotenv(path, text)?
        .into_iter()
        .map(|entry| {
            let text = entry.value.expose_str().unwrap_or_default();
            let skip = if entry.value.is_empty() {
                Some("empty value".to_owned())
            } else if text.starts_with("${") && text.ends_with('}') {
                Some("refers to another variable".to_owned())
            } else if !looks_secret(&entry.key, text) {
                Some("does not look like a secret".to_owned())
            } else {
                None
            };
            ImportItem {
                kind: guess_kind(&entry.key, text),
                provider: guess_provider(&entry.key, text),
                name: entry.key,
                integration: None,
                hosts: Vec::new(),
                rotate_every_days: None,
                notes: None,
                line: entry.line,
                value: entry.value,
                skip,
            }
        })
        .collect())
}

/// Parses a whole `.env` file. The first malformed line is an error naming it.
pub fn parse_dotenv(path: &Path, text: &str) -> Result<Vec<DotenvEntry>, ImportError> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let mut entries = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line_number = index + 1;
        let line = lines[index].trim_start();
        index += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let Some((key, rest)) = line.split_once('=') else {
            return Err(line_error(path, line_number, "expected KEY=VALUE"));
        };
        let key = key.trim_end();
        if !valid_key(key) {
            return Err(line_error(
                path,
                line_number,
                format!("`{}` is not a valid variable name", key.escape_default()),
            ));
        }
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(quote @ ('\'' | '"' | '`')) => {
                let (value, consumed) = quoted(&lines, index - 1, rest, quote)
                    .map_err(|reason| line_error(path, line_number, reason))?;
                index += consumed;
                value
            }
            _ => Zeroizing::new(unquoted(rest).to_owned()),
        };
        entries.push(DotenvEntry {
            key: key.to_owned(),
            value: SecretValue::new(value.as_bytes().to_vec()),
            line: line_number,
        });
    }
    Ok(entries)
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(first) if first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn unquoted(rest: &str) -> &str {
    let end = rest
        .char_indices()
        .find(|&(position, c)| {
            c == '#' && (position == 0 || rest[..position].ends_with([' ', '\t']))
        })
        .map_or(rest.len(), |(position, _)| position);
    rest[..end].trim_end()
}

/// Reads a quoted value starting at `rest` (the remainder of line `start`), continuing
/// onto following lines until the closing quote. Returns the value and how many extra
/// lines it used.
fn quoted(
    lines: &[&str],
    start: usize,
    rest: &str,
    quote: char,
) -> Result<(Zeroizing<String>, usize), String> {
    let mut value = Zeroizing::new(String::new());
    let mut current = &rest[1..];
    let mut extra_lines = 0;
    loop {
        let mut chars = current.char_indices();
        while let Some((position, c)) = chars.next() {
            if c == quote {
                let after = current[position + 1..].trim();
                if !(after.is_empty() || after.starts_with('#')) {
                    return Err(format!("unexpected text after the closing {quote}"));
                }
                return Ok((value, extra_lines));
            }
            if c == '\\' && quote == '"' {
                match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, escaped @ ('"' | '\\' | '$' | '\''))) => value.push(escaped),
                    Some((_, other)) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => value.push('\\'),
                }
            } else {
                value.push(c);
            }
        }
        extra_lines += 1;
        match lines.get(start + extra_lines) {
            Some(next) => {
                value.push('\n');
                current = next;
            }
            None => return Err(format!("the {quote} quote opened here is never closed")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String, usize)> {
        parse_dotenv(Path::new(".env"), text)
            .unwrap()
            .into_iter()
            .map(|entry| {
                (
                    entry.key,
                    entry.value.expose_str().unwrap().to_owned(),
                    entry.line,
                )
            })
            .collect()
    }

    #[test]
    fn reads_the_forms_dotenv_tools_write() {
        let text = "# comment\nexport A=1\nB = two words # note\nC='lit\\n#x'\nD=\"esc\\n\\\"q\\\"\"\n\nE=\"multi\nline\"\nF=\nG=a#b\n";
        assert_eq!(
            parse(text),
            vec![
                ("A".into(), "1".into(), 2),
                ("B".into(), "two words".into(), 3),
                ("C".into(), "lit\\n#x".into(), 4),
                ("D".into(), "esc\n\"q\"".into(), 5),
                ("E".into(), "multi\nline".into(), 7),
                ("F".into(), "".into(), 9),
                ("G".into(), "a#b".into(), 10),
            ]
        );
    }

    #[test]
    fn malformed_lines_are_named() {
        for (text, line, words) in [
            ("A=1\nnot a pair\n", 2, "expected KEY=VALUE"),
            ("A=1\n\n1BAD=x\n", 3, "not a valid variable name"),
            ("A=\"open\nB=2\n", 1, "never closed"),
            ("A='x' trailing\n", 1, "after the closing"),
        ] {
            let error = parse_dotenv(Path::new("app/.env"), text).err().expect(text);
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("app/.env:{line}:")),
                "{message}"
            );
            assert!(message.contains(words), "{message}");
        }
    }
}
