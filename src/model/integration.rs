//! Integrations (a service a team talks to) and their endpoints.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Prod,
    Staging,
    Dev,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prod => "prod",
            Self::Staging => "staging",
            Self::Dev => "dev",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "prod" | "production" => Ok(Self::Prod),
            "staging" | "stage" => Ok(Self::Staging),
            "dev" | "development" => Ok(Self::Dev),
            _ => Err(format!(
                "unknown environment `{text}`; expected prod, staging or dev"
            )),
        }
    }
}

/// How an endpoint expects its credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "method", content = "name", rename_all = "kebab-case")]
pub enum AuthMethod {
    /// A header carrying the raw value, e.g. `X-Api-Key`.
    Header(String),
    Bearer,
    Basic,
    /// A query parameter; a finding in itself, since URLs end up in logs.
    Query(String),
    Mtls,
    None,
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(name) => write!(formatter, "header:{name}"),
            Self::Bearer => formatter.write_str("bearer"),
            Self::Basic => formatter.write_str("basic"),
            Self::Query(name) => write!(formatter, "query:{name}"),
            Self::Mtls => formatter.write_str("mtls"),
            Self::None => formatter.write_str("none"),
        }
    }
}

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
    use super::*;

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
