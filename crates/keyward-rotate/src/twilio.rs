//! Twilio API keys, from Twilio's REST API reference: `POST
//! /2010-04-01/Accounts/{AccountSid}/Keys.json` creates a key and returns its `sid` and
//! `secret` (the only time the secret is shown); `DELETE .../Keys/{sid}.json` deletes
//! one. Verification fetches the account (`GET /2010-04-01/Accounts/{AccountSid}.json`)
//! with the new key. Only Main keys may manage keys.
//!
//! The credential's value is `KEY_SID:SECRET`; the account SID is the setup's `account`.

use reqwest::Method;

use super::RotateError;
use super::adapter::{Adapter, AdapterContext, Lifecycle, NewKey, base_url, split_pair};
use super::http::{ProviderClient, error_message};
use super::provider_host;
use keyward_model::{Credential, SecretValue};

const PROVIDER: &str = "Twilio";
const DEFAULT_URL: &str = "https://api.twilio.com";
const SHAPE: &str = "KEY_SID:SECRET";

pub(crate) struct Twilio {
    client: ProviderClient,
    account_url: String,
}

impl Twilio {
    pub fn new(credential: &Credential, setup: &super::RotationSetup) -> Result<Self, RotateError> {
        let account = setup
            .account
            .as_deref()
            .ok_or_else(|| RotateError::Unsupported {
                credential: credential.name.clone(),
                method: "twilio".into(),
                reason: "the Twilio account SID is needed (set it as the rotation account)".into(),
            })?;
        Ok(Self {
            client: ProviderClient::new(
                PROVIDER,
                credential,
                provider_host("twilio"),
                setup.ca_file.as_deref(),
                setup.timeout_ms,
            )?,
            account_url: format!(
                "{}/2010-04-01/Accounts/{}",
                base_url(setup, DEFAULT_URL),
                super::sigv4::uri_encode(account)
            ),
        })
    }

    fn delete_key(
        &self,
        credential: &Credential,
        sid: &str,
        signer: &SecretValue,
    ) -> Result<(), RotateError> {
        let (user, password) = split_pair(credential, signer, SHAPE)?;
        let request = self
            .client
            .request(
                Method::DELETE,
                &format!(
                    "{}/Keys/{}.json",
                    self.account_url,
                    super::sigv4::uri_encode(sid)
                ),
            )?
            .basic_auth(user, Some(password));
        let reply = self.client.send("key delete", request)?;
        // 404: deleted before an interruption.
        if reply.is_success() || reply.status == 404 {
            return Ok(());
        }
        Err(self
            .client
            .failure("key delete", &reply, error_message(&reply.body)))
    }
}

impl Adapter for Twilio {
    fn lifecycle(&self) -> Lifecycle {
        Lifecycle::Replace
    }

    fn describe(&self, _: &AdapterContext<'_>) -> [String; 3] {
        [
            format!("POST {}/Keys.json", self.account_url),
            format!("GET {}.json with the new key", self.account_url),
            format!("DELETE {}/Keys/{{old sid}}.json", self.account_url),
        ]
    }

    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError> {
        let (user, password) = split_pair(context.credential, current, SHAPE)?;
        let name = format!(
            "{} (keyward {})",
            context.credential.name,
            context.now.format("%Y-%m-%d")
        );
        let request = self
            .client
            .request(Method::POST, &format!("{}/Keys.json", self.account_url))?
            .basic_auth(user, Some(password))
            .form(&[("FriendlyName", name.as_str())]);
        let reply = self.client.send("key create", request)?;
        if !reply.is_success() {
            return Err(self
                .client
                .failure("key create", &reply, error_message(&reply.body)));
        }
        let json = reply.json(PROVIDER, "key create")?;
        let field = |name: &str| {
            json.get(name)
                .and_then(|value| value.as_str())
                .map(str::to_owned)
                .ok_or_else(|| RotateError::Malformed {
                    provider: PROVIDER,
                    action: "key create".into(),
                    detail: format!("no `{name}` in the response"),
                })
        };
        let sid = field("sid")?;
        let secret = zeroize::Zeroizing::new(field("secret")?);
        Ok(NewKey {
            value: SecretValue::from_string(format!("{sid}:{}", secret.as_str())),
            id: Some(sid),
        })
    }

    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError> {
        let (user, password) = split_pair(context.credential, &new.value, SHAPE)?;
        let request = self
            .client
            .request(Method::GET, &format!("{}.json", self.account_url))?
            .basic_auth(user, Some(password));
        let reply = self.client.send("account fetch", request)?;
        if reply.is_success() {
            return Ok(());
        }
        Err(RotateError::VerificationFailed {
            credential: context.credential.name.clone(),
            detail: format!(
                "Twilio answered HTTP {}: {}",
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
        match &new.id {
            Some(sid) => self.delete_key(context.credential, sid, current),
            None => Ok(()),
        }
    }

    fn retire_old(
        &self,
        context: &AdapterContext<'_>,
        old: &NewKey,
        new: &SecretValue,
    ) -> Result<(), RotateError> {
        match &old.id {
            Some(sid) => self.delete_key(context.credential, sid, new),
            None => Ok(()),
        }
    }

    fn key_id_of(&self, _: &AdapterContext<'_>, value: &SecretValue) -> Option<String> {
        value
            .expose_str()
            .and_then(|text| text.split_once(':'))
            .map(|(id, _)| id.to_owned())
    }
}
