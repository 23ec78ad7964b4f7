//! The `http` adapter: a TOML recipe of the requests that create, verify and revoke a key
//! at any API with rotation endpoints.
//!
//! ```toml
//! # Optional: the provider's id of the current key, when `revoke` needs `{{id}}` and the
//! # first rotation cannot learn it from a previous one.
//! current_id = "key_123"
//! # Optional: `true` when `create` replaces the value in place (no rollback afterwards).
//! roll = false
//!
//! [create]
//! method = "POST"
//! url = "https://api.example.com/v1/keys"
//! headers = { Authorization = "Bearer {{current}}", "Content-Type" = "application/json" }
//! body = '{"name": "{{name}} {{date}}"}'
//! secret_pointer = "/key/secret"   # JSON pointer to the new secret in the response
//! id_pointer = "/key/id"           # optional JSON pointer to the new key's id
//!
//! [verify]
//! method = "GET"
//! url = "https://api.example.com/v1/me"
//! headers = { Authorization = "Bearer {{new}}" }
//! expect_status = [200]            # optional; default any 2xx
//!
//! [revoke]                         # optional; without it nothing is revoked
//! method = "DELETE"
//! url = "https://api.example.com/v1/keys/{{id}}"
//! headers = { Authorization = "Bearer {{auth}}" }
//! ```
//!
//! Templates: `{{current}}` the current secret, `{{current_id}}` its id, `{{name}}` the
//! credential's name, `{{date}}` today (UTC, `YYYY-MM-DD`); in `verify` also `{{new}}` and
//! `{{new_id}}`; in `revoke`, `{{id}}` and `{{secret}}` name the key being revoked and
//! `{{auth}}` the secret that authenticates the call (the current one when a rollback
//! revokes the new key, the new one when the old key is retired). Values are inserted
//! as they are; secrets go only to the credential's allowed hosts, over https.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;

use super::RotateError;
use super::adapter::{Adapter, AdapterContext, Lifecycle, NewKey};
use super::http::{ProviderClient, error_message};
use super::types::RotationSetup;
use keyward_model::{Credential, SecretValue};

const PROVIDER: &str = "recipe";

