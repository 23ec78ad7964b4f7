//! The use cases, grouped by area. `Keyward` is the open home (store, keychain, clock,
//! audit writer); each area is a short-lived handle on it that carries only its own use
//! cases, so a surface asks for an area by name (`keyward.rotation().plan_rotation(..)`)
//! and one area's use case reaching into another's is spelled out where it happens
//! (`self.credentials().add_credential(..)`) instead of hiding in one flat facade.
//!
//! Which files hold each area's use cases:
//! - credentials: `credentials`, `integrations`, `imports`, `inventory`
//! - leaks: `scanning`, `scan_schedule`, `found_secrets`
//! - posture: `probing`, `posture`, `endpoint_check`
//! - rotation: `rotation`, `rotation_batch`, `rotation_steps`, `rotation_targets`
//! - review: `reporting`, `bundles` (export, import, trusted workstations), `audit_log`, `warnings`, `dashboard`
//! - team: `team`, `team_board`

use std::ops::{Deref, DerefMut};

use super::Keyward;

macro_rules! areas {
    ($($(#[$doc:meta])* $accessor:ident => $area:ident;)*) => {
        $(
            $(#[$doc])*
            pub struct $area<'k> {
                keyward: &'k mut Keyward,
            }

            // The home's machinery (store, vault, the audited `write`) is what every
            // area's use cases are written against.
            impl Deref for $area<'_> {
                type Target = Keyward;

                fn deref(&self) -> &Keyward {
                    self.keyward
                }
            }

            impl DerefMut for $area<'_> {
                fn deref_mut(&mut self) -> &mut Keyward {
                    self.keyward
                }
            }
        )*

        impl Keyward {
            $(
                $(#[$doc])*
                pub fn $accessor(&mut self) -> $area<'_> {
                    $area { keyward: self }
                }
            )*
        }
    };
}

areas! {
    /// Credentials and integrations: add, edit, reveal, remove, import, the inventory.
    credentials => Credentials;
    /// Leak scanning: scans, scheduled scans of chosen folders, found secrets.
    leaks => Leaks;
    /// Endpoint posture: probes, their history and regressions, endpoint checks.
    posture => Posture;
    /// Rotation: setup, plans, runs, resume, batches, grace periods.
    rotation => Rotation;
    /// What a lead reviews: warnings, the dashboard, reports, bundles, access
    /// decisions, the audit log.
    review => Review;
    /// The team database and the board across workstations.
    team => Team;
}
