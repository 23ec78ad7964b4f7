//! Checks on user-supplied names, hosts and URLs, shared by every way in (CLI flags,
//! app forms, importers) so that all of them refuse the same things with the same words.

use crate::{Error, Result};

/// Names appear in tables, file names of exports and keychain labels: printable, no
/// leading or trailing space, at most 128 characters.
pub(crate) fn name(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > 128 {
        return Err(Error::invalid(
            field,
            format!("`{value}` is longer than 128 characters"),
        ));
    }
    if value.trim() != value || value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` has leading/trailing spaces or control characters",
                value.escape_default()
            ),
        ));
    }
    Ok(())
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
