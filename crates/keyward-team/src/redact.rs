//! The one redaction of team database targets, in every form libpq accepts a password:
//!
//! - URL userinfo: `postgres://lead:pw@host/db` -> `postgres://***@host/db`;
//! - the `password` and `sslpassword` query parameters (also percent-encoded names):
//!   `?sslmode=require&password=pw` -> `?sslmode=require&password=***`;
//! - `key=value` connection strings, plain, escaped or quoted values, spaces around `=`
//!   allowed: `host=h password='p w' dbname=d` -> `host=h password=*** dbname=d`.
//!
//! `keyward_outbound::redact` masks a URL's whole query, which is right for HTTP (any
//! parameter may carry a key) but hides `sslmode` and `host` of a database target and
//! knows nothing of `key=value` strings. Here only the secret settings go, so a message
//! still says which host, port and database it is about.

/// Settings whose value is a secret (libpq's names; `passfile` is a path, not a secret).
const SECRET_KEYS: &[&str] = &["password", "sslpassword"];

const MASK: &str = "***";

/// A database target as the user gave it (a URL or a `key=value` string), with every
/// password masked; a URL of another scheme as `keyward_outbound::redact` names it.
/// Anything else comes back as `(unparsable URL)`: there is no telling where a password
/// might sit in it.
pub fn redact_url(target: &str) -> String {
    let target = target.trim();
    if postgres_scheme(target).is_some() {
        // The whole target is one URL, even where a raw password holds a space.
        return redact_postgres_url(target);
    }
    if is_conninfo(target) {
        return redact_conninfo(target);
    }
    // Another scheme (a refused `mysql://` URL, say) is named as the outbound policy
    // names URLs; with a space in it, there is no telling where the URL ends.
    let scheme_end = target.find("://").unwrap_or(0);
    if scheme_end > 0
        && target[..scheme_end]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !target.contains(char::is_whitespace)
    {
        return keyward_outbound::redact(target);
    }
    "(unparsable URL)".to_owned()
}

/// Every database target inside a text (an error message, say): `password=` settings
/// of `key=value` strings and PostgreSQL URLs as in [`redact_url`], and other URLs by
/// the outbound policy's redaction.
pub fn redact_text(text: &str) -> String {
    let text = redact_conninfo(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(found) = rest.find("://") {
        let before = &rest[..found];
        let scheme_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(found, |(index, _)| index);
        let after = &rest[found + 3..];
        let end = found
            + 3
            + after
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
                .unwrap_or(after.len());
        out.push_str(&rest[..scheme_start]);
        let url = &rest[scheme_start..end];
        if postgres_scheme(url).is_some() {
            out.push_str(&redact_postgres_url(url));
        } else {
            out.push_str(&keyward_outbound::redact(url));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The length of `postgres://` or `postgresql://` when `text` starts with one.
fn postgres_scheme(text: &str) -> Option<usize> {
    ["postgresql://", "postgres://"]
        .into_iter()
        .find_map(|scheme| {
            text.get(..scheme.len())
                .filter(|start| start.eq_ignore_ascii_case(scheme))
                .map(|_| scheme.len())
        })
}

/// `postgres://user:pw@host:port/db?password=x&sslmode=require#f`  (keyward:allow: an example)
/// -> `postgres://***@host:port/db?password=***&sslmode=require#***`.  (keyward:allow: an example)
fn redact_postgres_url(url: &str) -> String {
    let scheme_len = postgres_scheme(url).unwrap_or(0);
    let (scheme, rest) = url.split_at(scheme_len);
    let mut out = String::with_capacity(url.len());
    out.push_str(scheme);
    // libpq ends the userinfo at the first `@` before any `/`; taking the last one
    // there also covers a raw `@` in a password, at worst hiding part of the host.
    let boundary = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..boundary].rfind('@') {
        Some(at) => {
            out.push_str(MASK);
            &rest[at..]
        }
        None => rest,
    };
    let (main, fragment) = match rest.find('#') {
        Some(index) => (&rest[..index], Some(())),
        None => (rest, None),
    };
    match main.split_once('?') {
        Some((location, query)) => {
            out.push_str(location);
            out.push('?');
            let parameters: Vec<String> = query
                .split('&')
                .map(|parameter| match parameter.split_once('=') {
                    Some((key, _)) if is_secret_key(&percent_decoded(key)) => {
                        format!("{key}={MASK}")
                    }
                    _ => parameter.to_owned(),
                })
                .collect();
            out.push_str(&parameters.join("&"));
        }
        None => out.push_str(main),
    }
    if fragment.is_some() {
        out.push('#');
        out.push_str(MASK);
    }
    out
}

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|secret| key.trim().eq_ignore_ascii_case(secret))
}

/// `%70assword` is `password` to libpq, so names are compared decoded.
pub(crate) fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let decoded = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One `key = value` setting found at `start` of `text`: where its value starts and
/// ends, and the key.
pub(crate) struct Setting<'a> {
    pub(crate) key: &'a str,
    pub(crate) value_start: usize,
    pub(crate) end: usize,
}

