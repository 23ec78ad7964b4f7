//! Staleness and leak warnings as a use case: gathers the policy's input from the
//! inventory, the probes' verdicts and the open scan findings, and evaluates it now.

use std::collections::{HashMap, HashSet};

use base64::Engine;
use chrono::{DateTime, Utc};

use super::probing::Regression;
use super::{Keyward, Review};
use crate::audit::{self, AuditAction};
use crate::model::{AuthMethod, CredentialKind};
use crate::policy::{
    self, DEFAULT_MAX_AGE_DAYS, PolicyInput, PostureDrop, Verification, VerificationOutcome,
    Warning,
};
use crate::store::credentials as credential_rows;
use crate::store::{findings, probes, settings};
use crate::vault::VaultError;
use crate::{Error, Result};

/// The probe finding that means an endpoint refused the credential it was sent.
const REJECTED_FINDING: &str = "auth.credential_rejected";

/// The settings key holding the maximum age of a credential's value, in days.
pub const MAX_AGE_SETTING: &str = "policy.max_age_days";

/// Settings key prefix of the per-value JWT expiry cache.
const JWT_EXPIRY_PREFIX: &str = "jwt-expiry:";

impl Review<'_> {
    /// Every current warning, most severe first.
    ///
    /// `token` credentials are read to find JWT expiry claims; when any are read, the
    /// check is recorded as one `scan` audit entry with subject `check`.
    pub fn warnings(&mut self) -> Result<Vec<Warning>> {
        let jwt_expiries = self.jwt_expiries()?;
        let connection = self.store.connection();
        let credentials = self.list_credentials()?;
        let max_age_days = match settings::get(connection, MAX_AGE_SETTING)? {
            Some(text) => text.parse().map_err(|_| {
                Error::invalid(MAX_AGE_SETTING, format!("`{text}` is not a number of days"))
            })?,
            None => DEFAULT_MAX_AGE_DAYS,
        };
        let mut verifications = findings::latest_verifications(connection)?;
        verifications.extend(self.probe_verdicts()?);
        let review = self.review_policy()?;
        let posture_drops = self.posture_drops()?;
        let input = PolicyInput {
            posture_drops,
            review,
            verifications,
            bound_to_endpoint: findings::credentials_bound_to_endpoints(connection)?
                .into_iter()
                .collect::<HashSet<_>>(),
            jwt_expiries,
            findings: findings::list(connection, false)?,
            credentials,
            max_age_days,
        };
        Ok(policy::evaluate(&input, self.now()))
    }

    /// Records a probe's verdict on a credential (accepted or rejected by its endpoint),
    /// which the policy turns into `rejected` / clears `never-verified`.
    pub fn record_verification(&mut self, verification: &Verification) -> Result<()> {
        let transaction = self.store.transaction()?;
        findings::record_verification(&transaction, verification)?;
        transaction
            .commit()
            .map_err(crate::store::StoreError::from)?;
        Ok(())
    }
}

impl Keyward {
    /// The review policy, when the home has a `review_every_days` setting.
    fn review_policy(&self) -> Result<Option<policy::ReviewPolicy>> {
        let Some(text) = settings::get(
            self.store.connection(),
            crate::service::reporting::REVIEW_EVERY_SETTING,
        )?
        else {
            return Ok(None);
        };
        let every_days: u32 = text.parse().ok().filter(|days| *days > 0).ok_or_else(|| {
            Error::invalid(
                crate::service::reporting::REVIEW_EVERY_SETTING,
                format!("`{text}` is not a number of days"),
            )
        })?;
        let mut last_reviewed = std::collections::HashMap::new();
        for review in self.review_decisions()? {
            if review.subject_kind == "credential" {
                let entry = last_reviewed
                    .entry(review.subject)
                    .or_insert(review.reviewed_at);
                *entry = (*entry).max(review.reviewed_at);
            }
        }
        Ok(Some(policy::ReviewPolicy {
            every_days,
            last_reviewed,
        }))
    }

    /// Verdicts from stored probe results: the newest result of each endpoint that
    /// sends a credential either carries `auth.credential_rejected` (rejected) or,
    /// having completed, shows the credential accepted.
    fn probe_verdicts(&self) -> Result<Vec<Verification>> {
        let mut verdicts = Vec::new();
        for integration in self.list_integrations()? {
            for endpoint in &integration.endpoints {
                let Some(credential) = &endpoint.credential else {
                    continue;
                };
                if endpoint.auth == AuthMethod::None {
                    continue;
                }
                let target = url::Url::parse(&endpoint.url)
                    .map_or_else(|_| endpoint.url.clone(), |url| url.to_string());
                let latest = probes::for_target(self.store.connection(), &target, 1)?;
                let Some(row) = latest.into_iter().next() else {
                    continue;
                };
                let rejected = row.finding_ids.iter().any(|id| id == REJECTED_FINDING);
                if !rejected && row.error.is_some() {
                    continue;
                }
                verdicts.push(Verification {
                    credential: credential.clone(),
                    at: row.probed_at,
                    outcome: if rejected {
                        VerificationOutcome::Rejected
                    } else {
                        VerificationOutcome::Accepted
                    },
                    detail: rejected.then(|| format!("{REJECTED_FINDING} at {}", row.target)),
                });
            }
        }
        Ok(verdicts)
    }

