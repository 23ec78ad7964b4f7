//! The checks a regex match must pass before it is reported: checksums, entropy,
//! placeholders, generic-name exclusions and embedded images. Each one exists because
//! token-shaped text that is not a secret is common, and a scanner that cries wolf gets
//! turned off.

use base64::Engine;

const BASE62_DIGITS_FIRST: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE62_LOWER_FIRST: &[u8; 62] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for byte in bytes {
        counts[*byte as usize] += 1;
    }
    let total = bytes.len() as f64;
    counts
        .iter()
        .filter(|count| **count > 0)
        .map(|count| {
            let p = f64::from(*count) / total;
            -p * p.log2()
        })
        .sum()
}

fn base62(mut value: u32, alphabet: &[u8; 62]) -> [u8; 6] {
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        *slot = alphabet[(value % 62) as usize];
        value /= 62;
    }
    digits
}

/// The checksum GitHub (and npm) put in the last six characters of their tokens: a CRC32
/// of the 30 random characters, base62-encoded and zero-padded. Published descriptions
/// differ on whether the prefix is part of the checksummed text and on the base62 digit
/// order, so every combination is accepted; a random string still passes with a
/// probability of about 4 in 57 billion.
pub fn github_checksum_valid(token: &[u8]) -> bool {
    let Some(underscore) = token.iter().rposition(|byte| *byte == b'_') else {
        return false;
    };
    let body = &token[underscore + 1..];
    if body.len() != 36 {
        return false;
    }
    let (random, checksum) = body.split_at(30);
    let with_prefix = &token[..underscore + 1 + 30];
    [random, with_prefix].iter().any(|text| {
        let crc = crc32fast::hash(text);
        base62(crc, BASE62_DIGITS_FIRST) == checksum || base62(crc, BASE62_LOWER_FIRST) == checksum
    })
}

/// Computes the checksum suffix for the tests' fake tokens.
pub fn github_checksum(random: &[u8]) -> String {
    String::from_utf8(base62(crc32fast::hash(random), BASE62_DIGITS_FIRST).to_vec()).expect("ascii")
}

/// Whether a three-part dotted string is a JWT: the header and payload must decode to
/// JSON objects and the header must name an algorithm.
pub fn jwt_valid(token: &[u8]) -> bool {
    let mut parts = token.split(|byte| *byte == b'.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let decode = |part: &[u8]| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.strip_suffix(b"=").unwrap_or(part))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    };
    let header_ok =
        decode(header).is_some_and(|header| header.get("alg").is_some_and(|alg| alg.is_string()));
    header_ok && decode(payload).is_some_and(|payload| payload.is_object())
}

/// Words that mark a value as a stand-in rather than a secret, and the bodies of keys
/// that providers print in their own documentation (Stripe's `…4eC39HqLyjWDarjtT1zdp7dc`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "4ec39hqlyjwdarjtt1zdp7dc",
    "a1b2c3d4",
    "example",
    "xxxx",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "changeme",
    "change_me",
    "dummy",
    "redacted",
    "fake",
    "foobar",
    "lorem",
    "replace",
    "insert_",
    "sample",
    "****",
    "....",
    "0000000",
    "1234567",
    "abcdefgh",
    "secret_here",
    "_here",
    "todo",
    "<",
    ">",
    "${",
    "{{",
    "%s",
    // The passwords of RFC 7617's and folklore's examples.
    "opensesame",
    "hunter2",
    "password",
    "passw0rd",
];

