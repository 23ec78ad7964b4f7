//! What Keyward tells a security lead: inventory snapshots (never a secret value),
//! signed bundles that carry them between machines, and the review of imported bundles.

pub mod bundle;
pub mod snapshot;

pub use bundle::{BundleError, SignedBundle};
pub use snapshot::{CredentialSummary, IntegrationSummary, Snapshot, Workstation};
