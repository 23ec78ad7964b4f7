//! The staleness rules themselves (see the table in the module above).

use chrono::{DateTime, Duration, Utc};

use super::{
    CERTIFICATE_EXPIRING_DAYS, CERTIFICATE_URGENT_DAYS, CREDENTIAL_EXPIRING_DAYS, FixAction, PolicyInput, ROTATION_DUE_DAYS,
    Severity, VerificationOutcome, Warning, WarningKind,
};
use crate::model::{Credential, CredentialKind};
use crate::scan::FindingKind;

/// Every warning `input` calls for at `now`, most severe first.
pub fn evaluate(input: &PolicyInput, now: DateTime<Utc>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for credential in &input.credentials {
        credential_warnings(input, credential, now, &mut warnings);
    }
    finding_warnings(input, &mut warnings);
    warnings.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));
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

fn days(duration: Duration) -> i64 {
    duration.num_days()
}

fn credential_warnings(input: &PolicyInput, credential: &Credential, now: DateTime<Utc>, out: &mut Vec<Warning>) {
    let name = &credential.name;
    let rotate = || FixAction::Rotate { credential: name.clone() };
    if let Some(expires) = credential.expires_at {
        let left = expires - now;
        let is_certificate = credential.kind == CredentialKind::ClientCert || credential.certificate.is_some();
        if is_certificate {
            if left <= Duration::zero() {
                let message = format!("certificate of `{name}` expired {} day(s) ago", days(-left));
                out.push(warning(WarningKind::CertificateExpired, Severity::Critical, credential, message, Some(expires), rotate()));
            } else if left <= Duration::days(CERTIFICATE_EXPIRING_DAYS) {
                let severity = if left <= Duration::days(CERTIFICATE_URGENT_DAYS) { Severity::High } else { Severity::Medium };
                let message = format!("certificate of `{name}` expires in {} day(s)", days(left));
                out.push(warning(WarningKind::CertificateExpiring, severity, credential, message, Some(expires), rotate()));
            }
        } else if left <= Duration::zero() {
            let message = format!("`{name}` expired {} day(s) ago", days(-left));
            out.push(warning(WarningKind::CredentialExpired, Severity::High, credential, message, Some(expires), rotate()));
        } else if left <= Duration::days(CREDENTIAL_EXPIRING_DAYS) {
            let message = format!("`{name}` expires in {} day(s)", days(left));
            out.push(warning(WarningKind::CredentialExpiring, Severity::Medium, credential, message, Some(expires), rotate()));
        }
    }
    if let Some((_, expiry)) = input.jwt_expiries.iter().find(|(credential_name, _)| credential_name == name) {
        if *expiry <= now {
            let message = format!("the JWT in `{name}` expired on {}", expiry.format("%Y-%m-%d %H:%M UTC"));
            out.push(warning(WarningKind::JwtExpired, Severity::High, credential, message, Some(*expiry), rotate()));
        }
    }
    if let Some(next) = credential.next_rotation() {
        let left = next - now;
        if left <= Duration::zero() {
            let message = format!("rotation of `{name}` is {} day(s) overdue", days(-left));
            out.push(warning(WarningKind::RotationOverdue, Severity::High, credential, message, Some(next), rotate()));
        } else if left <= Duration::days(ROTATION_DUE_DAYS) {
            let message = format!("rotation of `{name}` is due in {} day(s)", days(left).max(1));
            out.push(warning(WarningKind::RotationDue, Severity::Low, credential, message, Some(next), rotate()));
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
        out.push(warning(WarningKind::MaxAgeExceeded, Severity::Medium, credential, message, Some(due), rotate()));
    }
    let latest = input
        .verifications
        .iter()
        .filter(|verification| &verification.credential == name)
        .max_by_key(|verification| verification.at);
    match latest {
        Some(verification) if verification.outcome == VerificationOutcome::Rejected => {
            let detail = verification.detail.as_deref().map(|detail| format!(": {detail}")).unwrap_or_default();
            let message = format!(
                "`{name}` was rejected by its endpoint on {}{detail}",
                verification.at.format("%Y-%m-%d")
            );
            out.push(warning(WarningKind::Rejected, Severity::Critical, credential, message, Some(verification.at), rotate()));
        }
        Some(_) => {}
        None if input.bound_to_endpoint.contains(name) => {
            let message = format!("`{name}` is used by an endpoint but has never been verified against it");
            let action = FixAction::Verify { credential: name.clone() };
            out.push(warning(WarningKind::NeverVerified, Severity::Info, credential, message, None, action));
        }
        None => {}
    }
}

fn finding_warnings(input: &PolicyInput, out: &mut Vec<Warning>) {
    for stored in &input.findings {
        let finding = &stored.finding;
        let place = match &finding.commit {
            Some(commit) => format!("{}:{} in commit {}", finding.path, finding.line, &commit.id[..commit.id.len().min(12)]),
            None => format!("{}:{}", finding.path, finding.line),
        };
        let (kind, severity, message, action, subject) = match (finding.kind, &finding.vault_credential) {
            (FindingKind::Leak, Some(credential)) => (
                WarningKind::Leaked,
                Severity::Critical,
                format!("the value of `{credential}` leaked into {place} under {}", finding.root),
                FixAction::Rotate { credential: credential.clone() },
                Some(credential.clone()),
            ),
            _ => (
                WarningKind::UnmanagedSecret,
                Severity::Medium,
                format!("{} ({}) found at {place} under {}", finding.description, finding.redacted, finding.root),
                FixAction::Import { finding_id: stored.id },
                None,
            ),
        };
        out.push(Warning {
            id: format!("{}:{}:{}:{}", kind.as_str(), finding.fingerprint, finding.root, finding.path),
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