/// Whether a (prefix-stripped) value is a placeholder, a documentation example or a
/// template slot rather than a secret.
pub fn is_placeholder(value: &[u8]) -> bool {
    if value.len() >= 6 {
        let mut distinct = [false; 256];
        for byte in value {
            distinct[*byte as usize] = true;
        }
        if distinct.iter().filter(|seen| **seen).count() < 4 {
            return true;
        }
    }
    // Template slots: `{password}`, `$DB_PASSWORD`, `%(secret)s`, `<token>`.
    if matches!(value.first(), Some(b'{' | b'$' | b'%' | b'<')) || value.last() == Some(&b'}') {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    PLACEHOLDER_WORDS.iter().any(|word| {
        lower
            .windows(word.len())
            .any(|window| window == word.as_bytes())
    })
}

/// Variable names a generic rule matches that hold identifiers, sizes or references, not
/// secrets (`token_type`, `max_tokens`, `secret_name`, `api_key_id`).
pub fn is_benign_name(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    const SUFFIXES: &[&str] = &[
        "_id",
        "-id",
        ".id",
        "id",
        "_name",
        "name",
        "_type",
        "type",
        "_path",
        "path",
        "_file",
        "file",
        "_url",
        "url",
        "_uri",
        "_len",
        "_length",
        "_count",
        "_size",
        "tokens",
        "_prefix",
        "_header",
        "header",
        "_field",
        "_env",
        "_var",
        "_ref",
        "_arn",
        "_version",
        "_format",
        "_kind",
        "_mode",
        "_dir",
        "_policy",
        "_ttl",
        "_expiry",
        "_expires",
        "_expiration",
        "_hash",
        "_digest",
        "_endpoint",
        "_label",
        "_key_fingerprint",
        "_manager",
        "_provider",
        "_store",
        "_storage",
        "_source",
        "_service",
        "_class",
        "_cache",
    ];
    const NAMES: &[&str] = &[
        "tokenizer",
        "token_usage",
        "keyboard",
        "keyframes",
        "monkey",
        "turkey",
        "hockey",
        "donkey",
    ];
    SUFFIXES
        .iter()
        .any(|suffix| lower.ends_with(suffix.as_bytes()))
        || NAMES.iter().any(|word| {
            lower
                .windows(word.len())
                .any(|window| window == word.as_bytes())
        })
}

/// Values a generic assignment holds that are code or references, not secrets.
pub fn is_code_like(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    let starts = |prefix: &[u8]| lower.starts_with(prefix);
    starts(b"http://")
        || starts(b"https://")
        || starts(b"file:")
        || starts(b"env.")
        || starts(b"process.env")
        || starts(b"os.environ")
        || starts(b"self.")
        || starts(b"this.")
        || starts(b"config.")
        || starts(b"settings.")
        || starts(b"secrets.")
        || starts(b"vars.")
        || starts(b"/")
        || starts(b"./")
        || starts(b"../")
        || is_identifier_path(&lower)
}

/// `&stored.credential`, `*self.token`, `config.api_key`: a reference, not a value.
fn is_identifier_path(lower: &[u8]) -> bool {
    let start = lower
        .iter()
        .position(|byte| !matches!(byte, b'&' | b'*' | b'!' | b'@'))
        .unwrap_or(lower.len());
    let rest = &lower[start..];
    !rest.is_empty()
        && rest
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b':'))
        && rest.iter().filter(|byte| byte.is_ascii_digit()).count() * 4 < rest.len()
        && (rest.contains(&b'.')
            || rest.contains(&b':')
            || rest.iter().all(|byte| !byte.is_ascii_digit()))
}

