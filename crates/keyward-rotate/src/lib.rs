//! Rotation: replacing a credential's value with a new one at its provider, in the
//! keychain and in the files that use it, without ever losing a working value.
//!
//! A rotation is a journaled state machine (the `rotations` and `rotation_steps` tables):
//!
//! ```text
//! planned -> created -> stored -> verified -> committed -> propagated -> revoked -> done
//!    \__________\__________\_________\-> rolling-back -> rolled-back
//! ```
//!
//! * `created`: the adapter made the new secret (at the provider, or locally). Its value
//!   goes into the keychain slot `rotation/<id>/pending` *before* the journal records the
//!   step, so a crash right after the provider answered still leaves the value on disk.
//! * `stored`: the pending value read back from the keychain equals what was created.
//! * `verified`: the adapter's verify call (and the [`CredentialCheck`] hook, when one is
//!   given) accepted the new value.
//! * `committed`: the old value is copied to the keychain slot `rotation/<id>/previous`,
//!   the new value becomes the credential's value, and the inventory records it in one
//!   transaction. From here on the rotation only rolls forward.
//! * `propagated`: the files the user approved in the plan have the new value.
//! * `revoked`: the old key is disabled at the provider.
//! * `done`: finished. The previous value stays in its slot until the grace period
//!   (setting [`GRACE_SETTING`], default [`DEFAULT_GRACE_HOURS`] hours) has passed; then
//!   the adapter purges the old key (AWS deletes the deactivated key) and the slot goes.
//!   Starting the next rotation of the same credential ends that grace period early: one
//!   replaced value is kept at a time (and AWS allows only two keys per user).
//!
//! Any failure before `committed` rolls back: the new key is revoked where it was created,
//! the pending slot is deleted, and the old value stays current. Adapters whose provider
//! replaces the value in place ([`Lifecycle::Roll`]: GitLab, Cloudflare) have no old
//! value to go back to once the provider answered, so they roll forward instead.
//!
//! Every step is idempotent: an interrupted rotation (crash, kill, power loss) is resumed
//! or rolled back by `Keyward::resume_rotations`, which `keyward rotate --resume` and the
//! desktop app's start call.

mod adapter;
mod aws;
mod cloudflare;
mod error;
pub mod fault;
mod generate;
mod gitlab;
mod http;
mod propagate;
mod recipe;
mod sigv4;
mod twilio;
mod types;

pub use adapter::{Adapter, AdapterContext, Lifecycle, NewKey};
pub use error::RotateError;
pub use generate::{generate_like, jwks_for};
pub use keyward_model::rotation::{RotationMethod, RotationRecord, RotationState};
pub use propagate::{TargetRefused, preview_file, rewrite_file, write_target};
pub use recipe::Recipe;
pub use sigv4::{SigningKey as SigV4Key, sign_request as sigv4_sign};
pub use types::{
    FileChange, FileOrigin, FilePreview, PlannedStep, RotationHistory, RotationOutcome,
    RotationPlan, RotationSetup, StepProgress, StepRecord,
};

use keyward_model::{Credential, SecretValue};

/// A provider's documented API host from the one provider catalogue: where its keys
/// may be sent when the credential names no hosts of its own.
pub(crate) fn provider_host(id: &str) -> Option<&'static str> {
    keyward_scan::catalogue::catalogue()
        .by_id(id)
        .and_then(|provider| provider.api_host())
}

/// The setting that holds the grace period, in hours, during which a rotated-out value
/// is kept in the keychain (and, for AWS, the old key is only deactivated).
pub const GRACE_SETTING: &str = "rotation.grace_hours";

/// Seven days: long enough for the slowest deploy to pick up the new value.
pub const DEFAULT_GRACE_HOURS: u32 = 24 * 7;

/// Checks a credential value against the endpoint it is used with. The probe's auth check
/// implements this; rotation calls it before commit, in addition to the adapter's own
/// verify call, so a new key is proven against the real integration and not only against
/// the provider's identity endpoint.
pub trait CredentialCheck {
    /// `Ok(())` when the endpoint accepts `value`; an error naming what went wrong when it
    /// does not. Credentials with no endpoint to check against return `Ok(())`.
    fn check(&self, credential: &Credential, value: &SecretValue) -> Result<(), String>;
}

/// The keychain slot name of a rotation's not-yet-committed new value.
pub fn pending_slot(rotation_id: i64) -> keyward_vault::Slot {
    keyward_vault::Slot::Other(format!("rotation/{rotation_id}/pending"))
}

/// The keychain slot name of the value a rotation replaced, kept for the grace period.
pub fn previous_slot(rotation_id: i64) -> keyward_vault::Slot {
    keyward_vault::Slot::Other(format!("rotation/{rotation_id}/previous"))
}

/// The adapter for a credential's setup; refuses combinations that cannot work (a recipe
/// method without a recipe, `generate` on a `basic` credential).
pub fn adapter_for(
    credential: &Credential,
    setup: &RotationSetup,
) -> Result<Box<dyn Adapter>, RotateError> {
    Ok(match setup.method {
        RotationMethod::Generate => Box::new(generate::Generate::for_credential(credential)?),
        RotationMethod::Http => {
            let text = setup.recipe.as_deref().ok_or_else(|| RotateError::Recipe {
                field: "recipe".into(),
                problem: "the http method needs a recipe (--recipe FILE)".into(),
            })?;
            Box::new(recipe::Recipe::parse(text)?.into_adapter(credential, setup)?)
        }
        RotationMethod::Aws => Box::new(aws::Aws::new(credential, setup)?),
        RotationMethod::Gitlab => Box::new(gitlab::Gitlab::new(credential, setup)?),
        RotationMethod::Cloudflare => Box::new(cloudflare::Cloudflare::new(credential, setup)?),
        RotationMethod::Twilio => Box::new(twilio::Twilio::new(credential, setup)?),
    })
}
