//! The "what needs attention" summary the desktop app opens on: inventory counts and the
//! warnings worth acting on, most severe first.
//!
//! Leak and posture counts come from the scanner and the prober; until a home has been
//! scanned or probed they are `None` ("not scanned yet"), never a made-up zero.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Keyward;
use crate::Result;
use crate::model::Credential;

/// Certificates and credentials expiring within this many days are warned about.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// How urgent a warning is; ordered from most to least urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum WarningSeverity {
    Critical,
    High,
    Medium,
    Low,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// The rotation period has passed since the value was last set.
    RotationOverdue,
    /// The credential (or its certificate) is past its expiry.
    Expired,
    /// The credential (or its certificate) expires within [`EXPIRY_WARNING_DAYS`].
    ExpiringSoon,
}

/// One thing that needs attention, with the step that fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DashboardWarning {
    pub severity: WarningSeverity,
    pub kind: WarningKind,
    /// The credential the warning is about.
    pub credential: String,
    pub message: String,
    /// The fix, phrased as an action ("Rotate github-ci").
    pub fix: String,
    /// When the problem started or will start (due date or expiry).
    pub due: DateTime<Utc>,
}

/// Counts and warnings for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    pub credentials: u32,
    pub integrations: u32,
    pub overdue_rotations: u32,
    /// Client certificates expiring within [`EXPIRY_WARNING_DAYS`] (or already expired).
    pub expiring_certificates: u32,
    /// Open leak findings; `None` until a scan has run.
    pub leaks: Option<u32>,
    /// Endpoints whose latest probe failed its posture checks; `None` until a probe ran.
    pub failing_posture: Option<u32>,
    /// Most severe first, then soonest due.
    pub warnings: Vec<DashboardWarning>,
}

impl Keyward {
    /// Builds the dashboard from the inventory as of now.
    pub fn dashboard(&self) -> Result<Dashboard> {
        let credentials = self.list_credentials()?;
        let integrations = self.list_integrations()?;
        Ok(summarize(&credentials, integrations.len(), self.now()))
    }
}