/// Whether a value is a name rather than random text: an identifier, a constant's name
/// or a type (`FTS5_CORRUPT_VTAB`, `accessTokenProvider`, `AWS_SECRET_ACCESS_KEY`,
/// `Option::SigningKey`). Names are made of words; random text, cut at every change
/// between lower case, upper case and digits, falls into pieces of one or two
/// characters, while a name's pieces are words of three or more.
pub fn is_identifier(value: &[u8]) -> bool {
    if value.is_empty()
        || !value.iter().all(|byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b':' | b'$' | b'-')
        })
        || value[0].is_ascii_digit()
    {
        return false;
    }
    let mut pieces = 0usize;
    let mut letters = 0usize;
    let mut digit_run = 0usize;
    let mut previous: Option<u8> = None;
    for (index, &byte) in value.iter().enumerate() {
        if !byte.is_ascii_alphanumeric() {
            previous = None;
            digit_run = 0;
            continue;
        }
        let next = value.get(index + 1).copied();
        let starts_piece = match previous {
            None => true,
            Some(before) => {
                (before.is_ascii_digit() != byte.is_ascii_digit())
                    || (before.is_ascii_lowercase() && byte.is_ascii_uppercase())
                    // The last capital of an acronym starts the next word: `HTTPServer`.
                    || (before.is_ascii_uppercase()
                        && byte.is_ascii_uppercase()
                        && next.is_some_and(|next| next.is_ascii_lowercase()))
            }
        };
        if byte.is_ascii_digit() {
            digit_run += 1;
            // Names carry short numbers (`FTS5`, `v2`, `sha256`), not long ones.
            if digit_run > 3 {
                return false;
            }
        } else {
            digit_run = 0;
            letters += 1;
        }
        if starts_piece {
            pieces += 1;
        }
        previous = Some(byte);
    }
    pieces > 0 && letters * 10 >= value.len() * 6 && value.len() >= pieces * 3
}

/// Whether a value is a call or an expression (`getToken()`, `load(key)[0]`).
pub fn is_call(value: &[u8]) -> bool {
    let Some(open) = value.iter().position(|byte| *byte == b'(') else {
        return false;
    };
    open > 0 && is_identifier(&value[..open]) && value[open..].contains(&b')')
}

/// Whether a value is a format string with a conversion (`Bearer%s`, `key=%d`,
/// `%1$s`, `%(token)s`, `%v`): the template of a secret, not one.
pub fn is_format_string(value: &[u8]) -> bool {
    value.iter().enumerate().any(|(index, &byte)| {
        if byte != b'%' {
            return false;
        }
        let rest = &value[index + 1..];
        if rest.first() == Some(&b'(') {
            return rest.contains(&b')');
        }
        let spec_end = rest
            .iter()
            .position(|byte| {
                !(byte.is_ascii_digit() || matches!(byte, b'$' | b'-' | b'+' | b'#' | b'.' | b' '))
            })
            .unwrap_or(rest.len());
        let Some(&conversion) = rest.get(spec_end) else {
            return false;
        };
        // `%2d` and `%3D` are URL-encoded bytes as often as conversions.
        let url_escape = spec_end == 1 && conversion.is_ascii_hexdigit();
        matches!(
            conversion,
            b's' | b'd' | b'i' | b'u' | b'x' | b'X' | b'v' | b'q' | b'@' | b'p'
        ) && !url_escape
            && (spec_end > 0
                || rest
                    .get(spec_end + 1)
                    .is_none_or(|after| !after.is_ascii_alphanumeric()))
    })
}

/// Whether the host after `@` at `data[end]` is a name reserved for documentation
/// (RFC 2606 and RFC 6761: `example.com`, `*.example`, `*.test`, `*.invalid`), as in
/// `postgres://user:pass@db.example.com/app`: an example, not a credential.
pub fn is_documentation_host(data: &[u8], end: usize) -> bool {
    if data.get(end) != Some(&b'@') {
        return false;
    }
    let host_end = data[end + 1..]
        .iter()
        .position(|byte| !(byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-')))
        .map_or(data.len(), |offset| end + 1 + offset);
    let host = data[end + 1..host_end].to_ascii_lowercase();
    let host = host.strip_suffix(b".").unwrap_or(&host);
    let ends_with_label = |label: &[u8]| {
        host == label
            || (host.len() > label.len()
                && host.ends_with(label)
                && host[host.len() - label.len() - 1] == b'.')
    };
    [
        &b"example.com"[..],
        b"example.net",
        b"example.org",
        b"example",
        b"test",
        b"invalid",
    ]
    .iter()
    .any(|label| ends_with_label(label))
}

fn is_base64_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=')
}

/// Whether `value` is base64 of a JSON object (`eyJ…`): a JWT's header or payload on
/// its own, which is public by design, not a secret.
pub fn is_encoded_json(value: &[u8]) -> bool {
    if !value.starts_with(b"eyJ") {
        return false;
    }
    let trimmed = value.strip_suffix(b"=").unwrap_or(value);
    let trimmed = trimmed.strip_suffix(b"=").unwrap_or(trimmed);
    [
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
    ]
    .iter()
    .filter_map(|engine| engine.decode(trimmed).ok())
    .any(|bytes| {
        serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|json| json.is_object())
    })
}

