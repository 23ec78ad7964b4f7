//! The one redaction every outbound error goes through.
//!
//! A URL's userinfo and query are where secrets travel (`https://token@host`,
//! `?api_key=…`, rotation recipes templating `{{current}}` into a query), and the texts
//! of lower layers (reqwest, hyper, tokio-postgres) quote URLs freely. Rather than trust
//! each layer, every URL found anywhere in a text loses its userinfo, query and
//! fragment; scheme, host, port and path stay so the message still says where.

/// Replaces the userinfo, query and fragment of every URL in `text` with `***`.
///
/// Works on a bare URL as well as on an error text that quotes one, and on text that is
/// not a valid URL (nothing is parsed, so nothing can fail).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find("://") {
        let before = &rest[..found];
        let scheme_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(found, |(index, _)| index);
        let scheme = &before[scheme_start..];
        let after = &rest[found + 3..];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str(&rest[..found + 3]);
            rest = after;
            continue;
        }
        let mut end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(after.len());
        // "(https://host/?q): refused" – the bracket (and a punctuation mark after it)
        // belongs to the text around the URL. At most those two characters of a query
        // survive, and only when they are exactly that.
        let closing = match before[..scheme_start].chars().last() {
            Some('(') => Some(')'),
            Some('[') => Some(']'),
            Some('{') => Some('}'),
            _ => None,
        };
        if let Some(closing) = closing {
            let token = &after[..end];
            let unpunctuated = token.strip_suffix([':', ',', '.', ';']).unwrap_or(token);
            if let Some(inner) = unpunctuated.strip_suffix(closing) {
                end = inner.len();
            }
        }
        out.push_str(&rest[..found + 3]);
        out.push_str(&redact_after_scheme(&after[..end]));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `user:pw@host:port/path?query#fragment` -> `***@host:port/path?***`.
fn redact_after_scheme(url: &str) -> String {
    let (main, tail) = match url.find(['?', '#']) {
        Some(index) => (&url[..index], Some(&url[index..=index])),
        None => (url, None),
    };
    let authority_end = main.find('/').unwrap_or(main.len());
    let mut out = String::with_capacity(main.len() + 8);
    match main[..authority_end].rfind('@') {
        Some(at) => {
            out.push_str("***");
            out.push_str(&main[at..]);
        }
        None => out.push_str(main),
    }
    if let Some(marker) = tail {
        out.push_str(marker);
        out.push_str("***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn userinfo_query_and_fragment_go_everything_else_stays() {
        assert_eq!(
            redact("https://user:pw@api.example.com:8443/v1/keys?token=abc#frag"),
            "https://***@api.example.com:8443/v1/keys?***"
        );
        assert_eq!(
            redact("postgres://lead:hunter2@db.example:5432/team"),
            "postgres://***@db.example:5432/team"
        );
        assert_eq!(redact("https://host/path#x"), "https://host/path#***");
        assert_eq!(redact("https://[::1]:8080/"), "https://[::1]:8080/");
    }

    #[test]
    fn urls_inside_texts_are_found() {
        assert_eq!(
            redact("error sending request for url (https://h/p?key=s3cret): refused"),
            "error sending request for url (https://h/p?***): refused"
        );
        assert_eq!(
            redact("GET http://a@b/ and 'ftp://c/?d' done"),
            "GET http://***@b/ and 'ftp://c/?***' done"
        );
        assert_eq!(redact("no url :// here"), "no url :// here");
        assert_eq!(redact("plain text"), "plain text");
    }

    #[test]
    fn redacting_twice_changes_nothing_more() {
        let once = redact("https://a:b@c/d?e=f");
        assert_eq!(redact(&once), once);
    }
}
