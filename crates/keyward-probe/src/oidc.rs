//! OpenID Connect discovery checks: reads `/.well-known/openid-configuration` of an
//! integration's issuer and reports the flows and settings that weaken it.

use serde_json::Value;

use super::finding::{PostureFinding, ids};

/// Where the discovery document of `issuer` lives.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Findings from a discovery document.
pub fn findings(document: &Value) -> Vec<PostureFinding> {
    let mut findings = Vec::new();
    let strings = |key: &str| -> Vec<String> {
        document
            .get(key)
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };

    let pkce = strings("code_challenge_methods_supported");
    if !pkce.iter().any(|method| method == "S256") {
        findings.push(PostureFinding::new(
            ids::OIDC_NO_PKCE_S256,
            "the provider does not announce PKCE with S256",
            format!("code_challenge_methods_supported: {}", listed(&pkce)),
        ));
    }

    let grants = strings("grant_types_supported");
    let responses = strings("response_types_supported");
    let implicit_responses: Vec<&String> = responses
        .iter()
        .filter(|response| {
            response
                .split_whitespace()
                .any(|part| part == "token" || part == "id_token")
                && !response.split_whitespace().any(|part| part == "code")
        })
        .collect();
    if grants.iter().any(|grant| grant == "implicit") || !implicit_responses.is_empty() {
        findings.push(PostureFinding::new(
            ids::OIDC_IMPLICIT_GRANT,
            "the provider allows the implicit grant",
            format!(
                "grant_types_supported: {}; response_types_supported: {}",
                listed(&grants),
                listed(&responses)
            ),
        ));
    }
    if grants.iter().any(|grant| grant == "password") {
        findings.push(PostureFinding::new(
            ids::OIDC_PASSWORD_GRANT,
            "the provider allows the resource owner password grant",
            format!("grant_types_supported: {}", listed(&grants)),
        ));
    }

    let mut insecure: Vec<String> = Vec::new();
    if let Some(object) = document.as_object() {
        for (key, value) in object {
            if (key == "issuer" || key == "jwks_uri" || key.ends_with("_endpoint"))
                && let Some(url) = value.as_str()
                && url.to_ascii_lowercase().starts_with("http://")
            {
                insecure.push(format!("{key}: {}", keyward_outbound::redact(url)));
            }
        }
    }
    if !insecure.is_empty() {
        findings.push(PostureFinding::new(
            ids::OIDC_INSECURE_ENDPOINT,
            "the discovery document lists plain-HTTP endpoints",
            insecure.join(", "),
        ));
    }

    let algorithms = strings("id_token_signing_alg_values_supported");
    if algorithms
        .iter()
        .any(|alg| alg.eq_ignore_ascii_case("none"))
    {
        findings.push(PostureFinding::new(
            ids::OIDC_ALG_NONE,
            "the provider may sign ID tokens with `none`",
            format!(
                "id_token_signing_alg_values_supported: {}",
                listed(&algorithms)
            ),
        ));
    }
    findings
}

fn listed(values: &[String]) -> String {
    if values.is_empty() {
        "(absent)".into()
    } else {
        values.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sound_document_has_no_findings() {
        let document = serde_json::json!({
            "issuer": "https://id.example",
            "authorization_endpoint": "https://id.example/authorize",
            "token_endpoint": "https://id.example/token",
            "jwks_uri": "https://id.example/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        assert!(findings(&document).is_empty());
    }

    #[test]
    fn every_weakness_is_named() {
        let document = serde_json::json!({
            "issuer": "https://id.example",
            "token_endpoint": "http://id.example/token",
            "response_types_supported": ["code", "id_token token"],
            "grant_types_supported": ["authorization_code", "password"],
            "code_challenge_methods_supported": ["plain"],
            "id_token_signing_alg_values_supported": ["RS256", "none"],
        });
        let ids: Vec<String> = findings(&document)
            .into_iter()
            .map(|finding| finding.id)
            .collect();
        assert_eq!(
            ids,
            vec![
                ids::OIDC_NO_PKCE_S256,
                ids::OIDC_IMPLICIT_GRANT,
                ids::OIDC_PASSWORD_GRANT,
                ids::OIDC_INSECURE_ENDPOINT,
                ids::OIDC_ALG_NONE
            ]
        );
    }
}
