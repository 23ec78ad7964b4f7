//! Does authentication hold? With the endpoint's credential, sent exactly as its auth
//! method says: no credential must be refused, a wrong credential of the same shape
//! must be refused, the stored one should be accepted. JWT credentials are also tried
//! as an `alg: none` variant and, when their expiry can be tested, expired.
//!
//! Every request that carries a secret goes through the verifying client, marked as
//! carrying the credential, so the outbound policy asks [`CredentialUse::permits`]
//! about its final URL (query included) right before it is sent.

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::{Deserialize, Serialize};
use url::Url;

use super::HttpSettings;
use super::client::{self, Answer, Client, Outgoing, send};
use crate::finding::{PostureFinding, ids};
use crate::tls::TrustStore;
use crate::{CredentialUse, ProbeTarget, jwt, target_label};
use keyward_model::{AuthMethod, CredentialKind};
use keyward_outbound::{Gate, Refusal, RefusalReason};

/// The probe's cleared credential is the gate of every request that carries it.
impl Gate for CredentialUse {
    fn admit(&self, url: &Url) -> Result<(), Refusal> {
        if self.permits(url) {
            Ok(())
        } else {
            Err(Refusal::new(self.name(), url, RefusalReason::NotPermitted))
        }
    }
}

/// Status codes of the authentication checks (`None`: not tried, or no answer).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuthReport {
    pub method: String,
    pub credential: Option<String>,
    pub without_credential: Option<u16>,
    pub wrong_credential: Option<u16>,
    pub stored_credential: Option<u16>,
    pub alg_none_token: Option<u16>,
    pub expired_token: Option<u16>,
}

