//! Maps findings, warnings and rotation facts to the controls of PCI DSS 4.0, HIPAA and
//! SOC 2, and judges each integration pass or fail per control with the evidence.
//!
//! The mapping is data (`controls.toml`, embedded; extendable per home), so a security
//! lead can add a framework without a new build.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{FindingSummary, Snapshot};

const BUILT_IN: &str = include_str!("controls.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Control {
    pub framework: String,
    pub id: String,
    pub title: String,
    pub matches: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ControlFile {
    #[serde(default)]
    control: Vec<Control>,
}

/// The control catalogue: built in, then the home's `controls.toml` on top.
pub fn load_controls(home_file: Option<&Path>) -> Result<Vec<Control>, String> {
    let mut controls = parse(BUILT_IN, "built-in controls.toml")?;
    if let Some(path) = home_file.filter(|path| path.is_file()) {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        for extra in parse(&text, &path.display().to_string())? {
            controls.retain(|control| {
                !(control.framework == extra.framework && control.id == extra.id)
            });
            controls.push(extra);
        }
    }
    Ok(controls)
}

fn parse(text: &str, origin: &str) -> Result<Vec<Control>, String> {
    let file: ControlFile = toml::from_str(text).map_err(|error| format!("{origin}: {error}"))?;
    Ok(file.control)
}

impl Control {
    pub fn applies_to(&self, id: &str) -> bool {
        self.matches
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => id == pattern,
            })
    }
}

/// Pass or fail of one control for one integration (or for the workstation, for facts
/// that belong to no integration), with the findings that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ControlResult {
    pub framework: String,
    pub control: String,
    pub title: String,
    /// Integration name; `(workstation)` for facts without one.
    pub scope: String,
    pub passed: bool,
    pub evidence: Vec<FindingSummary>,
}

