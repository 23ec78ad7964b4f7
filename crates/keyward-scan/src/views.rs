//! Rewritten views of a buffer for secrets that the bytes on disk spell indirectly: the
//! text of a JSON file's strings with their escapes undone (notebooks keep every source
//! line as a JSON string, so `\"` and `\n` sit between a keyword and its value), and a
//! private key written as one string literal per line (`"MIIE...\n" +`), glued back into
//! one block. The rules run over the view unchanged; an [`OffsetMap`] takes what they
//! find back to the bytes on disk, so lines, columns, fingerprints and the inline marker
//! all refer to the real file.

/// Where each byte of a view came from: a list of points where the view and its source
/// fell out of step; between two points both advance together.
#[derive(Debug, Clone)]
pub(crate) struct OffsetMap {
    /// (view offset, source offset), strictly increasing in both.
    points: Vec<(usize, usize)>,
}

impl OffsetMap {
    fn new() -> Self {
        Self {
            points: vec![(0, 0)],
        }
    }

    /// From view offset `view` on, the source is at `source`.
    fn mark(&mut self, view: usize, source: usize) {
        match self.points.last_mut() {
            Some(last) if last.0 == view => last.1 = source,
            _ => self.points.push((view, source)),
        }
    }

    /// The source offset of view offset `view` (or of the end of the view).
    pub fn source(&self, view: usize) -> usize {
        let index = self.points.partition_point(|point| point.0 <= view) - 1;
        let (at, source) = self.points[index];
        source + (view - at)
    }
}

/// A rewritten buffer and the map back to its source.
#[derive(Debug, Clone)]
pub(crate) struct View {
    pub text: Vec<u8>,
    pub map: OffsetMap,
}

/// Whether `data` is worth an unescaped view: it opens like a JSON document (a notebook,
/// a service-account file, a config) and holds at least one escape.
pub(crate) fn looks_like_escaped_json(data: &[u8]) -> bool {
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'[')) && memchr::memchr(b'\\', body).is_some()
}

/// The document with every escape inside its strings undone (`\n` becomes a newline,
/// `\"` a quote, `\u0041` an `A`); escapes of characters outside ASCII are kept as
/// written, since no rule's alphabet holds them. Text outside strings is copied as is.
pub(crate) fn unescape_json(data: &[u8]) -> View {
    let mut text = Vec::with_capacity(data.len());
    let mut map = OffsetMap::new();
    let mut in_string = false;
    let mut at = 0;
    while at < data.len() {
        // Copy up to the next byte that can change the state in one go.
        let next = if in_string {
            memchr::memchr2(b'"', b'\\', &data[at..])
        } else {
            memchr::memchr(b'"', &data[at..])
        };
        let Some(step) = next else {
            text.extend_from_slice(&data[at..]);
            break;
        };
        text.extend_from_slice(&data[at..at + step]);
        at += step;
        if data[at] == b'"' {
            in_string = !in_string;
            text.push(b'"');
            at += 1;
            continue;
        }
        // A backslash inside a string.
        let (byte, width) = match data.get(at + 1) {
            Some(b'n') => (b'\n', 2),
            Some(b'r') => (b'\r', 2),
            Some(b't') => (b'\t', 2),
            Some(b'b' | b'f') => (b' ', 2),
            Some(b'"') => (b'"', 2),
            Some(b'\\') => (b'\\', 2),
            Some(b'/') => (b'/', 2),
            Some(b'u') => match ascii_escape(&data[at + 2..]) {
                Some(byte) => (byte, 6),
                None => (b'\\', 1),
            },
            _ => (b'\\', 1),
        };
        text.push(byte);
        at += width;
        if width > 1 {
            map.mark(text.len(), at);
        }
    }
    View { text, map }
}

/// The ASCII character of a `\uXXXX` escape's four hex digits, if it is one.
fn ascii_escape(digits: &[u8]) -> Option<u8> {
    let digits = digits.get(..4)?;
    let text = std::str::from_utf8(digits).ok()?;
    let value = u32::from_str_radix(text, 16).ok()?;
    u8::try_from(value).ok().filter(u8::is_ascii)
}

