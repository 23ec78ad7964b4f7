//! Staleness policy.