/// Facts Keyward derives from the inventory itself (see controls.toml).
pub fn derived_facts(snapshot: &Snapshot, review_every_days: i64) -> Vec<FindingSummary> {
    let now = snapshot.generated_at;
    let mut facts = Vec::new();
    let fact = |id: &str,
                severity: &str,
                integration: &Option<String>,
                credential: &str,
                message: String,
                fix: &str| FindingSummary {
        source: "policy".into(),
        id: id.into(),
        severity: severity.into(),
        integration: integration.clone(),
        credential: Some(credential.to_owned()),
        subject: credential.to_owned(),
        message,
        fix: Some(fix.into()),
    };
    let mut last_reviews: std::collections::HashMap<&str, chrono::DateTime<chrono::Utc>> =
        Default::default();
    for review in snapshot
        .reviews
        .iter()
        .filter(|review| review.subject_kind == "credential")
    {
        let entry = last_reviews
            .entry(review.subject.as_str())
            .or_insert(review.reviewed_at);
        *entry = (*entry).max(review.reviewed_at);
    }
    for credential in &snapshot.credentials {
        if credential.rotation_overdue {
            let due = credential
                .next_rotation
                .map(|due| due.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            facts.push(fact(
                "rotation.overdue",
                "high",
                &credential.integration,
                &credential.name,
                format!("rotation was due {due}"),
                "rotate the credential",
            ));
        } else if credential.rotate_every_days.is_none() {
            facts.push(fact(
                "rotation.unscheduled",
                "low",
                &credential.integration,
                &credential.name,
                "no rotation period is set".into(),
                "set a rotation period",
            ));
        }
        if let Some(expires) = credential.expires_at {
            if expires < now {
                facts.push(fact(
                    "certificate.expired",
                    "high",
                    &credential.integration,
                    &credential.name,
                    format!("expired {}", expires.format("%Y-%m-%d")),
                    "renew or replace it",
                ));
            } else if expires < now + Duration::days(30) {
                facts.push(fact(
                    "certificate.expiring",
                    "medium",
                    &credential.integration,
                    &credential.name,
                    format!("expires {}", expires.format("%Y-%m-%d")),
                    "renew it before it expires",
                ));
            }
        }
        let reviewed = last_reviews.get(credential.name.as_str()).copied();
        if reviewed.is_none_or(|at| at < now - Duration::days(review_every_days)) {
            facts.push(fact(
                "review.overdue",
                "low",
                &credential.integration,
                &credential.name,
                match reviewed {
                    Some(at) => format!("last reviewed {}", at.format("%Y-%m-%d")),
                    None => "never reviewed".into(),
                },
                "review it: keep, rotate or revoke",
            ));
        }
    }
    if let Some(reason) = &snapshot.audit_unverified {
        facts.push(FindingSummary {
            source: "policy".into(),
            id: "audit.unverified".into(),
            severity: "high".into(),
            integration: None,
            credential: None,
            subject: "audit log".into(),
            message: format!(
                "no verified audit log for {}: {reason}",
                snapshot.workstation.hostname
            ),
            fix: Some(
                "import the workstation's signed review bundle, which carries its audit verification"
                    .into(),
            ),
        });
    }
    if !snapshot.audit_intact {
        facts.push(FindingSummary {
            source: "policy".into(),
            id: "audit.altered".into(),
            severity: "critical".into(),
            integration: None,
            credential: None,
            subject: "audit log".into(),
            message: "the audit log fails verification".into(),
            fix: Some("run `keyward audit verify` and investigate".into()),
        });
    }
    facts
}

/// Judges every control for every integration (and the workstation scope).
pub fn evaluate(
    controls: &[Control],
    snapshot: &Snapshot,
    findings: &[FindingSummary],
) -> Vec<ControlResult> {
    let mut scopes: Vec<String> = snapshot
        .integrations
        .iter()
        .map(|integration| integration.name.clone())
        .collect();
    scopes.push(WORKSTATION_SCOPE.into());
    let mut by_scope: BTreeMap<&str, Vec<&FindingSummary>> = BTreeMap::new();
    for finding in findings {
        by_scope
            .entry(finding.integration.as_deref().unwrap_or(WORKSTATION_SCOPE))
            .or_default()
            .push(finding);
    }
    let mut results = Vec::new();
    for control in controls {
        for scope in &scopes {
            let evidence: Vec<FindingSummary> = by_scope
                .get(scope.as_str())
                .into_iter()
                .flatten()
                .filter(|finding| control.applies_to(&finding.id) && finding.severity != "info")
                .map(|finding| (*finding).clone())
                .collect();
            results.push(ControlResult {
                framework: control.framework.clone(),
                control: control.id.clone(),
                title: control.title.clone(),
                scope: scope.clone(),
                passed: evidence.is_empty(),
                evidence,
            });
        }
    }
    results
}

pub const WORKSTATION_SCOPE: &str = "(workstation)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_covers_the_three_frameworks() {
        let controls = load_controls(None).unwrap();
        for (framework, id) in [
            ("PCI DSS 4.0", "4.2.1"),
            ("PCI DSS 4.0", "8.6.3"),
            ("HIPAA", "164.312(e)(1)"),
            ("HIPAA", "164.312(b)"),
            ("SOC 2", "CC6.7"),
        ] {
            assert!(
                controls
                    .iter()
                    .any(|control| control.framework == framework && control.id == id),
                "{framework} {id}"
            );
        }
    }

    #[test]
    fn prefixes_match_whole_families_and_exact_ids_only_themselves() {
        let control = Control {
            framework: "F".into(),
            id: "1".into(),
            title: "t".into(),
            matches: vec!["tls.protocol.*".into(), "audit.altered".into()],
        };
        assert!(control.applies_to("tls.protocol.tls10"));
        assert!(control.applies_to("audit.altered"));
        assert!(!control.applies_to("tls.cert.expired"));
        assert!(!control.applies_to("audit.altered.more"));
    }

    #[test]
    fn a_home_file_overrides_and_extends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("controls.toml");
        std::fs::write(&path, "[[control]]\nframework = \"ISO 27001\"\nid = \"A.8.24\"\ntitle = \"Use of cryptography\"\nmatches = [\"tls.*\"]\n\n[[control]]\nframework = \"HIPAA\"\nid = \"164.312(b)\"\ntitle = \"Audit controls\"\nmatches = [\"audit.*\"]\n").unwrap();
        let controls = load_controls(Some(&path)).unwrap();
        assert!(
            controls
                .iter()
                .any(|control| control.framework == "ISO 27001")
        );
        let hipaa: Vec<_> = controls
            .iter()
            .filter(|control| control.id == "164.312(b)")
            .collect();
        assert_eq!(hipaa.len(), 1);
        assert_eq!(hipaa[0].matches, vec!["audit.*"]);
        std::fs::write(&path, "[[control]]\nframework = 1\n").unwrap();
        assert!(
            load_controls(Some(&path))
                .unwrap_err()
                .contains("controls.toml")
        );
    }
}
