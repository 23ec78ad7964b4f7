//! The CSV importer (Keyward's columns and password-manager exports). Whatever the
//! file, it returns entries or an error, never panics; entries have names and come on
//! increasing lines; and the entries, written back in Keyward's own columns, read back
//! to the same names, kinds, values and settings.

#![no_main]

use std::path::Path;

use keyward_import::{ImportFormat, parse_items};
use libfuzzer_sys::fuzz_target;

/// Hosts that survive being joined with `;` into one cell: a host from a URL may be
/// empty or hold a `;` or white space, which the hosts column cannot carry.
fn plain_hosts(hosts: &[String]) -> bool {
    hosts
        .iter()
        .all(|host| !host.is_empty() && !host.contains(';') && !host.contains(char::is_whitespace))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/export.csv");
    let Ok(items) = parse_items(ImportFormat::Csv, path, text) else {
        return;
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "name",
            "kind",
            "value",
            "provider",
            "integration",
            "hosts",
            "rotate_every",
            "notes",
        ])
        .unwrap();
    let mut previous = 0;
    for item in &items {
        assert!(!item.name.is_empty() && item.name.trim() == item.name);
        assert!(item.line > previous, "lines {previous} then {}", item.line);
        previous = item.line;
        assert!(
            item.rotate_every_days
                .is_none_or(|days| (1..=36_500).contains(&days))
        );
        let hosts = if plain_hosts(&item.hosts) {
            item.hosts.join(";")
        } else {
            String::new()
        };
        writer
            .write_record([
                item.name.as_str(),
                item.kind.as_str(),
                item.value
                    .expose_str()
                    .expect("values of a text file are text"),
                item.provider.as_deref().unwrap_or(""),
                item.integration.as_deref().unwrap_or(""),
                &hosts,
                &item
                    .rotate_every_days
                    .map(|days| format!("{days}d"))
                    .unwrap_or_default(),
                item.notes.as_deref().unwrap_or(""),
            ])
            .unwrap();
    }
    let written = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let again = parse_items(ImportFormat::Csv, path, &written).expect("written CSV reads back");
    assert_eq!(again.len(), items.len());
    for (index, (item, back)) in items.iter().zip(&again).enumerate() {
        assert_eq!(
            (&back.name, back.kind),
            (&item.name, item.kind),
            "row {index}"
        );
        assert!(back.value == item.value, "value of row {index} changed");
        if item.provider.is_some() {
            assert_eq!(back.provider, item.provider);
        }
        assert_eq!(back.integration, item.integration);
        assert_eq!(back.rotate_every_days, item.rotate_every_days);
        assert_eq!(back.notes, item.notes);
        if plain_hosts(&item.hosts) {
            assert_eq!(back.hosts, item.hosts, "hosts of row {index}");
        }
    }
});
