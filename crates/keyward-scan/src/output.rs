//! The three output forms of `keyward scan` (DESIGN.md, "Scan output"): human lines,
//! the JSON contract, and SARIF 2.1.0 for code-scanning dashboards. All of them carry
//! secrets only redacted, and fingerprints only keyed (`v2:`, see
//! [`crate::FingerprintKey`]); a scan without a key prints none.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::{Finding, FindingKind, RuleSet, ScanReport};
use keyward_model::leak::Confidence;

/// One line per finding, then a summary line.
pub fn render_human(report: &ScanReport) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let _ = write!(
            out,
            "{}:{}:{}  {}  {}  [{}]",
            finding.path,
            finding.line,
            finding.column,
            finding.rule,
            finding.redacted,
            finding.confidence
        );
        match (&finding.kind, &finding.vault_credential) {
            (FindingKind::Leak, Some(credential)) => {
                let _ = write!(out, "  LEAK of vault credential `{credential}`");
            }
            _ => {
                let _ = write!(out, "  {}", finding.description);
            }
        }
        if let Some(commit) = &finding.commit {
            let short = &commit.id[..commit.id.len().min(12)];
            let _ = write!(
                out,
                "  (commit {short} by {} on {})",
                commit.author,
                commit.date.format("%Y-%m-%d")
            );
        }
        out.push('\n');
    }
    let leaks = report
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::Leak)
        .count();
    if !report.repository_config.is_empty() {
        let _ = writeln!(
            out,
            "repository config applied: {} (its allowlists and baseline cannot hide vault leaks)",
            report.repository_config.join(", ")
        );
    }
    for warning in &report.baseline_warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    let _ = writeln!(
        out,
        "{} finding(s), {} of them vault leaks; {} file(s), {} bytes scanned, {} skipped{}",
        report.findings.len(),
        leaks,
        report.files_scanned,
        report.bytes_scanned,
        report.files_skipped,
        if report.baselined > 0 {
            format!(", {} accepted by the baseline", report.baselined)
        } else {
            String::new()
        }
    );
    out
}

/// `{findings:[{rule, kind, confidence, path, line, commit?, redacted, fingerprint?,
/// vault_credential?}], repository_config?:[".keyward.toml"], baseline_warnings?:[...]}`;
/// `fingerprint` only when the scan had a fingerprint key, `repository_config` only when
/// a scanned repository's settings applied, `baseline_warnings` only when part of a
/// baseline could not be applied.
pub fn render_json(report: &ScanReport) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let mut object = json!({
                "rule": finding.rule,
                "kind": finding.kind,
                "confidence": finding.confidence,
                "path": finding.path,
                "line": finding.line,
                "redacted": finding.redacted,
            });
            if let Some(commit) = &finding.commit {
                object["commit"] = json!(commit.id);
            }
            if !finding.fingerprint.is_empty() {
                object["fingerprint"] = json!(finding.fingerprint);
            }
            if let Some(credential) = &finding.vault_credential {
                object["vault_credential"] = json!(credential);
            }
            object
        })
        .collect();
    let mut document = json!({ "findings": findings });
    if !report.repository_config.is_empty() {
        document["repository_config"] = json!(report.repository_config);
    }
    if !report.baseline_warnings.is_empty() {
        document["baseline_warnings"] = json!(report.baseline_warnings);
    }
    document
}

/// SARIF 2.1.0: one run, the rules that fired in `tool.driver.rules`, one result per
/// finding with a physical location relative to the scanned root.
pub fn render_sarif(report: &ScanReport, rules: &RuleSet) -> Value {
    let mut fired: BTreeMap<&str, &Finding> = BTreeMap::new();
    for finding in &report.findings {
        fired.entry(finding.rule.as_str()).or_insert(finding);
    }
    let rule_index: BTreeMap<&str, usize> = fired
        .keys()
        .enumerate()
        .map(|(index, id)| (*id, index))
        .collect();
    let driver_rules: Vec<Value> = fired
        .iter()
        .map(|(id, finding)| {
            let rule = rules.rule(id);
            let description = rule.map_or_else(|| finding.description.clone(), |rule| rule.spec.name.clone());
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": description },
                "fullDescription": { "text": format!("{description}: a secret committed or stored in plain text") },
                "defaultConfiguration": { "level": level(finding) },
                "properties": { "provider": rule.map(|rule| rule.spec.provider.clone()), "tags": ["security", "secret"] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let message = match &finding.vault_credential {
                Some(credential) => format!(
                    "{} ({}) is the value of vault credential `{credential}`",
                    finding.description, finding.redacted
                ),
                None => format!("{} found: {}", finding.description, finding.redacted),
            };
            let mut result = json!({
                "ruleId": finding.rule,
                "ruleIndex": rule_index[finding.rule.as_str()],
                "level": level(finding),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&finding.path), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": finding.line, "startColumn": finding.column },
                    }
                }],
            });
            // Keyed, so it confirms no guess; absent when the scan had no key (it would
            // change on every run and churn a dashboard's alerts).
            if !finding.fingerprint.is_empty() {
                result["partialFingerprints"] = json!({ "keywardFinding/v2": finding.fingerprint });
            }
            result["properties"] = json!({ "confidence": finding.confidence });
            if let Some(commit) = &finding.commit {
                result["properties"]["commit"] = json!(commit.id);
                result["properties"]["author"] = json!(commit.author);
                result["properties"]["date"] = json!(commit.date.to_rfc3339());
            }
            result
        })
        .collect();
    let mut sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "keyward",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    if !report.repository_config.is_empty() {
        sarif["runs"][0]["properties"] = json!({ "repository_config": report.repository_config });
    }
    if !report.baseline_warnings.is_empty() {
        let notifications: Vec<Value> = report
            .baseline_warnings
            .iter()
            .map(|warning| json!({ "level": "warning", "message": { "text": warning } }))
            .collect();
        sarif["runs"][0]["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }]);
    }
    sarif
}

/// A vault value and a validated secret are errors, a provider pattern a warning, a
/// generic or example-context hit a note, so dashboards can sort by trust.
fn level(finding: &Finding) -> &'static str {
    match (finding.kind, finding.confidence) {
        (FindingKind::Leak, _) | (_, Confidence::High) => "error",
        (_, Confidence::Medium) => "warning",
        (_, Confidence::Low) => "note",
    }
}

/// A relative path as a URI reference: `/` separators, reserved characters escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}