/// The dashboard of `credentials` at `now`; pure so the rules can be tested at any date.
pub fn summarize(credentials: &[Credential], integrations: usize, now: DateTime<Utc>) -> Dashboard {
    let soon = now + Duration::days(EXPIRY_WARNING_DAYS);
    let mut warnings = Vec::new();
    let mut overdue_rotations = 0;
    let mut expiring_certificates = 0;
    for credential in credentials {
        if let Some(due) = credential.next_rotation().filter(|due| *due <= now) {
            overdue_rotations += 1;
            let days = (now - due).num_days();
            warnings.push(DashboardWarning {
                severity: if days > 30 {
                    WarningSeverity::High
                } else {
                    WarningSeverity::Medium
                },
                kind: WarningKind::RotationOverdue,
                credential: credential.name.clone(),
                message: format!(
                    "rotation overdue by {days} day{}",
                    if days == 1 { "" } else { "s" }
                ),
                fix: format!("Rotate {}", credential.name),
                due,
            });
        }
        let expiry = credential
            .certificate
            .as_ref()
            .map(|certificate| certificate.not_after)
            .or(credential.expires_at);
        if let Some(expiry) = expiry.filter(|expiry| *expiry <= soon) {
            if credential.certificate.is_some() {
                expiring_certificates += 1;
            }
            let what = if credential.certificate.is_some() {
                "certificate"
            } else {
                "credential"
            };
            let (severity, kind, message) = if expiry <= now {
                (
                    WarningSeverity::Critical,
                    WarningKind::Expired,
                    format!("{what} expired on {}", expiry.format("%Y-%m-%d")),
                )
            } else {
                let days = (expiry - now).num_days();
                let severity = if days < 7 {
                    WarningSeverity::High
                } else {
                    WarningSeverity::Medium
                };
                (
                    severity,
                    WarningKind::ExpiringSoon,
                    format!(
                        "{what} expires in {days} days ({})",
                        expiry.format("%Y-%m-%d")
                    ),
                )
            };
            warnings.push(DashboardWarning {
                severity,
                kind,
                credential: credential.name.clone(),
                message,
                fix: format!("Replace {}", credential.name),
                due: expiry,
            });
        }
    }
    warnings.sort_by(|left, right| {
        left.severity
            .cmp(&right.severity)
            .then(left.due.cmp(&right.due))
    });
    Dashboard {
        credentials: u32::try_from(credentials.len()).unwrap_or(u32::MAX),
        integrations: u32::try_from(integrations).unwrap_or(u32::MAX),
        overdue_rotations,
        expiring_certificates,
        leaks: None,
        failing_posture: None,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{CertificateInfo, CredentialKind, StorageKind};

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap()
    }

    fn credential(name: &str, rotated: DateTime<Utc>, every: Option<u32>) -> Credential {
        Credential {
            id: 1,
            name: name.into(),
            kind: CredentialKind::Token,
            provider: None,
            integration: None,
            created_at: rotated,
            rotated_at: rotated,
            expires_at: None,
            rotate_every_days: every,
            rotation_method: None,
            allowed_hosts: Vec::new(),
            allow_insecure: false,
            token_url: None,
            fingerprint: String::new(),
            value_length: 10,
            storage: StorageKind::Keychain,
            certificate: None,
            notes: None,
        }
    }

    fn certificate(not_after: DateTime<Utc>) -> CertificateInfo {
        CertificateInfo {
            subject: "CN=client".into(),
            issuer: "CN=ca".into(),
            subject_alt_names: Vec::new(),
            serial: "01".into(),
            not_before: at(1),
            not_after,
            key_type: "EC".into(),
            key_bits: 256,
            sha256_fingerprint: String::new(),
            chain_length: 1,
        }
    }

    #[test]
    fn a_credential_past_its_period_counts_as_overdue_and_one_within_does_not() {
        let now = at(20);
        let overdue = credential("old", at(1), Some(10));
        let fresh = credential("fresh", at(15), Some(10));
        let unscheduled = credential("never", at(1), None);
        let dashboard = summarize(&[overdue, fresh, unscheduled], 2, now);
        assert_eq!(dashboard.credentials, 3);
        assert_eq!(dashboard.integrations, 2);
        assert_eq!(
            dashboard.overdue_rotations, 1,
            "only the credential past its period is overdue"
        );
        assert_eq!(dashboard.warnings.len(), 1);
        assert_eq!(dashboard.warnings[0].credential, "old");
        assert_eq!(dashboard.warnings[0].kind, WarningKind::RotationOverdue);
        assert_eq!(dashboard.warnings[0].message, "rotation overdue by 9 days");
    }

    #[test]
    fn certificates_expiring_within_thirty_days_are_counted_and_expired_ones_come_first() {
        let now = at(1);
        let mut expiring = credential("cert-soon", at(1), None);
        expiring.kind = CredentialKind::ClientCert;
        expiring.certificate = Some(certificate(now + Duration::days(20)));
        let mut expired = credential("cert-gone", at(1), None);
        expired.certificate = Some(certificate(now - Duration::days(1)));
        let mut later = credential("cert-later", at(1), None);
        later.certificate = Some(certificate(now + Duration::days(90)));
        let dashboard = summarize(&[expiring, later, expired], 0, now);
        assert_eq!(
            dashboard.expiring_certificates, 2,
            "expired and expiring-soon both need replacing"
        );
        let order: Vec<&str> = dashboard
            .warnings
            .iter()
            .map(|warning| warning.credential.as_str())
            .collect();
        assert_eq!(
            order,
            ["cert-gone", "cert-soon"],
            "the most severe warning is listed first"
        );
        assert_eq!(dashboard.warnings[0].severity, WarningSeverity::Critical);
    }

    #[test]
    fn leak_and_posture_counts_stay_unknown_until_those_checks_run() {
        let dashboard = summarize(&[], 0, at(1));
        assert_eq!(
            dashboard.leaks, None,
            "no scan has run, so no leak count can be claimed"
        );
        assert_eq!(dashboard.failing_posture, None);
    }
}