/// A parsed, checked recipe.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    #[serde(default)]
    pub current_id: Option<String>,
    #[serde(default)]
    pub roll: bool,
    pub create: CreateRequest,
    pub verify: VerifyRequest,
    #[serde(default)]
    pub revoke: Option<RequestTemplate>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestTemplate {
    #[serde(default = "default_method")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateRequest {
    #[serde(flatten)]
    pub request: RequestTemplate,
    pub secret_pointer: String,
    #[serde(default)]
    pub id_pointer: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VerifyRequest {
    #[serde(flatten)]
    pub request: RequestTemplate,
    #[serde(default)]
    pub expect_status: Vec<u16>,
}

fn default_method() -> String {
    "GET".into()
}

const ALWAYS: &[&str] = &["current", "current_id", "name", "date"];

impl Recipe {
    /// Parses and checks a recipe: methods, JSON pointers and every `{{variable}}` must be
    /// known, so a typo is found when the rotation is set up, not halfway through one.
    pub fn parse(text: &str) -> Result<Self, RotateError> {
        // serde's flatten and deny_unknown_fields do not combine; unknown keys inside
        // sections are checked by hand below.
        let recipe: Recipe = toml::from_str(text).map_err(|error| RotateError::Recipe {
            field: "toml".into(),
            problem: error.to_string(),
        })?;
        let table: toml::Table = toml::from_str(text).map_err(|error| RotateError::Recipe {
            field: "toml".into(),
            problem: error.to_string(),
        })?;
        for (section, extra) in [
            ("create", &["secret_pointer", "id_pointer"][..]),
            ("verify", &["expect_status"][..]),
            ("revoke", &[][..]),
        ] {
            if let Some(toml::Value::Table(fields)) = table.get(section) {
                for key in fields.keys() {
                    if !["method", "url", "headers", "body"].contains(&key.as_str())
                        && !extra.contains(&key.as_str())
                    {
                        return Err(RotateError::Recipe {
                            field: format!("{section}.{key}"),
                            problem: "unknown field".into(),
                        });
                    }
                }
            }
        }
        recipe.create.request.check("create", ALWAYS)?;
        recipe
            .verify
            .request
            .check("verify", &[ALWAYS, &["new", "new_id"]].concat())?;
        if let Some(revoke) = &recipe.revoke {
            revoke.check(
                "revoke",
                &[ALWAYS, &["id", "secret", "auth", "new", "new_id"]].concat(),
            )?;
        }
        for (field, pointer) in [
            ("create.secret_pointer", Some(&recipe.create.secret_pointer)),
            ("create.id_pointer", recipe.create.id_pointer.as_ref()),
        ] {
            if let Some(pointer) = pointer
                && !pointer.is_empty()
                && !pointer.starts_with('/')
            {
                return Err(RotateError::Recipe {
                    field: field.into(),
                    problem: format!("`{pointer}` is not a JSON pointer (it must start with `/`)"),
                });
            }
        }
        Ok(recipe)
    }

    pub(crate) fn into_adapter(
        self,
        credential: &Credential,
        setup: &RotationSetup,
    ) -> Result<RecipeAdapter, RotateError> {
        Ok(RecipeAdapter {
            client: ProviderClient::new(
                PROVIDER,
                credential,
                None,
                setup.ca_file.as_deref(),
                setup.timeout_ms,
            )?,
            recipe: self,
        })
    }
}

impl RequestTemplate {
    fn check(&self, section: &str, allowed: &[&str]) -> Result<(), RotateError> {
        Method::from_bytes(self.method.to_ascii_uppercase().as_bytes()).map_err(|_| {
            RotateError::Recipe {
                field: format!("{section}.method"),
                problem: format!("`{}` is not an HTTP method", self.method),
            }
        })?;
        let texts = std::iter::once(("url".to_owned(), &self.url))
            .chain(
                self.headers
                    .iter()
                    .map(|(name, value)| (format!("headers.{name}"), value)),
            )
            .chain(self.body.iter().map(|body| ("body".to_owned(), body)));
        for (field, text) in texts {
            for variable in variables(text) {
                if !allowed.contains(&variable.as_str()) {
                    return Err(RotateError::Recipe {
                        field: format!("{section}.{field}"),
                        problem: format!(
                            "unknown template variable `{{{{{variable}}}}}`; known here: {}",
                            allowed.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    fn uses(&self, variable: &str) -> bool {
        let needle = format!("{{{{{variable}}}}}");
        self.url.contains(&needle)
            || self.headers.values().any(|value| value.contains(&needle))
            || self
                .body
                .as_ref()
                .is_some_and(|body| body.contains(&needle))
    }
}

fn variables(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        found.push(after[..end].trim().to_owned());
        rest = &after[end + 2..];
    }
    found
}

/// Template values for one request; secrets stay in zeroized strings.
struct Values(Vec<(&'static str, zeroize::Zeroizing<String>)>);

impl Values {
    fn new(context: &AdapterContext<'_>, current_id: Option<&str>) -> Self {
        Self(vec![
            (
                "name",
                zeroize::Zeroizing::new(context.credential.name.clone()),
            ),
            (
                "date",
                zeroize::Zeroizing::new(context.now.format("%Y-%m-%d").to_string()),
            ),
            (
                "current_id",
                zeroize::Zeroizing::new(current_id.unwrap_or_default().to_owned()),
            ),
        ])
    }

    fn with(mut self, name: &'static str, value: &str) -> Self {
        self.0
            .push((name, zeroize::Zeroizing::new(value.to_owned())));
        self
    }

    fn render(&self, text: &str) -> zeroize::Zeroizing<String> {
        let mut out = zeroize::Zeroizing::new(text.to_owned());
        for (name, value) in &self.0 {
            let needle = format!("{{{{{name}}}}}");
            if out.contains(&needle) {
                *out = out.replace(&needle, value);
            }
        }
        out
    }
}

fn text_of(value: &SecretValue) -> &str {
    value.expose_str().unwrap_or_default()
}

pub(crate) struct RecipeAdapter {
    client: ProviderClient,
    recipe: Recipe,
}

impl RecipeAdapter {
    fn send(
        &self,
        action: &str,
        template: &RequestTemplate,
        values: &Values,
    ) -> Result<super::http::Reply, RotateError> {
        let method = Method::from_bytes(template.method.to_ascii_uppercase().as_bytes())
            .expect("checked at parse");
        let url = values.render(&template.url);
        let mut request = self.client.request(method, &url)?;
        for (name, value) in &template.headers {
            request = request.header(name.as_str(), values.render(value).as_str());
        }
        if let Some(body) = &template.body {
            request = request.body(values.render(body).to_string());
        }
        self.client.send(action, request)
    }

    fn current_id(&self, context: &AdapterContext<'_>) -> Option<String> {
        context
            .setup
            .key_id
            .clone()
            .or_else(|| self.recipe.current_id.clone())
    }

    fn revoke(
        &self,
        context: &AdapterContext<'_>,
        key: &NewKey,
        auth: &SecretValue,
        new: Option<&NewKey>,
    ) -> Result<(), RotateError> {
        let Some(revoke) = &self.recipe.revoke else {
            return Ok(());
        };
        if revoke.uses("id") && key.id.is_none() {
            return Err(RotateError::Recipe {
                field: "revoke".into(),
                problem: "uses `{{id}}` but the key's id is unknown (set `current_id`, or `create.id_pointer`)".into(),
            });
        }
        let current_id = self.current_id(context);
        let mut values = Values::new(context, current_id.as_deref())
            .with("id", key.id.as_deref().unwrap_or_default())
            .with("secret", text_of(&key.value))
            .with("auth", text_of(auth));
        if let Some(new) = new {
            values = values
                .with("new", text_of(&new.value))
                .with("new_id", new.id.as_deref().unwrap_or_default());
        }
        let reply = self.send("revoke", revoke, &values)?;
        // 404/410: already revoked before an interruption.
        if reply.is_success() || reply.status == 404 || reply.status == 410 {
            return Ok(());
        }
        Err(self
            .client
            .failure("revoke", &reply, error_message(&reply.body)))
    }
}

impl Adapter for RecipeAdapter {
    fn lifecycle(&self) -> Lifecycle {
        if self.recipe.roll {
            Lifecycle::Roll
        } else {
            Lifecycle::Replace
        }
    }

    fn describe(&self, _: &AdapterContext<'_>) -> [String; 3] {
        let line = |template: &RequestTemplate| {
            format!("{} {}", template.method.to_ascii_uppercase(), template.url)
        };
        [
            line(&self.recipe.create.request),
            line(&self.recipe.verify.request),
            self.recipe
                .revoke
                .as_ref()
                .map(line)
                .unwrap_or_else(|| "nothing: the recipe has no revoke request".into()),
        ]
    }

    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError> {
        let current_id = self.current_id(context);
        let values = Values::new(context, current_id.as_deref()).with("current", text_of(current));
        let reply = self.send("create", &self.recipe.create.request, &values)?;
        if !reply.is_success() {
            return Err(self
                .client
                .failure("create", &reply, error_message(&reply.body)));
        }
        let json = reply.json(PROVIDER, "create")?;
        let malformed = |detail: String| RotateError::Malformed {
            provider: PROVIDER,
            action: "create".into(),
            detail,
        };
        let secret = match json.pointer(&self.recipe.create.secret_pointer) {
            Some(serde_json::Value::String(secret)) if !secret.is_empty() => secret.clone(),
            _ => {
                return Err(malformed(format!(
                    "no string at `{}` in the response",
                    self.recipe.create.secret_pointer
                )));
            }
        };
        let id = match &self.recipe.create.id_pointer {
            Some(pointer) => match json.pointer(pointer) {
                Some(serde_json::Value::String(id)) => Some(id.clone()),
                Some(serde_json::Value::Number(id)) => Some(id.to_string()),
                _ => return Err(malformed(format!("no id at `{pointer}` in the response"))),
            },
            None => None,
        };
        Ok(NewKey {
            id,
            value: SecretValue::from_string(secret),
        })
    }

    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError> {
        let current_id = self.current_id(context);
        let values = Values::new(context, current_id.as_deref())
            .with("new", text_of(&new.value))
            .with("new_id", new.id.as_deref().unwrap_or_default());
        let reply = self.send("verify", &self.recipe.verify.request, &values)?;
        let expected = &self.recipe.verify.expect_status;
        let accepted = if expected.is_empty() {
            reply.is_success()
        } else {
            expected.contains(&reply.status)
        };
        if accepted {
            return Ok(());
        }
        Err(RotateError::VerificationFailed {
            credential: context.credential.name.clone(),
            detail: format!(
                "the verify request answered HTTP {}: {}",
                reply.status,
                error_message(&reply.body)
            ),
        })
    }

    fn revoke_new(
        &self,
        context: &AdapterContext<'_>,
        new: &NewKey,
        current: &SecretValue,
    ) -> Result<(), RotateError> {
        if self.recipe.roll {
            return Ok(());
        }
        self.revoke(context, new, current, Some(new))
    }

    fn retire_old(
        &self,
        context: &AdapterContext<'_>,
        old: &NewKey,
        new: &SecretValue,
    ) -> Result<(), RotateError> {
        if self.recipe.roll {
            return Ok(());
        }
        let new_key = NewKey {
            id: None,
            value: new.clone(),
        };
        self.revoke(context, old, new, Some(&new_key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECIPE: &str = r#"
        [create]
        method = "POST"
        url = "https://api.example.com/keys"
        headers = { Authorization = "Bearer {{current}}" }
        secret_pointer = "/key/secret"
        id_pointer = "/key/id"
        [verify]
        url = "https://api.example.com/me"
        headers = { Authorization = "Bearer {{new}}" }
        [revoke]
        method = "DELETE"
        url = "https://api.example.com/keys/{{id}}"
        headers = { Authorization = "Bearer {{auth}}" }
    "#;

    #[test]
    fn a_valid_recipe_parses() {
        let recipe = Recipe::parse(RECIPE).unwrap();
        assert_eq!(recipe.create.secret_pointer, "/key/secret");
        assert!(recipe.revoke.unwrap().uses("id"));
    }

    #[test]
    fn typos_are_found_when_the_recipe_is_read() {
        let error = Recipe::parse(&RECIPE.replace("{{new}}", "{{nwe}}"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("verify.headers.Authorization") && error.contains("nwe"),
            "{error}"
        );
        let error = Recipe::parse(&RECIPE.replace(
            "secret_pointer = \"/key/secret\"",
            "secret_pointer = \"key.secret\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(error.contains("create.secret_pointer"), "{error}");
        let error = Recipe::parse(&RECIPE.replace("id_pointer", "idpointer"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("create.idpointer"), "{error}");
        let error = Recipe::parse(&RECIPE.replace("[verify]", "[verify]\nmethod = \"GE T\""))
            .unwrap_err()
            .to_string();
        assert!(error.contains("verify.method"), "{error}");
    }
}
