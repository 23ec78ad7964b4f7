//! The `.env` importer. Whatever the file, it returns entries or an error naming a line,
//! never panics; the entries name valid variables on increasing lines inside the file;
//! and writing the entries back out as `KEY="escaped value"` lines reads back to the
//! same keys and values.

#![no_main]

use std::path::Path;

use keyward_import::{ImportError, ImportFormat, parse_dotenv, parse_items};
use libfuzzer_sys::fuzz_target;

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/.env");
    let lines = text.split('\n').count();
    let entries = match parse_dotenv(path, text) {
        Ok(entries) => entries,
        Err(error) => {
            let ImportError::Line { line, .. } = error else {
                panic!("a .env error that names no line: {error}");
            };
            assert!((1..=lines).contains(&line));
            assert!(parse_items(ImportFormat::Dotenv, path, text).is_err());
            return;
        }
    };
    let items = parse_items(ImportFormat::Dotenv, path, text).expect("items of entries");
    assert_eq!(items.len(), entries.len());
    let mut previous = 0;
    let mut rewritten = String::new();
    for (entry, item) in entries.iter().zip(&items) {
        assert!(entry.line > previous && entry.line <= lines);
        previous = entry.line;
        assert_eq!((&item.name, item.line), (&entry.key, entry.line));
        assert!(item.value == entry.value);
        assert_eq!(
            item.skip.is_some() && entry.value.is_empty(),
            entry.value.is_empty()
        );
        let value = entry
            .value
            .expose_str()
            .expect("values of a text file are text");
        rewritten.push_str(&format!("{}=\"{}\"\n", entry.key, escape(value)));
    }
    let again = parse_dotenv(path, &rewritten).expect("written entries read back");
    assert_eq!(again.len(), entries.len());
    for (index, (entry, back)) in entries.iter().zip(&again).enumerate() {
        assert_eq!(back.key, entry.key);
        assert!(back.value == entry.value, "value of entry {index} changed");
    }
});