/// Reads a setting the way libpq does: a keyword, optional spaces, `=`, optional
/// spaces, then a value in single quotes or up to the next unescaped space, with `\`
/// escaping the next character in both.
pub(crate) fn setting_at(text: &str, start: usize) -> Option<Setting<'_>> {
    let bytes = text.as_bytes();
    let mut index = start;
    while index < bytes.len() && (bytes[index].is_ascii_alphanumeric() || bytes[index] == b'_') {
        index += 1;
    }
    if index == start || !bytes[start].is_ascii_alphabetic() {
        return None;
    }
    let key = &text[start..index];
    while index < bytes.len() && bytes[index].is_ascii_whitespace() {
        index += 1;
    }
    if bytes.get(index) != Some(&b'=') {
        return None;
    }
    index += 1;
    while index < bytes.len() && bytes[index].is_ascii_whitespace() {
        index += 1;
    }
    let value_start = index;
    if bytes.get(index) == Some(&b'\'') {
        index += 1;
        while index < bytes.len() && bytes[index] != b'\'' {
            index += if bytes[index] == b'\\' { 2 } else { 1 };
        }
        // An unterminated quote runs to the end, and all of it is the value.
        index = (index + 1).min(bytes.len());
    } else {
        while index < bytes.len() && !bytes[index].is_ascii_whitespace() {
            index += if bytes[index] == b'\\' { 2 } else { 1 };
        }
        index = index.min(bytes.len());
    }
    Some(Setting {
        key,
        value_start,
        end: index,
    })
}

/// Whether all of `text` is `key=value` settings (libpq's connection-string form).
pub(crate) fn is_conninfo(text: &str) -> bool {
    let mut index = 0;
    let mut settings = 0;
    loop {
        while index < text.len() && text.as_bytes()[index].is_ascii_whitespace() {
            index += 1;
        }
        if index >= text.len() {
            return settings > 0;
        }
        match setting_at(text, index) {
            Some(setting) => {
                settings += 1;
                index = setting.end;
            }
            None => return false,
        }
    }
}

/// Masks the value of every secret setting that starts a word of `text`.
fn redact_conninfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut index = 0;
    while index < text.len() {
        let word_start = index == 0 || text.as_bytes()[index - 1].is_ascii_whitespace();
        if word_start
            && text.is_char_boundary(index)
            && let Some(setting) = setting_at(text, index)
        {
            if is_secret_key(setting.key) {
                out.push_str(&text[copied..setting.value_start]);
                out.push_str(MASK);
                copied = setting.end;
            }
            index = setting.end.max(index + 1);
            continue;
        }
        index += 1;
    }
    if copied < text.len() {
        out.push_str(&text[copied..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{redact_text, redact_url};

    #[test]
    fn url_userinfo_goes_host_port_and_database_stay() {
        assert_eq!(
            redact_url("postgres://lead:hunter2@db.example:5432/team"),
            "postgres://***@db.example:5432/team"
        );
        assert_eq!(
            redact_url("postgresql://lead:p%40ss%2Fw@db/team?sslmode=require"), // keyward:allow (a fixture)
            "postgresql://***@db/team?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://lead:raw@pass@db/team"),
            "postgres://***@db/team"
        );
    }

    #[test]
    fn password_parameters_go_other_parameters_stay() {
        assert_eq!(
            redact_url("postgres://lead@db/team?sslmode=require&password=hunter2"),
            "postgres://***@db/team?sslmode=require&password=***"
        );
        assert_eq!(
            redact_url("postgres://db/team?sslpassword=hunter2&sslmode=verify-full"),
            "postgres://db/team?sslpassword=***&sslmode=verify-full"
        );
        assert_eq!(
            redact_url("postgres://db/team?%70assword=hunter2&PASSWORD=x"),
            "postgres://db/team?%70assword=***&PASSWORD=***"
        );
        assert_eq!(
            redact_url("postgres://db/team?passfile=/home/p#frag"),
            "postgres://db/team?passfile=/home/p#***"
        );
    }

    #[test]
    fn key_value_strings_lose_only_their_passwords() {
        assert_eq!(
            redact_url("host=db port=5432 password=hunter2 dbname=team"),
            "host=db port=5432 password=*** dbname=team"
        );
        assert_eq!(
            redact_url("host=db password = 'hunter 2 it\\'s' dbname=team"),
            "host=db password = *** dbname=team"
        );
        assert_eq!(
            redact_url("host=db password=hun\\ ter2 sslpassword='x' user=lead"),
            "host=db password=*** sslpassword=*** user=lead"
        );
        assert_eq!(
            redact_url("host=db password='unterminated dbname=team"),
            "host=db password=***"
        );
    }

    #[test]
    fn anything_else_is_not_shown() {
        assert_eq!(redact_url("not a url hunter2"), "(unparsable URL)");
        assert_eq!(redact_url("mysql://a b@c/d"), "(unparsable URL)");
        assert_eq!(redact_url("mysql://a:b@c/d?e=f"), "mysql://***@c/d?***");
    }

    #[test]
    fn texts_quoting_targets_are_redacted() {
        assert_eq!(
            redact_text(
                "cannot connect to postgres://u:pw@h/db?password=x (host=h password=y): refused"
            ),
            "cannot connect to postgres://***@h/db?password=*** (host=h password=*** refused"
        );
        assert_eq!(
            redact_text("GET https://h/p?key=s and password=z"),
            "GET https://h/p?*** and password=***"
        );
        assert_eq!(redact_text("plain text"), "plain text");
    }

    #[test]
    fn redacting_twice_changes_nothing_more() {
        for target in [
            "postgres://a:b@c/d?password=e",
            "host=h password='p w' dbname=d",
        ] {
            let once = redact_url(target);
            assert_eq!(redact_url(&once), once);
        }
    }
}
