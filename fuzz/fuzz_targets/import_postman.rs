//! The Postman environment importer. Whatever the file, it returns entries or an error
//! (with a line inside the file where it names one), never panics; and the entries,
//! written back as a pretty-printed environment, read back to the same names and
//! values, each reported on the line its object starts.

#![no_main]

use std::path::Path;

use keyward_import::{ImportError, ImportFormat, parse_items};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/environment.json");
    let lines = text.split('\n').count();
    let items = match parse_items(ImportFormat::Postman, path, text) {
        Ok(items) => items,
        Err(ImportError::Line { line, .. }) => {
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
            return;
        }
        Err(_) => return,
    };
    let mut values = Vec::new();
    for item in &items {
        assert!(!item.name.is_empty());
        assert!((1..=lines).contains(&item.line));
        let value = item
            .value
            .expose_str()
            .expect("values of a text file are text");
        values.push(json!({"key": item.name, "type": "secret", "value": value}));
    }
    let written = serde_json::to_string_pretty(&json!({
        "_postman_variable_scope": "environment",
        "name": "fuzz",
        "values": values,
    }))
    .expect("an environment serializes");
    let again = parse_items(ImportFormat::Postman, path, &written).expect("written environment");
    assert_eq!(again.len(), items.len());
    for (index, (item, back)) in items.iter().zip(&again).enumerate() {
        assert_eq!(back.name, item.name);
        assert!(back.value == item.value, "value {index} changed");
        assert_eq!(back.skip.is_some(), item.value.is_empty(), "value {index}");
        // `{`, `"_postman_variable_scope"`, `"name"`, `"values": [`, then five lines
        // per object (keys are written in sorted order, so with or without serde_json's
        // preserve_order the layout is this one).
        assert_eq!(back.line, 5 + 5 * index, "line of value {index}");
    }
});
