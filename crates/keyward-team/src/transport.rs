//! How a team database is reached: verified TLS unless the user explicitly says
//! otherwise, decided before anything (the password above all) is sent.
//!
//! libpq's `sslmode` values, as Keyward reads them:
//!
//! - none, `allow`, `prefer`: verified TLS (`verify-full`: the certificate chains to the
//!   platform trust store or `--ca`, and names the host). Only when every host is on
//!   this machine (a loopback address, `localhost`, a unix socket) may a server that
//!   offers no TLS be spoken to in clear; a server that offers TLS is still verified.
//! - `require`, `verify-ca`, `verify-full`: verified TLS, always, even to loopback.
//!   libpq's `require` encrypts without checking who answers, which hands the password
//!   to anyone in the path; Keyward never sets up such a connection, so `require` and
//!   `verify-ca` mean `verify-full` here (a server with a private CA needs `--ca`).
//! - `disable`: plain text, as asked; a warning names the host when it is not this
//!   machine.
//!
//! TLS is negotiated (the `SSLRequest`) before the startup message, and the password
//! goes only in answer to the server's authentication request after it, so a refused
//! connection has sent neither the user's password nor any row.

use std::net::IpAddr;

use tokio_postgres::config::{Host, SslMode};

use crate::redact::{is_conninfo, percent_decoded, setting_at};

/// What the user's `sslmode` asks for (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Security {
    /// No `sslmode`, `allow` or `prefer`.
    Default,
    /// `require`, `verify-ca` or `verify-full`.
    Verified,
    /// `disable`.
    Plain,
}

/// `target` with its `sslmode` rewritten to the value tokio-postgres knows (it has no
/// `verify-*` or `allow`), and what the user asked for. `Err` carries an unknown value.
pub(crate) fn read_sslmode(target: &str) -> Result<(String, Security), String> {
    let target = target.trim();
    if is_conninfo(target) {
        return rewrite_conninfo(target);
    }
    let Some(query_start) = target.find('?') else {
        return Ok((target.to_owned(), Security::Default));
    };
    let (location, query) = target.split_at(query_start);
    let mut security = Security::Default;
    let mut parameters = Vec::new();
    for parameter in query[1..].split('&') {
        match parameter.split_once('=') {
            Some((key, value)) if percent_decoded(key).trim() == "sslmode" => {
                let (asked, known) = sslmode(&percent_decoded(value))?;
                security = asked;
                parameters.push(format!("{key}={known}"));
            }
            _ => parameters.push(parameter.to_owned()),
        }
    }
    Ok((format!("{location}?{}", parameters.join("&")), security))
}

fn rewrite_conninfo(target: &str) -> Result<(String, Security), String> {
    let mut security = Security::Default;
    let mut out = String::with_capacity(target.len());
    let mut index = 0;
    while index < target.len() {
        if target.as_bytes()[index].is_ascii_whitespace() {
            out.push(target.as_bytes()[index] as char);
            index += 1;
            continue;
        }
        let Some(setting) = setting_at(target, index) else {
            // `is_conninfo` said every word is a setting.
            out.push_str(&target[index..]);
            break;
        };
        if setting.key == "sslmode" {
            let (asked, known) = sslmode(&unquoted(&target[setting.value_start..setting.end]))?;
            security = asked;
            out.push_str(&target[index..setting.value_start]);
            out.push_str(known);
        } else {
            out.push_str(&target[index..setting.end]);
        }
        index = setting.end;
    }
    Ok((out, security))
}

/// A `key=value` value without its quotes and escapes.
fn unquoted(value: &str) -> String {
    let inner = value
        .strip_prefix('\'')
        .map(|rest| rest.strip_suffix('\'').unwrap_or(rest))
        .unwrap_or(value);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// What an `sslmode` value asks for, and the value tokio-postgres is given for it.
fn sslmode(value: &str) -> Result<(Security, &'static str), String> {
    match value.trim() {
        "disable" => Ok((Security::Plain, "disable")),
        "allow" | "prefer" => Ok((Security::Default, "prefer")),
        "require" | "verify-ca" | "verify-full" => Ok((Security::Verified, "require")),
        other => Err(other.chars().take(32).collect()),
    }
}

/// Where one host of a target is, as far as plain text is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// A unix socket: PostgreSQL never offers TLS there, and nothing leaves the machine.
    Socket,
    /// A loopback address.
    Loopback,
    /// `localhost`, which must resolve to loopback addresses only.
    LocalName(String),
    /// Anywhere else.
    Remote(String),
}