    /// Endpoints whose newest completed probe recorded a regression against the one
    /// before. A later probe that finds nothing new replaces it, clearing the warning.
    fn posture_drops(&self) -> Result<Vec<PostureDrop>> {
        let mut drops = Vec::new();
        for row in probes::latest_completed_per_target(self.store.connection())? {
            if row.regressions.trim() == "[]" {
                continue;
            }
            let regressions: Vec<Regression> =
                serde_json::from_str(&row.regressions).map_err(|error| {
                    Error::Internal(format!(
                        "stored regressions of probe {} are unreadable: {error}",
                        row.id
                    ))
                })?;
            for regression in regressions {
                drops.push(PostureDrop {
                    target: regression.target,
                    integration: regression.integration,
                    probed_at: row.probed_at,
                    previous_grade: regression
                        .previous_grade
                        .map(|grade| grade.as_str().to_owned()),
                    grade: regression.grade.map(|grade| grade.as_str().to_owned()),
                    new_findings: regression
                        .new_findings
                        .into_iter()
                        .map(|finding| (finding.id, finding.severity.as_str().to_owned()))
                        .collect(),
                });
            }
        }
        Ok(drops)
    }

    /// The `exp` of every token credential whose value is a JWT. The claim is read from
    /// the value once per value: the result is kept under the value's fingerprint
    /// (`jwt-expiry:FINGERPRINT` → RFC 3339 time or `none`), so the dashboard does not
    /// open the keychain for every token each time it is shown. The fingerprint changes
    /// with the value, so a rotated token is read again; entries of values no credential
    /// holds any more are dropped.
    fn jwt_expiries(&mut self) -> Result<Vec<(String, DateTime<Utc>)>> {
        let connection = self.store.connection();
        let tokens: Vec<_> = credential_rows::list(connection)?
            .into_iter()
            .filter(|stored| {
                stored.credential.kind == CredentialKind::Token
                    && stored.credential.value_length >= 20
            })
            .collect();
        let cached: HashMap<String, String> = settings::with_prefix(connection, JWT_EXPIRY_PREFIX)?
            .into_iter()
            .collect();
        let mut expiries = Vec::new();
        let mut learned = Vec::new();
        for stored in &tokens {
            let key = format!("{JWT_EXPIRY_PREFIX}{}", stored.credential.fingerprint);
            let expiry = match cached.get(&key) {
                Some(text) => DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|at| at.with_timezone(&Utc)),
                None => {
                    // A value gone from the keychain (deleted by hand) has no expiry to
                    // read; it must not take the whole dashboard down with it.
                    let expiry = match self.read_value(stored) {
                        Err(Error::Vault(VaultError::Missing { .. })) => None,
                        read => read?.expose_str().and_then(jwt_expiry),
                    };
                    learned.push((key, expiry));
                    expiry
                }
            };
            if let Some(expiry) = expiry {
                expiries.push((stored.credential.name.clone(), expiry));
            }
        }
        let held: HashSet<String> = tokens
            .iter()
            .map(|stored| format!("{JWT_EXPIRY_PREFIX}{}", stored.credential.fingerprint))
            .collect();
        let stale: Vec<&String> = cached.keys().filter(|key| !held.contains(*key)).collect();
        if learned.is_empty() && stale.is_empty() {
            return Ok(expiries);
        }
        let read = learned.len();
        self.write(|connection, at, actor| {
            for (key, expiry) in &learned {
                let text = expiry.map_or_else(|| "none".to_owned(), |at| at.to_rfc3339());
                settings::set(connection, key, &text)?;
            }
            for key in &stale {
                settings::remove(connection, key)?;
            }
            let detail = serde_json::json!({ "purpose": "jwt-expiry", "values_read": read });
            let row = audit::append(connection, at, actor, AuditAction::Scan, "check", detail)?;
            Ok(((), row))
        })?;
        Ok(expiries)
    }
}

/// The `exp` claim of a JWT, if the value is one.
pub(crate) fn jwt_expiry(value: &str) -> Option<DateTime<Utc>> {
    let mut parts = value.trim().split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    DateTime::from_timestamp(claims.get("exp")?.as_i64()?, 0)
}
