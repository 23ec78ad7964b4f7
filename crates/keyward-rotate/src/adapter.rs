//! The one trait every way of rotating implements, and what its steps are given.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::RotateError;
use super::types::RotationSetup;
use keyward_model::{Credential, SecretValue};

/// Whether the old key survives creating the new one. The lowercase names are the
/// plan's `lifecycle` in `keyward rotate --dry-run --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Lifecycle {
    /// The new key exists next to the old one until the old one is revoked, so a failure
    /// before commit can revoke the new key and keep the old one.
    Replace,
    /// The provider swaps the value in place (GitLab self-rotate, Cloudflare roll): once
    /// it answered, the old value is dead and the rotation can only go forward.
    Roll,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A newly created secret: the value and, when the provider names keys, its id.
pub struct NewKey {
    pub id: Option<String>,
    pub value: SecretValue,
}

/// What an adapter may use: the credential, its setup, the clock and the home (for the
/// public files it writes, such as a JWKS).
pub struct AdapterContext<'a> {
    pub credential: &'a Credential,
    pub setup: &'a RotationSetup,
    pub now: DateTime<Utc>,
    pub home: &'a std::path::Path,
    /// The value of the local CA credential named by `setup.signing_ca`, read (and
    /// audited) by the caller.
    pub signing_ca: Option<&'a SecretValue>,
}

/// One way of making, checking and retiring a credential's value. Every method must be
/// safe to call again after a crash: revoking a key that is already gone succeeds.
pub trait Adapter {
    fn lifecycle(&self) -> Lifecycle;

    /// What each provider-facing step will do, for the plan: `[create, verify, revoke]`.
    fn describe(&self, context: &AdapterContext<'_>) -> [String; 3];

    /// Makes the new value; `current` authenticates the call at providers.
    fn create(
        &self,
        context: &AdapterContext<'_>,
        current: &SecretValue,
    ) -> Result<NewKey, RotateError>;

    /// Proves the new value works (the provider's identity call); local values check
    /// their own structure.
    fn verify(&self, context: &AdapterContext<'_>, new: &NewKey) -> Result<(), RotateError>;

    /// Rollback: revokes a new key that never became current, authenticated with the
    /// still-current value. Default: nothing exists at a provider to revoke (local
    /// values, and providers that swap the value in place).
    fn revoke_new(
        &self,
        _context: &AdapterContext<'_>,
        _new: &NewKey,
        _current: &SecretValue,
    ) -> Result<(), RotateError> {
        Ok(())
    }

    /// After commit: disables the old key, authenticated with the new value. Default:
    /// the old value has no life of its own at a provider.
    fn retire_old(
        &self,
        _context: &AdapterContext<'_>,
        _old: &NewKey,
        _new: &SecretValue,
    ) -> Result<(), RotateError> {
        Ok(())
    }

    /// After the grace period: removes the old key for good. Default: nothing left to do.
    fn purge_old(
        &self,
        _context: &AdapterContext<'_>,
        _old: &NewKey,
        _new: &SecretValue,
    ) -> Result<(), RotateError> {
        Ok(())
    }

    /// Writes public material derived from the value (a JWKS) once `current` is
    /// committed, including `previous` while it is kept. Returns the files written.
    fn publish(
        &self,
        _context: &AdapterContext<'_>,
        _current: &SecretValue,
        _previous: Option<&SecretValue>,
    ) -> Result<Vec<PathBuf>, RotateError> {
        Ok(Vec::new())
    }

    /// The provider's id of a value, when it can be read from the value itself (AWS
    /// access key ids, Twilio key SIDs); otherwise the setup's `key_id`.
    fn key_id_of(&self, context: &AdapterContext<'_>, _value: &SecretValue) -> Option<String> {
        context.setup.key_id.clone()
    }
}

/// Splits a `id:secret` pair value (AWS access keys, Twilio API keys).
pub(crate) fn split_pair<'a>(
    credential: &Credential,
    value: &'a SecretValue,
    shape: &str,
) -> Result<(&'a str, &'a str), RotateError> {
    value
        .expose_str()
        .and_then(|text| text.split_once(':'))
        .filter(|(id, secret)| !id.is_empty() && !secret.is_empty())
        .ok_or_else(|| RotateError::Unsupported {
            credential: credential.name.clone(),
            method: "provider".into(),
            reason: format!("the value must have the form {shape}"),
        })
}

/// The base URL from the setup or the provider's default, without a trailing slash.
pub(crate) fn base_url(setup: &RotationSetup, default: &str) -> String {
    setup
        .base_url
        .as_deref()
        .unwrap_or(default)
        .trim_end_matches('/')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::Lifecycle;

    #[test]
    fn lifecycles_keep_the_names_the_plan_prints() {
        assert_eq!(Lifecycle::Replace.as_str(), "replace");
        assert_eq!(Lifecycle::Roll.as_str(), "roll");
    }
}