/// Where each host of `config` is; a `hostaddr` decides over its host name, since
/// that is where the connection goes.
pub(crate) fn places(config: &tokio_postgres::Config) -> Vec<Place> {
    let hosts = config.get_hosts();
    let addresses = config.get_hostaddrs();
    (0..hosts.len().max(addresses.len()))
        .map(|index| match (addresses.get(index), hosts.get(index)) {
            (Some(address), _) => address_place(*address),
            #[cfg(unix)]
            (None, Some(Host::Unix(_))) => Place::Socket,
            (None, Some(Host::Tcp(name))) => {
                let bare = name.trim_start_matches('[').trim_end_matches(']');
                match bare.parse::<IpAddr>() {
                    Ok(address) => address_place(address),
                    Err(_) if is_localhost(bare) => Place::LocalName(bare.to_owned()),
                    Err(_) => Place::Remote(bare.to_owned()),
                }
            }
            (None, None) => Place::Remote(String::new()),
        })
        .collect()
}

fn address_place(address: IpAddr) -> Place {
    if address.to_canonical().is_loopback() {
        Place::Loopback
    } else {
        Place::Remote(address.to_string())
    }
}

fn is_localhost(name: &str) -> bool {
    name.trim_end_matches('.').eq_ignore_ascii_case("localhost")
}

/// How the connection is made, once the places are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// No TLS at all (`sslmode=disable`, or unix sockets only).
    Plain,
    /// Verified TLS if the server offers it, plain text if it does not (every host on
    /// this machine).
    TlsIfOffered,
    /// Verified TLS or nothing.
    Tls,
}

/// The plan for `security` to hosts at `places`, where `local_names` says whether
/// every `localhost` resolved to loopback addresses only.
pub(crate) fn plan(security: Security, places: &[Place], local_names: bool) -> Plan {
    let sockets_only = !places.is_empty() && places.iter().all(|place| *place == Place::Socket);
    let all_local = places.iter().all(|place| match place {
        Place::Socket | Place::Loopback => true,
        Place::LocalName(_) => local_names,
        Place::Remote(_) => false,
    });
    match security {
        Security::Plain => Plan::Plain,
        _ if sockets_only => Plan::Plain,
        Security::Verified => Plan::Tls,
        Security::Default if all_local => Plan::TlsIfOffered,
        Security::Default => Plan::Tls,
    }
}

impl Plan {
    pub(crate) fn ssl_mode(self) -> SslMode {
        match self {
            Plan::Plain => SslMode::Disable,
            Plan::TlsIfOffered => SslMode::Prefer,
            Plan::Tls => SslMode::Require,
        }
    }
}

