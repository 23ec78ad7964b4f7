//! What Keyward tells a security lead: inventory snapshots (never a secret value),
//! signed bundles that carry them between machines, and the review of imported bundles.

pub mod bundle;
mod charts;
pub mod compliance;
pub mod csv_export;
pub mod document;
pub mod html;
pub mod snapshot;

pub use bundle::{BundleError, SignedBundle};
pub use snapshot::{
    CredentialSummary, FindingSummary, IntegrationSummary, PostureSummary, ReviewDecision,
    Snapshot, Workstation,
};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}
