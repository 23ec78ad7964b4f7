//! What Keyward tells a security lead: inventory snapshots (never a secret value),
//! signed bundles that carry them between machines, and the review of imported bundles.

pub mod bundle;
pub mod snapshot;
pub mod team_sync;

pub use bundle::{BundleError, SignedBundle};
pub use snapshot::{CredentialSummary, IntegrationSummary, Snapshot, Workstation};
pub use team_sync::{SyncError, SyncOutcome, TeamDatabase, TeamView};
