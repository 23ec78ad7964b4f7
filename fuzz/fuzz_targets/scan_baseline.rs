//! The leak scanner's baseline file (`--baseline`, or the one a repository's
//! `.keyward.toml` names, so possibly hostile). Whatever the bytes: no panic; a baseline
//! that reads writes back (as `keyward scan --write-baseline` writes it) to one that
//! reads as the same baseline; it accepts a finding exactly when it lists the finding's
//! fingerprint at the finding's path; and a baseline rebuilt from those findings
//! accepts the same ones, sorted and without duplicates.

#![no_main]

use std::path::Path;

use keyward_model::CredentialKind;
use keyward_scan::{Baseline, BaselineEntry, Finding, FindingKind};
use libfuzzer_sys::fuzz_target;

fn finding(entry: &BaselineEntry) -> Finding {
    Finding {
        rule: entry.rule.clone(),
        kind: FindingKind::Secret,
        provider: None,
        description: String::new(),
        root: "fuzz".into(),
        path: entry.path.clone(),
        line: 1,
        column: 1,
        commit: None,
        redacted: String::new(),
        fingerprint: entry.fingerprint.clone(),
        vault_credential: None,
        credential_kind: CredentialKind::Secret,
    }
}

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz/.keyward-baseline.json");
    let Ok(baseline) = Baseline::parse(path, data) else {
        return;
    };
    let written = serde_json::to_string_pretty(&baseline).expect("a baseline serializes") + "\n";
    let again = Baseline::parse(path, written.as_bytes()).expect("a written baseline reads back");
    assert_eq!(again, baseline);

    let findings: Vec<Finding> = baseline.findings.iter().take(64).map(finding).collect();
    for (entry, listed) in baseline.findings.iter().zip(&findings) {
        assert!(again.accepts(listed));
        let mut moved = listed.clone();
        moved.path.push_str("/moved");
        let expected = baseline
            .findings
            .iter()
            .any(|other| other.fingerprint == entry.fingerprint && other.path == moved.path);
        assert_eq!(baseline.accepts(&moved), expected);
    }
    let rebuilt = Baseline::from_findings(&findings);
    assert!(rebuilt.findings.len() <= findings.len());
    assert!(rebuilt.findings.windows(2).all(|pair| {
        (&pair[0].path, &pair[0].rule, &pair[0].fingerprint)
            < (&pair[1].path, &pair[1].rule, &pair[1].fingerprint)
    }));
    assert!(findings.iter().all(|listed| rebuilt.accepts(listed)));
});
