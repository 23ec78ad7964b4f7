//! Integrations (a service a team talks to) and their endpoints.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// The lowercase names are stored in SQLite and are the CLI's `--env` values; the long
/// forms are accepted too because people type them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
#[strum(
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_environment
)]
pub enum Environment {
    #[strum(to_string = "prod", serialize = "production")]
    Prod,
    #[strum(to_string = "staging", serialize = "stage")]
    Staging,
    #[strum(to_string = "dev", serialize = "development")]
    Dev,
}

fn unknown_environment(text: &str) -> String {
    format!("unknown environment `{text}`; expected prod, staging or dev")
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How an endpoint expects its credential. The text form (`header:X-Api-Key`, `bearer`)
/// is the CLI's `--auth` value and is stored in SQLite.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, strum::Display)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "method", content = "name", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AuthMethod {
    /// A header carrying the raw value, e.g. `X-Api-Key`.
    #[strum(to_string = "header:{0}")]
    Header(String),
    Bearer,
    Basic,
    /// A query parameter; a finding in itself, since URLs end up in logs.
    #[strum(to_string = "query:{0}")]
    Query(String),
    Mtls,
    None,
}

// Written by hand: strum's `EnumString` matches whole strings only and would fill
// `header:NAME` and `query:NAME` with an empty name instead of reading it after the
// prefix.
impl FromStr for AuthMethod {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let named = |prefix: &str| {
            text.strip_prefix(prefix)
                .map(str::trim)
                .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
                .map(str::to_owned)
        };
        match text {
            "bearer" => Ok(Self::Bearer),
            "basic" => Ok(Self::Basic),
            "mtls" => Ok(Self::Mtls),
            "none" => Ok(Self::None),
            _ => {
                if let Some(name) = named("header:") {
                    Ok(Self::Header(name))
                } else if let Some(name) = named("query:") {
                    Ok(Self::Query(name))
                } else {
                    Err(format!(
                        "unknown auth method `{text}`; expected header:NAME, bearer, basic, query:NAME, mtls or none"
                    ))
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub auth: AuthMethod,
    pub credential: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Integration {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub owner: String,
    pub environment: Environment,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// OIDC issuer, for discovery checks.
    pub issuer: Option<String>,
    pub created_at: DateTime<Utc>,
    pub endpoints: Vec<Endpoint>,
}

impl Integration {
    /// Hosts of this integration's endpoints: the default allowed hosts of its credentials.
    pub fn endpoint_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .endpoints
            .iter()
            .filter_map(|endpoint| url::Url::parse(&endpoint.url).ok())
            .filter_map(|url| url.host_str().map(str::to_ascii_lowercase))
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewEndpoint {
    pub url: String,
    pub auth: AuthMethod,
    pub credential: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewIntegration {
    pub name: String,
    pub provider: String,
    pub owner: String,
    pub environment: Environment,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub issuer: Option<String>,
    pub endpoints: Vec<NewEndpoint>,
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn environments_round_trip_through_their_serde_names() {
        for environment in Environment::iter() {
            assert_eq!(
                serde_json::to_value(environment).unwrap(),
                environment.as_str()
            );
            assert_eq!(environment.to_string(), environment.as_str());
            assert_eq!(environment.as_str().parse::<Environment>(), Ok(environment));
        }
        assert_eq!("production".parse::<Environment>(), Ok(Environment::Prod));
        assert_eq!(Environment::Prod.as_str(), "prod");
        assert_eq!(
            "qa".parse::<Environment>(),
            Err("unknown environment `qa`; expected prod, staging or dev".to_owned())
        );
    }

    #[test]
    fn auth_methods_round_trip() {
        for text in [
            "header:X-Api-Key",
            "bearer",
            "basic",
            "query:key",
            "mtls",
            "none",
        ] {
            let method: AuthMethod = text.parse().unwrap();
            assert_eq!(method.to_string(), text);
        }
        assert!("header:".parse::<AuthMethod>().is_err());
        assert!(
            "cookie"
                .parse::<AuthMethod>()
                .unwrap_err()
                .contains("cookie")
        );
    }
}
