//! The scanner's JSON view (a file that opens like a JSON document is searched as its
//! strings unescaped, positions mapped back to the file). Whatever the bytes: no panic;
//! the view is never longer than the file; the map back starts at 0, ends at the file's
//! end and never goes backwards; a view byte that stands for one file byte is that
//! byte; a file without a backslash is its own view; and text written as a JSON string
//! by serde_json reads back as the text (`\b` and `\f` as spaces, as the view spells
//! them).

#![no_main]

use keyward_scan::fuzzing::json_view;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (taken, text, map) = json_view(data);
    assert!(text.len() <= data.len());
    assert_eq!(map.len(), text.len() + 1);
    assert_eq!(map[0], 0);
    assert_eq!(map[text.len()], data.len());
    for offset in 0..text.len() {
        assert!(
            map[offset] < map[offset + 1],
            "the map advances at {offset}"
        );
        if map[offset + 1] - map[offset] == 1 {
            assert_eq!(text[offset], data[map[offset]], "byte {offset} of the view");
        }
    }
    if !data.contains(&b'\\') {
        assert!(!taken, "without an escape there is nothing to unescape");
        assert_eq!(text, data);
    }

    let value = String::from_utf8_lossy(data);
    let document = format!(
        "{{\"cell\": {}}}",
        serde_json::to_string(&value).expect("a string")
    );
    let (taken, text, _) = json_view(document.as_bytes());
    let spelt: String = value
        .chars()
        .map(|c| if c == '\u{8}' || c == '\u{c}' { ' ' } else { c })
        .collect();
    let expected = format!("{{\"cell\": \"{spelt}\"}}");
    assert_eq!(taken, document.contains('\\'));
    assert_eq!(String::from_utf8_lossy(&text), expected);
});