/// Whether `data[start..end]` is one line of a wrapped base64 blob (a test vector or a
/// key body written 64 characters a line, as C string literals or a PEM body): a line
/// next to it carries a base64 run of the same width that does not begin like this one.
/// A file listing tokens one per line is not a blob: its lines begin alike.
pub fn inside_wrapped_blob(data: &[u8], start: usize, end: usize) -> bool {
    let line_start = data[..start]
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |at| at + 1);
    let line_end = data[end..]
        .iter()
        .position(|byte| *byte == b'\n')
        .map_or(data.len(), |at| end + at);
    let Some(run) = base64_run(&data[line_start..line_end]) else {
        return false;
    };
    if run.len() < 40 {
        return false;
    }
    let previous = (line_start > 0).then(|| {
        let before = line_start - 1;
        let from = data[..before]
            .iter()
            .rposition(|byte| *byte == b'\n')
            .map_or(0, |at| at + 1);
        &data[from..before]
    });
    let next = (line_end < data.len()).then(|| {
        let from = line_end + 1;
        let to = data[from..]
            .iter()
            .position(|byte| *byte == b'\n')
            .map_or(data.len(), |at| from + at);
        &data[from..to]
    });
    [previous, next]
        .into_iter()
        .flatten()
        .filter_map(base64_run)
        .any(|neighbour| neighbour.len() == run.len() && neighbour[..4] != run[..4])
}

/// The first run of base64 bytes in `line` when it is most of the line (what surrounds
/// it is indentation, quotes, a `\n` escape, a comma).
fn base64_run(line: &[u8]) -> Option<&[u8]> {
    let is_blob_byte = |byte: u8| is_base64_byte(byte) || matches!(byte, b'-' | b'_');
    let from = line.iter().position(|byte| is_blob_byte(*byte))?;
    let length = line[from..]
        .iter()
        .position(|byte| !is_blob_byte(*byte))
        .unwrap_or(line.len() - from);
    let run = &line[from..from + length];
    (run.len() >= 16 && run.len() + 12 >= line.len()).then_some(run)
}

/// Magic prefixes of base64-encoded images and fonts (PNG, JPEG, GIF, WebP, SVG, WOFF).
const IMAGE_MAGIC: &[&[u8]] = &[
    b"iVBORw0KGgo",
    b"/9j/",
    b"R0lGOD",
    b"UklGR",
    b"PHN2Zy",
    b"d09GR",
    b"d09GMg",
    b"AAEAAA",
];

