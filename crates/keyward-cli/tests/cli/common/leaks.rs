//! Looking for a secret wherever Keyward could have put it: every spelling a leaked
//! value can take, every file under a directory, every text or blob column of a SQLite
//! file. One detector, so every leak test searches for the same forms.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::{TestHome, hex};

/// Every form in which a leaked value could sit in a file or an output: plain, hex
/// (either case), percent-encoded (escapes in either case, with and without the
/// unreserved punctuation escaped), UTF-16, and base64 (standard and URL-safe) — whole
/// and unpadded, and at each of the three alignments a value can have inside a longer
/// encoded text, minus the characters that depend on the bytes around it.
pub fn secret_forms(value: &[u8]) -> Vec<(String, Vec<u8>)> {
    let hex = hex(value);
    let mut forms = vec![
        ("plain".to_owned(), value.to_vec()),
        ("hex".to_owned(), hex.clone().into_bytes()),
        ("HEX".to_owned(), hex.to_uppercase().into_bytes()),
        (
            "utf-16".to_owned(),
            String::from_utf8_lossy(value)
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
        ),
    ];
    for (label, unreserved) in [("url-encoded", &b"-._~"[..]), ("url-encoded (strict)", b"")] {
        let percent = percent_encode(value, unreserved);
        forms.push((
            format!("{label} (lower case)"),
            lower_case_escapes(&percent).into_bytes(),
        ));
        forms.push((label.to_owned(), percent.into_bytes()));
    }
    for (label, engine) in [
        ("base64", &base64::engine::general_purpose::STANDARD),
        ("base64url", &base64::engine::general_purpose::URL_SAFE),
    ] {
        forms.push((
            label.to_owned(),
            engine
                .encode(value)
                .trim_end_matches('=')
                .as_bytes()
                .to_vec(),
        ));
        for shift in 0..3 {
            let mut shifted = vec![0u8; shift];
            shifted.extend_from_slice(value);
            let encoded = engine.encode(&shifted);
            let start = (shift * 4).div_ceil(3) + 1;
            let end = encoded.trim_end_matches('=').len().saturating_sub(2);
            if end > start + 8 {
                forms.push((
                    format!("{label}+{shift}"),
                    encoded.as_bytes()[start..end].to_vec(),
                ));
            }
        }
    }
    forms.retain(|(_, bytes)| !bytes.is_empty());
    forms.dedup_by(|a, b| a.1 == b.1);
    forms
}

/// `value` percent-encoded: ASCII letters and digits, and the bytes of `unreserved`,
/// stay as they are; every other byte becomes an upper-case escape.
pub fn percent_encode(value: &[u8], unreserved: &[u8]) -> String {
    value
        .iter()
        .map(|&byte| {
            if byte.is_ascii_alphanumeric() || unreserved.contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

fn lower_case_escapes(percent: &str) -> String {
    let mut out = String::new();
    let mut chars = percent.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// Every file under `root`, at any depth, sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every text or blob value of every table of the SQLite file at `database`, labelled
/// `table.column`.
pub fn database_values(database: &Path) -> Vec<(String, Vec<u8>)> {
    let connection = rusqlite::Connection::open(database).expect("open db");
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .expect("list tables")
        .query_map([], |row| row.get(0))
        .expect("list tables")
        .collect::<Result<_, _>>()
        .expect("table names");
    let mut values = Vec::new();
    for table in tables {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("select");
        let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let mut rows = statement.query([]).expect("query");
        while let Some(row) = rows.next().expect("row") {
            for (index, column) in columns.iter().enumerate() {
                if let rusqlite::types::ValueRef::Text(bytes)
                | rusqlite::types::ValueRef::Blob(bytes) = row.get_ref(index).expect("column")
                {
                    values.push((format!("{table}.{column}"), bytes.to_vec()));
                }
            }
        }
    }
    values
}

/// Every spelling of one secret, searched for in outputs, files and the inventory.
pub struct Needles(Vec<(String, Vec<u8>)>);

impl Needles {
    pub fn of(secret: &str) -> Self {
        Self(secret_forms(secret.as_bytes()))
    }

    /// Adds the forms of `sent`, the exact text that went out (`user:password` of a
    /// Basic header, say), whose base64 is not a substring of the secret's own.
    pub fn also_sent_as(mut self, sent: &str) -> Self {
        self.0.extend(
            secret_forms(sent.as_bytes())
                .into_iter()
                .map(|(form, bytes)| (format!("sent {form}"), bytes)),
        );
        self
    }

    /// The name of the first form of the secret found in `text`.
    pub fn found_in(&self, text: &[u8]) -> Option<&str> {
        self.0
            .iter()
            .find(|(_, needle)| contains(text, needle))
            .map(|(form, _)| form.as_str())
    }

    /// Asserts that no spelling of the secret is in `outputs` (what each command
    /// printed), in any file under the test's directory, or in any column of the SQLite
    /// inventory: errors and stored results are read by people and tools that must
    /// never see the secret.
    pub fn assert_absent(&self, home: &TestHome, outputs: &[(String, String)]) {
        for (what, text) in outputs {
            if let Some(form) = self.found_in(text.as_bytes()) {
                panic!("the secret ({form}) leaked into {what}:\n{text}");
            }
        }
        for path in files_under(home.dir.path()) {
            if let Ok(bytes) = std::fs::read(&path)
                && let Some(form) = self.found_in(&bytes)
            {
                panic!("the secret ({form}) is written to {}", path.display());
            }
        }
        for (column, bytes) in database_values(&home.database()) {
            if let Some(form) = self.found_in(&bytes) {
                panic!(
                    "the secret ({form}) is stored in {column}: {}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }
}