pub async fn probe(
    target: &ProbeTarget,
    settings: &HttpSettings,
    trust: &TrustStore,
    unauthenticated: Option<&Answer>,
) -> (Option<AuthReport>, Vec<PostureFinding>, Vec<String>) {
    let method = target
        .credential
        .as_ref()
        .map_or(&target.auth, |credential| credential.method());
    if *method == AuthMethod::None {
        return (None, Vec::new(), Vec::new());
    }
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let mut report = AuthReport {
        method: method.to_string(),
        credential: target
            .credential
            .as_ref()
            .map(|credential| credential.name().to_owned()),
        without_credential: unauthenticated.map(|answer| answer.status),
        ..AuthReport::default()
    };

    if let AuthMethod::Query(name) = method {
        findings.push(PostureFinding::new(
            ids::CREDENTIAL_IN_QUERY,
            "the credential travels in the URL query",
            format!("query parameter `{name}`"),
        ));
    }
    if *method == AuthMethod::Basic && target.url.scheme() == "http" {
        findings.push(PostureFinding::new(
            ids::BASIC_OVER_HTTP,
            "Basic credentials are expected over plain HTTP",
            target_label(&target.url),
        ));
    }
    if let Some(answer) = unauthenticated.filter(|answer| answer.accepted()) {
        let (id, message) = if *method == AuthMethod::Mtls {
            (
                ids::MTLS_NOT_ENFORCED,
                "the endpoint answers without a client certificate",
            )
        } else {
            (
                ids::UNAUTHENTICATED_ACCESS,
                "the endpoint answers without any credential",
            )
        };
        findings.push(PostureFinding::new(
            id,
            message,
            format!("GET {} -> {}", target_label(&target.url), answer.status),
        ));
    }

    let Some(credential) = &target.credential else {
        notes.push("no credential linked: only the unauthenticated request was checked".into());
        return (Some(report), findings, notes);
    };
    if !credential.permits(&target.url) {
        notes.push(format!(
            "credential `{}` withheld: not allowed for {}",
            credential.name(),
            target_label(&target.url)
        ));
        return (Some(report), findings, notes);
    }
    let Some(value) = credential.value().expose_str() else {
        if *method != AuthMethod::Mtls {
            notes.push(format!(
                "credential `{}` is not text and cannot be sent as {method}",
                credential.name()
            ));
            return (Some(report), findings, notes);
        }
        return (Some(report), findings, notes);
    };
    let identity = (*method == AuthMethod::Mtls).then_some(value.as_bytes());
    let verifying = match client::verifying(settings.timeouts, trust, identity) {
        Ok(client) => client,
        Err(error) => {
            notes.push(format!(
                "credential `{}` not sent: {error}",
                credential.name()
            ));
            return (Some(report), findings, notes);
        }
    };

    let stored = match send(carried(&verifying, credential, &target.url, method, value)).await {
        Ok(answer) => answer,
        Err(error) => {
            notes.push(format!(
                "credential `{}` not sent or not answered: {error}",
                credential.name()
            ));
            return (Some(report), findings, notes);
        }
    };
    report.stored_credential = Some(stored.status);
    if stored.refused() {
        findings.push(PostureFinding::new(
            ids::CREDENTIAL_REJECTED,
            format!("the stored credential `{}` is refused", credential.name()),
            format!(
                "GET {} with {method} -> {}",
                target_label(&target.url),
                stored.status
            ),
        ));
    }
    if stored.accepted() {
        let cache_control = stored
            .header("cache-control")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !cache_control.contains("no-store") && !cache_control.contains("private") {
            findings.push(PostureFinding::new(
                ids::SENSITIVE_CACHEABLE,
                "an authenticated response may be stored by shared caches",
                format!(
                    "Cache-Control: {}",
                    if cache_control.is_empty() {
                        "(absent)"
                    } else {
                        &cache_control
                    }
                ),
            ));
        }
    }

    if *method == AuthMethod::Mtls {
        notes.push(
            "wrong-credential check skipped for mTLS: the refusal without a certificate covers it"
                .into(),
        );
        return (Some(report), findings, notes);
    }
    let token = jwt::inspect(value);
    let wrong = wrong_value(value, credential.kind(), token.is_some());
    if let Ok(answer) = send(carried(&verifying, credential, &target.url, method, &wrong)).await {
        report.wrong_credential = Some(answer.status);
        if answer.accepted() {
            findings.push(PostureFinding::new(
                ids::ACCEPTS_INVALID_CREDENTIAL,
                "the endpoint accepts a wrong credential of the right shape",
                format!(
                    "GET {} with a random {method} value -> {}",
                    target_label(&target.url),
                    answer.status
                ),
            ));
        }
    }

    if let Some(facts) = token {
        findings.extend(jwt::offline_findings(value, &facts));
        let carries_token = matches!(
            method,
            AuthMethod::Bearer | AuthMethod::Header(_) | AuthMethod::Query(_)
        );
        if carries_token {
            jwt_checks(
                &verifying,
                credential,
                target,
                method,
                value,
                &facts,
                &stored,
                settings,
                &mut report,
                &mut findings,
            )
            .await;
        }
    }
    (Some(report), findings, notes)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one step of one probe; a struct would only rename the arguments"
)]
async fn jwt_checks(
    client: &Client,
    credential: &CredentialUse,
    target: &ProbeTarget,
    method: &AuthMethod,
    token: &str,
    facts: &jwt::TokenFacts,
    stored: &Answer,
    settings: &HttpSettings,
    report: &mut AuthReport,
    findings: &mut Vec<PostureFinding>,
) {
    if let Some(unsigned) = jwt::alg_none_variant(token)
        && let Ok(answer) = send(carried(client, credential, &target.url, method, &unsigned)).await
    {
        report.alg_none_token = Some(answer.status);
        if answer.accepted() {
            findings.push(PostureFinding::new(
                ids::JWT_ALG_NONE_ACCEPTED,
                "the endpoint accepts an unsigned (`alg: none`) copy of the token",
                format!("GET {} -> {}", target_label(&target.url), answer.status),
            ));
        }
    }
    let already_expired = facts
        .expires_at
        .is_some_and(|expires| expires < settings.now);
    let expired_answer = if already_expired {
        Some(stored.clone())
    } else if let Some(secret) = jwt::weak_secret(token, facts)
        && let Some(expired) = jwt::expired_variant(token, facts, secret, settings.now)
    {
        send(carried(client, credential, &target.url, method, &expired))
            .await
            .ok()
    } else {
        None
    };
    if let Some(answer) = expired_answer {
        report.expired_token = Some(answer.status);
        if answer.accepted() {
            findings.push(PostureFinding::new(
                ids::JWT_EXPIRY_NOT_ENFORCED,
                "the endpoint accepts an expired token",
                format!(
                    "GET {} with a token past its exp -> {}",
                    target_label(&target.url),
                    answer.status
                ),
            ));
        }
    }
}

