//! The staleness rules themselves (see the table in the module above).

use chrono::{DateTime, Duration, Utc};

use super::{
    CERTIFICATE_EXPIRING_DAYS, CERTIFICATE_URGENT_DAYS, CREDENTIAL_EXPIRING_DAYS, FixAction,
    PolicyInput, ROTATION_DUE_DAYS, Severity, VerificationOutcome, Warning, WarningKind,
};
use keyward_model::leak::FindingKind;
use keyward_model::{Credential, CredentialKind};

/// Every warning `input` calls for at `now`, most severe first.
pub fn evaluate(input: &PolicyInput, now: DateTime<Utc>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for credential in &input.credentials {
        credential_warnings(input, credential, now, &mut warnings);
        review_warning(input, credential, now, &mut warnings);
    }
    finding_warnings(input, &mut warnings);
    posture_warnings(input, &mut warnings);
    // The scale runs from info to critical: the worst first, then by id.
    warnings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    warnings.dedup_by(|later, earlier| later.id == earlier.id);
    warnings
}

fn warning(
    kind: WarningKind,
    severity: Severity,
    credential: &Credential,
    message: String,
    due: Option<DateTime<Utc>>,
    action: FixAction,
) -> Warning {
    Warning {
        id: format!("{}:{}", kind.as_str(), credential.name),
        kind,
        severity,
        credential: Some(credential.name.clone()),
        message,
        due,
        action,
        finding_id: None,
    }
}

/// Under a review policy, a credential not reviewed within its period.
fn review_warning(
    input: &PolicyInput,
    credential: &Credential,
    now: DateTime<Utc>,
    out: &mut Vec<Warning>,
) {
    let Some(policy) = &input.review else { return };
    let last = policy.last_reviewed.get(&credential.name).copied();
    let due = last.unwrap_or(credential.created_at) + Duration::days(i64::from(policy.every_days));
    if due > now {
        return;
    }
    let message = match last {
        Some(at) => format!(
            "last access review {}; reviews are due every {} days",
            at.format("%Y-%m-%d"),
            policy.every_days
        ),
        None => format!(
            "never reviewed; reviews are due every {} days",
            policy.every_days
        ),
    };
    out.push(warning(
        WarningKind::ReviewOverdue,
        Severity::Low,
        credential,
        message,
        Some(due),
        FixAction::Review {
            credential: credential.name.clone(),
        },
    ));
}

fn days(duration: Duration) -> i64 {
    duration.num_days()
}