/// Whether `start` lies inside a base64 payload of a `data:` URI or an inline image (as
/// in notebooks' `"image/png": "iVBORw0..."`): random-looking text that is not a secret.
pub fn inside_embedded_blob(data: &[u8], start: usize) -> bool {
    let limit = start.saturating_sub(16 << 20);
    let mut run_start = start;
    while run_start > limit && is_base64_byte(data[run_start - 1]) {
        run_start -= 1;
    }
    if run_start >= 7 && &data[run_start - 7..run_start] == b"base64," {
        return true;
    }
    // The secret itself must sit well inside the blob, not be the blob.
    start > run_start + 64
        && IMAGE_MAGIC
            .iter()
            .any(|magic| data[run_start..].starts_with(magic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksums_are_verified() {
        let random = b"abcDEF0123456789ghijKLMNOPqrst";
        let mut token = b"ghp_".to_vec();
        token.extend_from_slice(random);
        token.extend_from_slice(github_checksum(random).as_bytes());
        assert!(github_checksum_valid(&token));
        let last = token.len() - 1;
        token[last] = if token[last] == b'A' { b'B' } else { b'A' };
        assert!(
            !github_checksum_valid(&token),
            "a token-shaped string with a wrong checksum is not a token"
        );
    }

    #[test]
    fn entropy_separates_random_from_repetitive_text() {
        assert!(shannon_entropy(b"aaaaaaaaaaaaaaaa") < 0.1);
        assert!(shannon_entropy(b"q8Zr2LmV0xT7bNcW") > 3.5);
    }

    #[test]
    fn placeholders_are_recognized() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxxxxxx",
            "your_api_key_goes_here",
            "<token>",
            "1111111111",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
        assert!(!is_placeholder(b"q8Zr2LmV0xT7bNcW"));
    }

    #[test]
    fn generic_names_that_hold_identifiers_are_benign() {
        for name in [
            "token_type",
            "max_tokens",
            "secret_name",
            "api_key_id",
            "request_token_url",
        ] {
            assert!(is_benign_name(name.as_bytes()), "{name}");
        }
        for name in ["api_key", "DB_PASSWORD", "client_secret", "authToken"] {
            assert!(!is_benign_name(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn names_calls_and_format_strings_are_not_random_values() {
        for value in [
            "FTS5_CORRUPT_VTAB",
            "accessTokenProvider",
            "AWS_SECRET_ACCESS_KEY",
            "HTTPServerConfig",
            "Option::SigningKey",
            "sha256_digest_v2",
        ] {
            assert!(is_identifier(value.as_bytes()), "{value}");
        }
        for value in [
            "q8Zr2LmV0xT7bNcW",
            "A8DKF93JDK2LQ0PZ",
            "k3jd9fk2lq0pzmx7",
            "3f2a9c0d8e7b6a5f",
            "wJalrXUtnFEMIK7MDENGbPxRfiCY",
            "build20240101token",
        ] {
            assert!(!is_identifier(value.as_bytes()), "{value}");
        }
        assert!(is_call(b"loadSecret(config)"));
        assert!(!is_call(b"q8Zr(2LmV0xT7bNcW"));
        for value in ["Bearer%s", "key=%d", "%1$s-token", "%(token)s", "tok%v"] {
            assert!(is_format_string(value.as_bytes()), "{value}");
        }
        for value in ["q8Zr2Lm%V0xT7bNcW", "ab%2Fcd%3Dq8Zr2LmV", "100%sure"] {
            assert!(!is_format_string(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn documentation_hosts_are_recognized_after_the_credentials() {
        let url = b"postgres://app:q8Zr2LmV0xT7@db.example.com:5432/app";
        let end = url.iter().position(|byte| *byte == b'@').unwrap();
        assert!(is_documentation_host(url, end));
        for host in ["localhost.test", "example", "api.invalid", "EXAMPLE.ORG."] {
            let text = format!("x://u:p@{host}/");
            assert!(is_documentation_host(text.as_bytes(), 7), "{host}");
        }
        for host in ["db.internal", "example.io", "myexample.com", "contest"] {
            let text = format!("x://u:p@{host}/");
            assert!(!is_documentation_host(text.as_bytes(), 7), "{host}");
        }
    }

    #[test]
    fn base64_images_are_recognized_by_content() {
        let data = format!("<img src=\"data:image/png;base64,{}\">", "A".repeat(100));
        assert!(inside_embedded_blob(data.as_bytes(), 60));
        let notebook = format!("\"image/png\": \"iVBORw0KGgo{}\"", "Qz".repeat(100));
        assert!(inside_embedded_blob(notebook.as_bytes(), 120));
        assert!(!inside_embedded_blob(b"token = abcdefghijkl", 8));
    }
}
