//! Cloudflare API tokens, from the Cloudflare API reference: `PUT
//! /user/tokens/{id}/value` ("Roll Token") replaces a token's secret and returns the new
//! one in `result`; the old secret stops working at once, so this adapter rolls forward
//! ([`Lifecycle::Roll`]). The token's id comes from the setup or from `GET
//! /user/tokens/verify`, which also verifies the new value. Account-owned tokens use
//! `/accounts/{account}/tokens/...` when the setup names the account.

use reqwest::Method;

use super::RotateError;
use super::adapter::{Adapter, AdapterContext, Lifecycle, NewKey, base_url};
use super::http::{ProviderClient, Reply, error_message};
use super::provider_host;
use keyward_model::{Credential, SecretValue};

const PROVIDER: &str = "Cloudflare";
const DEFAULT_URL: &str = "https://api.cloudflare.com/client/v4";

pub(crate) struct Cloudflare {
    client: ProviderClient,
    tokens: String,
}

impl Cloudflare {
    pub fn new(credential: &Credential, setup: &super::RotationSetup) -> Result<Self, RotateError> {
        let base = base_url(setup, DEFAULT_URL);
        let tokens = match &setup.account {
            Some(account) => format!(
                "{base}/accounts/{}/tokens",
                super::sigv4::uri_encode(account)
            ),
            None => format!("{base}/user/tokens"),
        };
        Ok(Self {
            client: ProviderClient::new(
                PROVIDER,
                credential,
                provider_host("cloudflare"),
                setup.ca_file.as_deref(),
                setup.timeout_ms,
            )?,
            tokens,
        })
    }

    fn call(
        &self,
        action: &str,
        method: Method,
        url: &str,
        token: &SecretValue,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, RotateError> {
        let mut request = self
            .client
            .request(method, url)?
            .bearer_auth(token.expose_str().unwrap_or_default());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Reply = self.client.send(action, request)?;
        if !reply.is_success() {
            return Err(self
                .client
                .failure(action, &reply, error_message(&reply.body)));
        }
        let json = reply.json(PROVIDER, action)?;
        if json.get("success").and_then(|success| success.as_bool()) != Some(true) {
            return Err(self
                .client
                .failure(action, &reply, error_message(&reply.body)));
        }
        Ok(json)
    }

    fn verify_token(&self, token: &SecretValue) -> Result<serde_json::Value, RotateError> {
        self.call(
            "token verify",
            Method::GET,
            &format!("{}/verify", self.tokens),
            token,
            None,
        )
    }
}

impl Adapter for Cloudflare {
    fn lifecycle(&self) -> Lifecycle {
        Lifecycle::Roll
    }

    fn describe(&self, _: &AdapterContext<'_>) -> [String; 3] {
        [
            format!(
                "PUT {}/{{id}}/value (Cloudflare invalidates the current secret at once)",
                self.tokens
            ),
            format!("GET {}/verify with the new token", self.tokens),
            "nothing left to revoke: rolling replaced the old secret".into(),
        ]
    }

    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError> {
        let id = match &context.setup.key_id {
            Some(id) => id.clone(),
            None => {
                let json = self.verify_token(current)?;
                json.pointer("/result/id")
                    .and_then(|id| id.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| RotateError::Malformed {
                        provider: PROVIDER,
                        action: "token verify".into(),
                        detail: "no `result.id` in the response".into(),
                    })?
            }
        };
        let json = self.call(
            "token roll",
            Method::PUT,
            &format!("{}/{}/value", self.tokens, super::sigv4::uri_encode(&id)),
            current,
            Some(serde_json::json!({})),
        )?;
        let value = json
            .get("result")
            .and_then(|result| result.as_str())
            .ok_or_else(|| RotateError::Malformed {
                provider: PROVIDER,
                action: "token roll".into(),
                detail: "no token string in `result`".into(),
            })?;
        Ok(NewKey {
            id: Some(id),
            value: SecretValue::from_string(value.to_owned()),
        })
    }

    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError> {
        let failed = |detail: String| RotateError::VerificationFailed {
            credential: context.credential.name.clone(),
            detail,
        };
        let json = self
            .verify_token(&new.value)
            .map_err(|error| failed(error.to_string()))?;
        match json
            .pointer("/result/status")
            .and_then(|status| status.as_str())
        {
            Some("active") => Ok(()),
            other => Err(failed(format!(
                "Cloudflare reports the token as {}",
                other.unwrap_or("unknown")
            ))),
        }
    }
}