fn credential_warnings(
    input: &PolicyInput,
    credential: &Credential,
    now: DateTime<Utc>,
    out: &mut Vec<Warning>,
) {
    let name = &credential.name;
    let rotate = || FixAction::Rotate {
        credential: name.clone(),
    };
    if let Some(expires) = credential.expires_at {
        let left = expires - now;
        let is_certificate =
            credential.kind == CredentialKind::ClientCert || credential.certificate.is_some();
        if is_certificate {
            if left <= Duration::zero() {
                let message = format!("certificate of `{name}` expired {} day(s) ago", days(-left));
                out.push(warning(
                    WarningKind::CertificateExpired,
                    Severity::Critical,
                    credential,
                    message,
                    Some(expires),
                    rotate(),
                ));
            } else if left <= Duration::days(CERTIFICATE_EXPIRING_DAYS) {
                let severity = if left <= Duration::days(CERTIFICATE_URGENT_DAYS) {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let message = format!("certificate of `{name}` expires in {} day(s)", days(left));
                out.push(warning(
                    WarningKind::CertificateExpiring,
                    severity,
                    credential,
                    message,
                    Some(expires),
                    rotate(),
                ));
            }
        } else if left <= Duration::zero() {
            let message = format!("`{name}` expired {} day(s) ago", days(-left));
            out.push(warning(
                WarningKind::CredentialExpired,
                Severity::High,
                credential,
                message,
                Some(expires),
                rotate(),
            ));
        } else if left <= Duration::days(CREDENTIAL_EXPIRING_DAYS) {
            let message = format!("`{name}` expires in {} day(s)", days(left));
            out.push(warning(
                WarningKind::CredentialExpiring,
                Severity::Medium,
                credential,
                message,
                Some(expires),
                rotate(),
            ));
        }
    }
    if let Some((_, expiry)) = input
        .jwt_expiries
        .iter()
        .find(|(credential_name, _)| credential_name == name)
        && *expiry <= now
    {
        let message = format!(
            "the JWT in `{name}` expired on {}",
            expiry.format("%Y-%m-%d %H:%M UTC")
        );
        out.push(warning(
            WarningKind::JwtExpired,
            Severity::High,
            credential,
            message,
            Some(*expiry),
            rotate(),
        ));
    }
    if let Some(next) = credential.next_rotation() {
        let left = next - now;
        if left <= Duration::zero() {
            let message = format!("rotation of `{name}` is {} day(s) overdue", days(-left));
            out.push(warning(
                WarningKind::RotationOverdue,
                Severity::High,
                credential,
                message,
                Some(next),
                rotate(),
            ));
        } else if left <= Duration::days(ROTATION_DUE_DAYS) {
            let message = format!(
                "rotation of `{name}` is due in {} day(s)",
                days(left).max(1)
            );
            out.push(warning(
                WarningKind::RotationDue,
                Severity::Low,
                credential,
                message,
                Some(next),
                rotate(),
            ));
        }
    }
    let age = now - credential.rotated_at;
    if age > Duration::days(i64::from(input.max_age_days)) {
        let message = format!(
            "the value of `{name}` is {} day(s) old, older than the maximum age of {} days",
            days(age),
            input.max_age_days
        );
        let due = credential.rotated_at + Duration::days(i64::from(input.max_age_days));
        out.push(warning(
            WarningKind::MaxAgeExceeded,
            Severity::Medium,
            credential,
            message,
            Some(due),
            rotate(),
        ));
    }
    let latest = input
        .verifications
        .iter()
        .filter(|verification| &verification.credential == name)
        .max_by_key(|verification| verification.at);
    match latest {
        Some(verification) if verification.outcome == VerificationOutcome::Rejected => {
            let detail = verification
                .detail
                .as_deref()
                .map(|detail| format!(": {detail}"))
                .unwrap_or_default();
            let message = format!(
                "`{name}` was rejected by its endpoint on {}{detail}",
                verification.at.format("%Y-%m-%d")
            );
            out.push(warning(
                WarningKind::Rejected,
                Severity::Critical,
                credential,
                message,
                Some(verification.at),
                rotate(),
            ));
        }
        Some(_) => {}
        None if input.bound_to_endpoint.contains(name) => {
            let message =
                format!("`{name}` is used by an endpoint but has never been verified against it");
            let action = FixAction::Verify {
                credential: name.clone(),
            };
            out.push(warning(
                WarningKind::NeverVerified,
                Severity::Info,
                credential,
                message,
                None,
                action,
            ));
        }
        None => {}
    }
}

/// One warning per endpoint that got worse: high when it fell to F or gained a critical
/// or high finding, medium otherwise.
fn posture_warnings(input: &PolicyInput, out: &mut Vec<Warning>) {
    for drop in &input.posture_drops {
        let mut changes = Vec::new();
        if let (Some(before), Some(now)) = (&drop.previous_grade, &drop.grade)
            && before != now
        {
            changes.push(format!("grade {before} to {now}"));
        }
        if !drop.new_findings.is_empty() {
            let ids: Vec<&str> = drop
                .new_findings
                .iter()
                .map(|(id, _)| id.as_str())
                .collect();
            changes.push(format!("new {}", ids.join(", ")));
        }
        let severe = drop.grade.as_deref() == Some("F")
            || drop
                .new_findings
                .iter()
                .any(|(_, severity)| matches!(severity.as_str(), "critical" | "high"));
        let subject = drop.integration.as_deref().unwrap_or(&drop.target);
        out.push(Warning {
            id: format!("{}:{}", WarningKind::PostureRegressed.as_str(), drop.target),
            kind: WarningKind::PostureRegressed,
            severity: if severe {
                Severity::High
            } else {
                Severity::Medium
            },
            credential: None,
            message: format!(
                "posture of {} got worse at its last probe: {}",
                drop.target,
                changes.join("; ")
            ),
            due: Some(drop.probed_at),
            action: FixAction::Posture {
                integration: subject.to_owned(),
            },
            finding_id: None,
        });
    }
}

fn finding_warnings(input: &PolicyInput, out: &mut Vec<Warning>) {
    for stored in &input.findings {
        let finding = &stored.finding;
        let place = match &finding.commit {
            Some(commit) => format!(
                "{}:{} in commit {}",
                finding.path,
                finding.line,
                &commit.id[..commit.id.len().min(12)]
            ),
            None => format!("{}:{}", finding.path, finding.line),
        };
        let (kind, severity, message, action, subject) =
            match (finding.kind, &finding.vault_credential) {
                (FindingKind::Leak, Some(credential)) => (
                    WarningKind::Leaked,
                    Severity::Critical,
                    format!(
                        "the value of `{credential}` leaked into {place} under {}",
                        finding.root
                    ),
                    FixAction::Rotate {
                        credential: credential.clone(),
                    },
                    Some(credential.clone()),
                ),
                _ => (
                    WarningKind::UnmanagedSecret,
                    Severity::Medium,
                    format!(
                        "{} ({}) found at {place} under {}",
                        finding.description, finding.redacted, finding.root
                    ),
                    // A working-copy secret can be imported in one step; one in history
                    // can only be looked at (and revoked at its provider).
                    match &finding.commit {
                        None => FixAction::Import {
                            finding_id: stored.id,
                        },
                        Some(_) => FixAction::OpenFile {
                            root: finding.root.clone(),
                            path: finding.path.clone(),
                            line: finding.line,
                        },
                    },
                    None,
                ),
            };
        out.push(Warning {
            id: format!(
                "{}:{}:{}:{}",
                kind.as_str(),
                finding.fingerprint,
                finding.root,
                finding.path
            ),
            kind,
            severity,
            credential: subject,
            message,
            due: Some(stored.first_seen),
            action,
            finding_id: Some(stored.id),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::Verification;
    use keyward_model::clock::{Clock, FixedClock};
    use keyward_model::leak::{Finding, FindingKind, StoredFinding};
    use keyward_model::{CertificateInfo, StorageKind};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn credential(name: &str, kind: CredentialKind, rotated_at: DateTime<Utc>) -> Credential {
        Credential {
            id: 1,
            name: name.into(),
            kind,
            provider: None,
            integration: None,
            created_at: rotated_at,
            rotated_at,
            expires_at: None,
            rotate_every_days: None,
            rotation_method: None,
            allowed_hosts: vec![],
            allow_insecure: false,
            token_url: None,
            fingerprint: String::new(),
            value_length: 40,
            storage: StorageKind::Keychain,
            certificate: None,
            notes: None,
        }
    }

    fn input(credentials: Vec<Credential>) -> PolicyInput {
        PolicyInput {
            credentials,
            max_age_days: 365,
            ..Default::default()
        }
    }

    fn kinds(warnings: &[Warning]) -> Vec<(WarningKind, Severity)> {
        warnings
            .iter()
            .map(|warning| (warning.kind, warning.severity))
            .collect()
    }

    #[test]
    fn rotation_turns_due_fourteen_days_ahead_and_overdue_on_the_day() {
        let clock = FixedClock::new(at("2026-03-01T00:00:00Z"));
        let mut key = credential("deploy", CredentialKind::ApiKey, at("2026-01-01T00:00:00Z"));
        key.rotate_every_days = Some(90); // due 2026-04-01
        let policy = input(vec![key]);
        assert!(
            evaluate(&policy, clock.now()).is_empty(),
            "31 days ahead is not yet due"
        );
        clock.set(at("2026-03-18T00:00:00Z"));
        assert_eq!(
            kinds(&evaluate(&policy, clock.now())),
            vec![(WarningKind::RotationDue, Severity::Low)]
        );
        clock.set(at("2026-04-01T00:00:00Z"));
        let warnings = evaluate(&policy, clock.now());
        assert_eq!(
            kinds(&warnings),
            vec![(WarningKind::RotationOverdue, Severity::High)]
        );
        assert_eq!(
            warnings[0].action,
            FixAction::Rotate {
                credential: "deploy".into()
            }
        );
        assert_eq!(
            warnings[0].id, "rotation-overdue:deploy",
            "ids are stable so notifications de-duplicate"
        );
    }

    #[test]
    fn certificates_warn_thirty_days_ahead_urgently_at_seven_and_critically_after() {
        let now = at("2026-06-01T00:00:00Z");
        let mut cert = credential("mtls", CredentialKind::ClientCert, now - Duration::days(10));
        let info = |not_after| CertificateInfo {
            subject: "CN=client".into(),
            issuer: "CN=ca".into(),
            subject_alt_names: vec![],
            serial: "01".into(),
            not_before: now - Duration::days(10),
            not_after,
            key_type: "EC".into(),
            key_bits: 256,
            sha256_fingerprint: String::new(),
            chain_length: 1,
        };
        for (days_left, expected) in [
            (31, None),
            (
                30,
                Some((WarningKind::CertificateExpiring, Severity::Medium)),
            ),
            (7, Some((WarningKind::CertificateExpiring, Severity::High))),
            (
                0,
                Some((WarningKind::CertificateExpired, Severity::Critical)),
            ),
            (
                -3,
                Some((WarningKind::CertificateExpired, Severity::Critical)),
            ),
        ] {
            let expiry = now + Duration::days(days_left);
            cert.expires_at = Some(expiry);
            cert.certificate = Some(info(expiry));
            let got = kinds(&evaluate(&input(vec![cert.clone()]), now));
            assert_eq!(
                got,
                expected.into_iter().collect::<Vec<_>>(),
                "{days_left} days left"
            );
        }
    }

    #[test]
    fn age_jwt_expiry_and_plain_expiry_are_reported() {
        let now = at("2026-06-01T00:00:00Z");
        let old = credential("old", CredentialKind::Secret, now - Duration::days(400));
        let fresh = credential("fresh", CredentialKind::Secret, now - Duration::days(10));
        let mut expiring = credential("expiring", CredentialKind::Token, now - Duration::days(10));
        expiring.expires_at = Some(now + Duration::days(5));
        let jwt = credential("session", CredentialKind::Token, now - Duration::days(1));
        let mut policy = input(vec![old, fresh, expiring, jwt]);
        policy.jwt_expiries = vec![("session".into(), now - Duration::hours(2))];
        let warnings = evaluate(&policy, now);
        let by_name = |name: &str| -> Vec<WarningKind> {
            warnings
                .iter()
                .filter(|warning| warning.credential.as_deref() == Some(name))
                .map(|warning| warning.kind)
                .collect()
        };
        assert_eq!(by_name("old"), vec![WarningKind::MaxAgeExceeded]);
        assert!(by_name("fresh").is_empty());
        assert_eq!(by_name("expiring"), vec![WarningKind::CredentialExpiring]);
        assert_eq!(by_name("session"), vec![WarningKind::JwtExpired]);
    }

    #[test]
    fn probe_verdicts_drive_rejected_and_never_verified() {
        let now = at("2026-06-01T00:00:00Z");
        let credentials = vec![
            credential("rejected", CredentialKind::Token, now),
            credential("unverified", CredentialKind::Token, now),
            credential("fine", CredentialKind::Token, now),
            credential("unbound", CredentialKind::Token, now),
        ];
        let mut policy = input(credentials);
        policy.bound_to_endpoint = ["rejected", "unverified", "fine"]
            .into_iter()
            .map(String::from)
            .collect::<HashSet<_>>();
        let verdict = |name: &str, outcome, hours| Verification {
            credential: name.into(),
            at: now - Duration::hours(hours),
            outcome,
            detail: Some("401 from api.internal".into()),
        };
        policy.verifications = vec![
            verdict("rejected", VerificationOutcome::Accepted, 48),
            verdict("rejected", VerificationOutcome::Rejected, 1),
            verdict("fine", VerificationOutcome::Rejected, 48),
            verdict("fine", VerificationOutcome::Accepted, 1),
        ];
        let warnings = evaluate(&policy, now);
        assert_eq!(
            kinds(&warnings),
            vec![
                (WarningKind::Rejected, Severity::Critical),
                (WarningKind::NeverVerified, Severity::Info)
            ],
            "only the latest verdict counts, and only endpoint-bound credentials need one: {warnings:#?}"
        );
        assert!(warnings[0].message.contains("401 from api.internal"));
    }

    #[test]
    fn leaks_are_critical_and_unmanaged_secrets_offer_import() {
        let now = at("2026-06-01T00:00:00Z");
        let finding = |kind, credential: Option<&str>| Finding {
            rule: "github-pat".into(),
            kind,
            provider: Some("GitHub".into()),
            description: "GitHub personal access token (classic)".into(),
            root: "/work/app".into(),
            path: ".env".into(),
            line: 2,
            column: 10,
            commit: None,
            redacted: "ghp_abc…(40)".into(),
            fingerprint: format!("{kind:?}"),
            vault_credential: credential.map(String::from),
            credential_kind: CredentialKind::Token,
            confidence: keyward_model::leak::Confidence::Medium,
        };
        let stored = |id, finding| StoredFinding {
            id,
            finding,
            first_seen: now,
            last_seen: now,
            resolved_at: None,
        };
        let mut policy = input(vec![]);
        policy.findings = vec![
            stored(7, finding(FindingKind::Leak, Some("ci-token"))),
            stored(8, finding(FindingKind::Secret, None)),
        ];
        let warnings = evaluate(&policy, now);
        assert_eq!(
            kinds(&warnings),
            vec![
                (WarningKind::Leaked, Severity::Critical),
                (WarningKind::UnmanagedSecret, Severity::Medium)
            ]
        );
        assert_eq!(
            warnings[0].action,
            FixAction::Rotate {
                credential: "ci-token".into()
            }
        );
        assert_eq!(warnings[1].action, FixAction::Import { finding_id: 8 });
        assert!(
            !warnings.iter().any(
                |warning| warning.message.contains("ghp_abc") && !warning.message.contains('…')
            )
        );
    }
}