/// Whether `window` (the bytes after a private-key header) may hold the key as string
/// literals: a quote follows the header within its line.
pub(crate) fn may_hold_literals(window: &[u8]) -> bool {
    let line = memchr::memchr(b'\n', window).map_or(window, |end| &window[..end]);
    memchr::memchr3(b'"', b'\'', b'`', line).is_some()
}

/// `window` with the glue between per-line string literals taken out: a closing quote,
/// blanks and line breaks, at most one joining operator (`+`, `,`, `.`, `&`, `\`), an
/// optional string prefix (`b`, `r`, `L`, `u8`, `@`, `$`) and the next opening quote
/// become one newline, as do `\n` and `\r` escapes and a backslash line continuation, so
/// the private-key rules see the block they were written for.
pub(crate) fn join_literals(window: &[u8]) -> View {
    let mut text = Vec::with_capacity(window.len());
    let mut map = OffsetMap::new();
    let mut at = 0;
    while at < window.len() {
        let byte = window[at];
        let width = match byte {
            b'\\' => match window.get(at + 1) {
                Some(b'n' | b'r' | b't') => 2,
                Some(b'\r' | b'\n') => 1 + blank_len(&window[at + 1..]),
                _ => 0,
            },
            b'"' | b'\'' | b'`' => glue_len(&window[at..]),
            _ => 0,
        };
        if width == 0 {
            text.push(byte);
            at += 1;
            continue;
        }
        text.push(b'\n');
        at += width;
        map.mark(text.len(), at);
    }
    View { text, map }
}

/// Blanks and line breaks at the start of `bytes`.
fn blank_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|byte| !matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(bytes.len())
}

/// The length of the glue opening `bytes` (which starts with a quote), or 0 if the quote
/// ends the literal for good.
fn glue_len(bytes: &[u8]) -> usize {
    let mut at = 1;
    at += blank_len(&bytes[at..]);
    if let Some(b'+' | b',' | b'.' | b'&' | b'\\') = bytes.get(at) {
        at += 1;
        at += blank_len(&bytes[at..]);
    }
    let prefix = bytes[at..]
        .iter()
        .take(3)
        .position(|byte| {
            !matches!(
                byte,
                b'b' | b'B' | b'r' | b'R' | b'L' | b'u' | b'8' | b'@' | b'$'
            )
        })
        .unwrap_or(0);
    at += prefix;
    match bytes.get(at) {
        // A quote right after the closing one with nothing between is an empty string
        // or a doubled quote, not glue.
        Some(b'"' | b'\'' | b'`') if at > 1 => at + 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_are_undone_and_mapped_back() {
        let source = br#"{"a": "x = \"secret\"\nnext", "b": "\u0041\u00e9"}"#;
        assert!(looks_like_escaped_json(source));
        let view = unescape_json(source);
        let text = String::from_utf8(view.text.clone()).unwrap();
        assert_eq!(
            text,
            "{\"a\": \"x = \"secret\"\nnext\", \"b\": \"A\\u00e9\"}"
        );
        let secret = text.find("secret").unwrap();
        let in_source = view.map.source(secret);
        assert_eq!(&source[in_source..in_source + 6], b"secret");
        assert_eq!(
            view.map.source(text.find("next").unwrap()),
            std::str::from_utf8(source).unwrap().find("next").unwrap()
        );
        assert_eq!(view.map.source(view.text.len()), source.len());
        assert!(!looks_like_escaped_json(b"fn main() { \"\\n\" }"));
        assert!(!looks_like_escaped_json(b"{\"plain\": 1}"));
    }

    #[test]
    fn per_line_literals_are_joined() {
        let source = b"-----\\n\"\n    \"abc\\n\" +\n\t\"def\"\"\";";
        let view = join_literals(source);
        assert_eq!(view.text, b"-----\n\nabc\n\ndef\"\"\";");
        let def = view.text.iter().position(|byte| *byte == b'd').unwrap();
        assert_eq!(&source[view.map.source(def)..][..3], b"def");
    }
}
