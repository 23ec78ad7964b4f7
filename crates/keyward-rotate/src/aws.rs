//! AWS IAM access keys, from the IAM and STS Query API references: `CreateAccessKey`
//! makes the new key, STS `GetCallerIdentity` proves it works, `UpdateAccessKey` sets the
//! old key `Inactive` after commit, and `DeleteAccessKey` removes it once the grace
//! period has passed (or removes the new key on rollback). IAM allows two access keys
//! per user, so a user whose previous rotation is still in its grace period gets
//! `LimitExceeded`, which is reported as such.
//!
//! The credential's value is `ACCESS_KEY_ID:SECRET_ACCESS_KEY`.

use reqwest::Method;

use super::RotateError;
use super::adapter::{Adapter, AdapterContext, Lifecycle, NewKey, base_url, split_pair};
use super::http::{ProviderClient, Reply, excerpt};
use super::sigv4::{SigningKey, sign_request};
use keyward_model::{Credential, SecretValue};

const PROVIDER: &str = "AWS";
const IAM_URL: &str = "https://iam.amazonaws.com";
const STS_URL: &str = "https://sts.amazonaws.com";
const SHAPE: &str = "ACCESS_KEY_ID:SECRET_ACCESS_KEY";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

pub(crate) struct Aws {
    client: ProviderClient,
    iam_url: String,
    sts_url: String,
    user: Option<String>,
    /// New IAM keys take a few seconds to be accepted everywhere; a custom endpoint
    /// (LocalStack, tests) is consistent at once and gets a single attempt.
    verify_attempts: u32,
}

impl Aws {
    pub fn new(credential: &Credential, setup: &super::RotationSetup) -> Result<Self, RotateError> {
        let client = ProviderClient::new(
            PROVIDER,
            credential,
            None,
            setup.ca_file.as_deref(),
            setup.timeout_ms,
        )?;
        let custom = setup.base_url.is_some();
        Ok(Self {
            client,
            iam_url: base_url(setup, IAM_URL),
            sts_url: base_url(setup, STS_URL),
            user: setup.account.clone(),
            verify_attempts: if custom { 1 } else { 8 },
        })
    }

