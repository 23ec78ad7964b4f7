//! Checks on user-supplied names, hosts and URLs, shared by every way in (CLI flags,
//! app forms, importers) so that all of them refuse the same things with the same words.

use crate::{Error, Result};

/// The longest credential or integration name, in characters (all ASCII, so also bytes).
pub const NAME_MAX: usize = 64;

/// The naming rule in words, for errors and help: every refusal quotes it, so a user
/// knows what to type instead of guessing.
pub const NAME_RULE: &str = "names are 1-64 ASCII letters, digits, `.`, `_` or `-`, \
     starting with a letter or digit";

/// Credential and integration names. They are identifiers people type, scripts pass and
/// tables, reports and audit entries show, so they are kept to a small alphabet that is
/// never a path (no `/`, `\`, no leading `.` so never `..`), never reorders text on a
/// terminal (no bidi or other invisible characters) and never needs quoting in a shell.
/// Files Keyward writes are named by the credential's id, not by this, but the rule
/// keeps a name from ever being mistaken for one. Names stored before the rule existed
/// still load, list and can be renamed or removed: only new names are checked.
pub(crate) fn name(field: &str, value: &str) -> Result<()> {
    if is_safe_name(value) {
        return Ok(());
    }
    let shown = value.escape_default().to_string();
    let mut problem = format!("`{shown}` is refused: {NAME_RULE}");
    if let Some(suggestion) = safe_name(value).filter(|suggestion| suggestion != value) {
        problem.push_str(&format!(" (for example `{suggestion}`)"));
    }
    Err(Error::invalid(field, problem))
}

/// Whether `value` follows [`NAME_RULE`].
pub fn is_safe_name(value: &str) -> bool {
    let mut chars = value.chars();
    value.len() <= NAME_MAX
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A name following [`NAME_RULE`] made from `value`, offered when an imported title such
/// as `GitHub Token (ci)` is refused: runs of other characters become one `-`, leading
/// punctuation goes, and it is cut to [`NAME_MAX`]. `None` when nothing usable is left.
pub fn safe_name(value: &str) -> Option<String> {
    let mut out = String::new();
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let mut cut: String = trimmed.chars().take(NAME_MAX).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    (!cut.is_empty()).then_some(cut)
}

/// Free-text labels (provider, owner): printable, no leading or trailing space, at most
/// 128 characters. Looser than [`name`] because people write team names with spaces and
/// these never name anything Keyward looks up or stores under.
pub(crate) fn label(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > 128 {
        return Err(Error::invalid(
            field,
            format!("`{value}` is longer than 128 characters"),
        ));
    }
    if value.trim() != value
        || value
            .chars()
            .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` has leading/trailing spaces, control or bidi characters",
                value.escape_default()
            ),
        ));
    }
    Ok(())
}

/// Bidi embedding/override/isolate controls and zero-width characters: they change how
/// surrounding text displays without showing themselves.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A host a credential may be sent to: a DNS name (optionally `*.` wildcard), an IPv4
/// address, or a bracket-less IPv6 address.
pub(crate) fn host(value: &str) -> Result<String> {
    let lowered = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let bare = lowered.strip_prefix("*.").unwrap_or(&lowered);
    let is_ip = bare.parse::<std::net::IpAddr>().is_ok();
    let is_dns = !bare.is_empty()
        && bare.len() <= 253
        && bare.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !(is_ip || is_dns) || (is_ip && lowered.starts_with("*.")) {
        return Err(Error::invalid(
            "host",
            format!("`{value}` is not a host name or IP address"),
        ));
    }
    Ok(lowered)
}

/// An endpoint or token URL: absolute http(s) with a host.
pub(crate) fn url(field: &str, value: &str) -> Result<url::Url> {
    let parsed = url::Url::parse(value)
        .map_err(|error| Error::invalid(field, format!("`{value}` is not a URL: {error}")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(Error::invalid(
            field,
            format!("`{value}` must be an http or https URL"),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(field, format!("`{value}` has no host")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid(
            field,
            "URLs with embedded user or password are refused: store the credential separately",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised_and_checked() {
        assert_eq!(host("API.Example.com.").unwrap(), "api.example.com");
        assert_eq!(host("*.example.com").unwrap(), "*.example.com");
        assert_eq!(host("127.0.0.1").unwrap(), "127.0.0.1");
        for bad in [
            "",
            "exa mple.com",
            "-a.com",
            "a..b",
            "*.127.0.0.1",
            "http://x",
        ] {
            assert!(host(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_follow_the_safe_alphabet() {
        for good in [
            "github-ci",
            "STRIPE_API_KEY",
            "a",
            "v1.2_x-y",
            &"a".repeat(64),
        ] {
            assert!(name("name", good).is_ok(), "{good:?} should be accepted");
        }
        for bad in [
            "",
            "../../x",
            "/abs/x",
            "a/b",
            "a\\b",
            ".hidden",
            "-flag",
            "_x",
            "with space",
            "evil\u{202E}txt",
            "caf\u{e9}",
            &"a".repeat(65),
        ] {
            let error = name("name", bad).unwrap_err().to_string();
            assert!(error.contains(NAME_RULE), "{bad:?}: {error}");
        }
        let error = name("name", "../../x").unwrap_err().to_string();
        assert!(error.contains("for example `x`"), "{error}");
    }

    #[test]
    fn safe_names_are_offered_for_titles() {
        assert_eq!(
            safe_name("GitHub Token (ci)").as_deref(),
            Some("GitHub-Token-ci")
        );
        assert_eq!(safe_name("../../etc/passwd").as_deref(), Some("etc-passwd"));
        assert_eq!(safe_name("\u{202E}"), None);
        let long = safe_name(&"x".repeat(100)).unwrap();
        assert_eq!(long.len(), NAME_MAX);
        assert!(is_safe_name(&safe_name("..a b\u{202E}c").unwrap()));
    }

    #[test]
    fn labels_refuse_bidi_controls_but_allow_spaces() {
        assert!(label("owner", "Payments Team").is_ok());
        assert!(label("owner", "evil\u{202E}").is_err());
        assert!(label("owner", " x").is_err());
    }

    #[test]
    fn urls_must_be_http_and_carry_no_password() {
        assert!(url("endpoint", "https://api.example.com/v1").is_ok());
        assert!(url("endpoint", "ftp://x.example").is_err());
        let error = url("endpoint", "https://user:pw@api.example.com").unwrap_err();
        assert!(
            !error.to_string().contains("pw@"),
            "the error must not echo the password"
        );
    }
}
