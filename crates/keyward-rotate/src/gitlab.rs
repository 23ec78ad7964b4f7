//! GitLab personal, project and group access tokens, from the GitLab REST API
//! documentation: `POST /personal_access_tokens/self/rotate` (or
//! `/projects/:id/access_tokens/self/rotate` for a project token) revokes the token that
//! authenticates the call and returns a new one with a new expiry. The old token dies at
//! that moment, so this adapter rolls forward ([`Lifecycle::Roll`]). Verification reads
//! `GET /personal_access_tokens/self` with the new token. The base URL (default
//! `https://gitlab.com`) points at self-hosted instances.

use reqwest::Method;

use super::RotateError;
use super::adapter::{Adapter, AdapterContext, Lifecycle, NewKey, base_url};
use super::http::{ProviderClient, error_message};
use super::provider_host;
use keyward_model::{Credential, SecretValue};

const PROVIDER: &str = "GitLab";
const DEFAULT_URL: &str = "https://gitlab.com";
/// GitLab's maximum token lifetime.
const MAX_DAYS: u32 = 365;
/// Used when the credential has no rotation period.
const DEFAULT_DAYS: u32 = 90;

pub(crate) struct Gitlab {
    client: ProviderClient,
    api: String,
    project: Option<String>,
}

impl Gitlab {
    pub fn new(credential: &Credential, setup: &super::RotationSetup) -> Result<Self, RotateError> {
        Ok(Self {
            client: ProviderClient::new(
                PROVIDER,
                credential,
                provider_host("gitlab"),
                setup.ca_file.as_deref(),
                setup.timeout_ms,
            )?,
            api: format!("{}/api/v4", base_url(setup, DEFAULT_URL)),
            project: setup.account.clone(),
        })
    }

    fn rotate_url(&self) -> String {
        match &self.project {
            Some(project) => format!(
                "{}/projects/{}/access_tokens/self/rotate",
                self.api,
                super::sigv4::uri_encode(project)
            ),
            None => format!("{}/personal_access_tokens/self/rotate", self.api),
        }
    }
}

impl Adapter for Gitlab {
    fn lifecycle(&self) -> Lifecycle {
        Lifecycle::Roll
    }

    fn describe(&self, _: &AdapterContext<'_>) -> [String; 3] {
        [
            format!(
                "POST {} (GitLab revokes the current token at once)",
                self.rotate_url()
            ),
            format!(
                "GET {}/personal_access_tokens/self with the new token",
                self.api
            ),
            "nothing left to revoke: GitLab revoked the old token when it issued the new one"
                .into(),
        ]
    }

    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError> {
        let days = context
            .credential
            .rotate_every_days
            .unwrap_or(DEFAULT_DAYS)
            .min(MAX_DAYS);
        let expires_at = (context.now + chrono::Duration::days(i64::from(days)))
            .format("%Y-%m-%d")
            .to_string();
        let token = current
            .expose_str()
            .ok_or_else(|| RotateError::Other("the GitLab token is not text".into()))?;
        let request = self
            .client
            .request(Method::POST, &self.rotate_url())?
            .header("PRIVATE-TOKEN", token)
            .json(&serde_json::json!({ "expires_at": expires_at }));
        let reply = self.client.send("token rotate", request)?;
        if !reply.is_success() {
            return Err(self
                .client
                .failure("token rotate", &reply, error_message(&reply.body)));
        }
        let json = reply.json(PROVIDER, "token rotate")?;
        let value = json
            .get("token")
            .and_then(|token| token.as_str())
            .ok_or_else(|| RotateError::Malformed {
                provider: PROVIDER,
                action: "token rotate".into(),
                detail: "no `token` in the response".into(),
            })?;
        Ok(NewKey {
            id: json
                .get("id")
                .map(|id| id.to_string().trim_matches('"').to_owned()),
            value: SecretValue::from_string(value.to_owned()),
        })
    }

    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError> {
        let token = new.value.expose_str().unwrap_or_default();
        let request = self
            .client
            .request(
                Method::GET,
                &format!("{}/personal_access_tokens/self", self.api),
            )?
            .header("PRIVATE-TOKEN", token);
        let reply = self.client.send("token check", request)?;
        let failed = |detail: String| RotateError::VerificationFailed {
            credential: context.credential.name.clone(),
            detail,
        };
        if !reply.is_success() {
            return Err(failed(format!(
                "GitLab answered HTTP {}: {}",
                reply.status,
                error_message(&reply.body)
            )));
        }
        let json = reply.json(PROVIDER, "token check")?;
        match json.get("active").and_then(|active| active.as_bool()) {
            Some(true) => Ok(()),
            _ => Err(failed("GitLab reports the new token as inactive".into())),
        }
    }
}