/// The hosts of `places` that are not this machine, for the `sslmode=disable` warning.
pub(crate) fn remote_hosts(places: &[Place]) -> Vec<String> {
    places
        .iter()
        .filter_map(|place| match place {
            Place::Remote(host) => Some(host.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places_of(target: &str) -> Vec<Place> {
        let (rewritten, _) = read_sslmode(target).unwrap();
        places(&rewritten.parse().unwrap())
    }

    #[test]
    fn sslmode_values_map_to_what_keyward_does() {
        for (target, security, rewritten) in [
            ("postgres://u@h/db", Security::Default, "postgres://u@h/db"),
            (
                "postgres://u@h/db?sslmode=prefer",
                Security::Default,
                "postgres://u@h/db?sslmode=prefer",
            ),
            (
                "postgres://u@h/db?sslmode=allow&application_name=x",
                Security::Default,
                "postgres://u@h/db?sslmode=prefer&application_name=x",
            ),
            (
                "postgres://u@h/db?sslmode=verify-full",
                Security::Verified,
                "postgres://u@h/db?sslmode=require",
            ),
            (
                "postgres://u@h/db?%73slmode=verify-ca",
                Security::Verified,
                "postgres://u@h/db?%73slmode=require",
            ),
            (
                "postgres://u@h/db?sslmode=require&sslmode=disable",
                Security::Plain,
                "postgres://u@h/db?sslmode=require&sslmode=disable",
            ),
            (
                "host=h sslmode='verify-full' dbname=d",
                Security::Verified,
                "host=h sslmode=require dbname=d",
            ),
            (
                "host=h  sslmode = disable",
                Security::Plain,
                "host=h  sslmode = disable",
            ),
        ] {
            assert_eq!(
                read_sslmode(target),
                Ok((rewritten.to_owned(), security)),
                "{target}"
            );
            rewritten
                .parse::<tokio_postgres::Config>()
                .unwrap_or_else(|error| panic!("{rewritten}: tokio-postgres accepts it: {error}"));
        }
        assert_eq!(
            read_sslmode("postgres://u@h/db?sslmode=bogus"),
            Err("bogus".to_owned())
        );
    }

    #[test]
    fn only_this_machine_counts_as_local() {
        assert_eq!(places_of("postgres://u@127.0.0.1/db"), [Place::Loopback]);
        assert_eq!(places_of("postgres://u@127.8.9.10:5/db"), [Place::Loopback]);
        assert_eq!(places_of("postgres://u@[::1]:5/db"), [Place::Loopback]);
        assert_eq!(
            places_of("postgres://u@LocalHost/db"),
            [Place::LocalName("LocalHost".into())]
        );
        assert_eq!(
            places_of("postgres://u@198.51.100.7/db"),
            [Place::Remote("198.51.100.7".into())]
        );
        assert_eq!(
            places_of("postgres://u@db.example/db"),
            [Place::Remote("db.example".into())]
        );
        assert_eq!(
            places_of("postgres://u@localhost.evil.example/db"),
            [Place::Remote("localhost.evil.example".into())]
        );
        assert_eq!(places_of("postgres:///db?host=/run/pg"), [Place::Socket]);
        // The connection goes to hostaddr; the name is only for the certificate.
        assert_eq!(
            places_of("postgres://u@db.example/db?hostaddr=127.0.0.1"),
            [Place::Loopback]
        );
        assert_eq!(
            places_of("postgres://u@localhost/db?hostaddr=198.51.100.7"),
            [Place::Remote("198.51.100.7".into())]
        );
        assert_eq!(
            places_of("postgres://u@127.0.0.1,db.example/db"),
            [Place::Loopback, Place::Remote("db.example".into())]
        );
    }

    #[test]
    fn plain_text_only_to_this_machine_or_when_asked() {
        let remote = [Place::Remote("db.example".into())];
        let loopback = [Place::Loopback];
        let named = [Place::LocalName("localhost".into())];
        let socket = [Place::Socket];
        let mixed = [Place::Loopback, Place::Remote("db.example".into())];
        assert_eq!(plan(Security::Default, &remote, true), Plan::Tls);
        assert_eq!(plan(Security::Default, &mixed, true), Plan::Tls);
        assert_eq!(plan(Security::Default, &loopback, true), Plan::TlsIfOffered);
        assert_eq!(plan(Security::Default, &named, true), Plan::TlsIfOffered);
        assert_eq!(
            plan(Security::Default, &named, false),
            Plan::Tls,
            "a localhost that resolves elsewhere is not this machine"
        );
        assert_eq!(plan(Security::Default, &socket, true), Plan::Plain);
        assert_eq!(plan(Security::Verified, &loopback, true), Plan::Tls);
        assert_eq!(plan(Security::Verified, &socket, true), Plan::Plain);
        assert_eq!(plan(Security::Plain, &remote, true), Plan::Plain);
        assert_eq!(remote_hosts(&mixed), ["db.example"]);
    }
}