/// [`authorized`], marked as carrying `credential`, whose host rules get the last word.
fn carried<'a>(
    client: &'a Client,
    credential: &'a CredentialUse,
    url: &Url,
    method: &AuthMethod,
    value: &str,
) -> Outgoing<'a> {
    authorized(client, url, method, value).carrying(credential)
}

/// A request carrying `value` the way `method` says. Header values are marked
/// sensitive so they never show up in debug output.
pub fn authorized<'a>(
    client: &'a Client,
    url: &Url,
    method: &AuthMethod,
    value: &str,
) -> Outgoing<'a> {
    let sensitive = |text: String| {
        let mut header =
            HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
        header.set_sensitive(true);
        header
    };
    match method {
        AuthMethod::Header(name) => client
            .get(url.clone())
            .with(|request| request.header(name.as_str(), sensitive(value.to_owned()))),
        AuthMethod::Bearer => client
            .get(url.clone())
            .with(|request| request.header(AUTHORIZATION, sensitive(format!("Bearer {value}")))),
        AuthMethod::Basic => {
            use base64::Engine;
            let encoded = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
            client.get(url.clone()).with(|request| {
                request.header(AUTHORIZATION, sensitive(format!("Basic {encoded}")))
            })
        }
        AuthMethod::Query(name) => {
            let mut with_query = url.clone();
            with_query.query_pairs_mut().append_pair(name, value);
            client.get(with_query)
        }
        AuthMethod::Mtls | AuthMethod::None => client.get(url.clone()),
    }
}

/// A value of the same shape as `value` that cannot be right: same length, same
/// character classes; for `basic` the same user with another password; for a JWT the
/// same claims with a forged signature.
pub fn wrong_value(value: &str, kind: CredentialKind, is_jwt: bool) -> String {
    if is_jwt && let Some(forged) = jwt::forged_signature_variant(value) {
        return forged;
    }
    if kind == CredentialKind::Basic
        && let Some((user, password)) = value.split_once(':')
    {
        return format!("{user}:{}", garble(password));
    }
    garble(value)
}

/// Replaces letters and digits at random, keeping a provider prefix such as `sk_live_`
/// (a separator in the first half), which servers often check before the key itself.
fn garble(text: &str) -> String {
    let pick = |alphabet: &[u8]| {
        alphabet[usize::from(keyward_model::random::random_bytes::<1>()[0]) % alphabet.len()]
            as char
    };
    let keep = text
        .char_indices()
        .rfind(|(index, c)| matches!(c, '_' | '-') && *index < text.len() / 2)
        .map_or(0, |(index, _)| index + 1);
    let mut out: String = text[..keep].to_owned();
    out.extend(text[keep..].chars().map(|c| match c {
        '0'..='9' => pick(b"0123456789"),
        'a'..='z' => pick(b"abcdefghijklmnopqrstuvwxyz"),
        'A'..='Z' => pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        other => other,
    }));
    if out == text {
        // Too short or without letters and digits to change: make it differ anyway.
        out.push('x');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_values_keep_the_shape_but_not_the_value() {
        let key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
        let wrong = wrong_value(key, CredentialKind::ApiKey, false);
        assert_ne!(wrong, key);
        assert_eq!(wrong.len(), key.len());
        assert!(
            wrong.starts_with("sk_live_"),
            "a provider prefix stays, so the server judges the key itself"
        );
        let basic = wrong_value("alice:hunter22", CredentialKind::Basic, false);
        assert!(basic.starts_with("alice:") && basic != "alice:hunter22");
    }
}