    fn call(
        &self,
        endpoint: &str,
        service: &str,
        key: &SecretValue,
        credential: &Credential,
        params: &[(&str, &str)],
    ) -> Result<Reply, RotateError> {
        let (access_key_id, secret) = split_pair(credential, key, SHAPE)?;
        let action = params
            .iter()
            .find(|(name, _)| *name == "Action")
            .map(|(_, value)| *value)
            .unwrap_or("call");
        let body = params
            .iter()
            .map(|(name, value)| {
                format!(
                    "{}={}",
                    super::sigv4::uri_encode(name),
                    super::sigv4::uri_encode(value)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let url = format!("{endpoint}/");
        let parsed = url::Url::parse(&url)
            .map_err(|error| RotateError::Other(format!("AWS endpoint `{url}`: {error}")))?;
        let signing = SigningKey {
            access_key_id,
            secret_access_key: secret,
            region: "us-east-1",
            service,
        };
        let (amz_date, authorization) = sign_request(
            &signing,
            "POST",
            &parsed,
            FORM,
            body.as_bytes(),
            chrono::Utc::now(),
        );
        let request = self
            .client
            .request(Method::POST, &url)?
            .header("content-type", FORM)
            .header("x-amz-date", amz_date)
            .header("authorization", authorization)
            .body(body);
        let reply = self.client.send(action, request)?;
        if reply.is_success() {
            return Ok(reply);
        }
        let code = xml_text(&reply.body, "Code").unwrap_or_default();
        let message = xml_text(&reply.body, "Message").unwrap_or_else(|| excerpt(&reply.body));
        if code == "LimitExceeded" {
            return Err(RotateError::LimitReached {
                provider: PROVIDER,
                action: action.to_owned(),
                message,
            });
        }
        Err(self.client.failure(
            action,
            &reply,
            if code.is_empty() {
                message
            } else {
                format!("{code}: {message}")
            },
        ))
    }

    fn delete_or_deactivate(
        &self,
        action: &str,
        key_id: &str,
        signer: &SecretValue,
        credential: &Credential,
    ) -> Result<(), RotateError> {
        let mut params = vec![
            ("Action", action),
            ("Version", "2010-05-08"),
            ("AccessKeyId", key_id),
        ];
        if action == "UpdateAccessKey" {
            params.push(("Status", "Inactive"));
        }
        if let Some(user) = &self.user {
            params.push(("UserName", user));
        }
        match self.call(&self.iam_url, "iam", signer, credential, &params) {
            Ok(_) => Ok(()),
            // Already gone: the step was done before an interruption.
            Err(RotateError::Provider { message, .. }) if message.starts_with("NoSuchEntity") => {
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}

impl Adapter for Aws {
    fn lifecycle(&self) -> Lifecycle {
        Lifecycle::Replace
    }

    fn describe(&self, _: &AdapterContext<'_>) -> [String; 3] {
        [
            format!(
                "IAM CreateAccessKey at {} (a user may hold two keys)",
                self.iam_url
            ),
            format!("STS GetCallerIdentity with the new key at {}", self.sts_url),
            "IAM UpdateAccessKey Inactive on the old key; DeleteAccessKey after the grace period"
                .into(),
        ]
    }

    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError> {
        let mut params = vec![("Action", "CreateAccessKey"), ("Version", "2010-05-08")];
        if let Some(user) = &self.user {
            params.push(("UserName", user));
        }
        let reply = self.call(&self.iam_url, "iam", current, context.credential, &params)?;
        let malformed = |detail: &str| RotateError::Malformed {
            provider: PROVIDER,
            action: "CreateAccessKey".into(),
            detail: detail.to_owned(),
        };
        let id = xml_text(&reply.body, "AccessKeyId")
            .ok_or_else(|| malformed("no AccessKeyId in the response"))?;
        let secret = zeroize::Zeroizing::new(
            xml_text(&reply.body, "SecretAccessKey")
                .ok_or_else(|| malformed("no SecretAccessKey in the response"))?,
        );
        Ok(NewKey {
            value: SecretValue::from_string(format!("{id}:{}", secret.as_str())),
            id: Some(id),
        })
    }

    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError> {
        let params = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
        let mut attempt = 1;
        loop {
            match self.call(
                &self.sts_url,
                "sts",
                &new.value,
                context.credential,
                &params,
            ) {
                Ok(reply) if xml_text(&reply.body, "Arn").is_some() => return Ok(()),
                Ok(reply) => {
                    return Err(RotateError::Malformed {
                        provider: PROVIDER,
                        action: "GetCallerIdentity".into(),
                        detail: format!("no Arn in the response: {}", excerpt(&reply.body)),
                    });
                }
                Err(RotateError::Provider { message, .. })
                    if attempt < self.verify_attempts
                        && message.starts_with("InvalidClientTokenId") =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_secs(2));
                }
                Err(RotateError::Provider {
                    message, status, ..
                }) => {
                    return Err(RotateError::VerificationFailed {
                        credential: context.credential.name.clone(),
                        detail: format!("STS GetCallerIdentity answered HTTP {status}: {message}"),
                    });
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn revoke_new(
        &self,
        context: &AdapterContext<'_>,
        new: &NewKey,
        current: &SecretValue,
    ) -> Result<(), RotateError> {
        match &new.id {
            Some(id) => {
                self.delete_or_deactivate("DeleteAccessKey", id, current, context.credential)
            }
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
            Some(id) => self.delete_or_deactivate("UpdateAccessKey", id, new, context.credential),
            None => Ok(()),
        }
    }

    fn purge_old(
        &self,
        context: &AdapterContext<'_>,
        old: &NewKey,
        new: &SecretValue,
    ) -> Result<(), RotateError> {
        match &old.id {
            Some(id) => self.delete_or_deactivate("DeleteAccessKey", id, new, context.credential),
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

/// The text of the first `<tag>` element; AWS Query API responses are flat enough that
/// this is all the XML reading rotation needs.
pub(crate) fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&close)?;
    Some(
        body[start..end]
            .trim()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}
