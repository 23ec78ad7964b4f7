//! HTTP posture: HSTS, plain-HTTP exposure, CORS, information leaks, caching, rate
//! limiting, and (in [`auth`]) whether the endpoint's authentication holds.

pub mod auth;
pub mod client;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::finding::{PostureFinding, ids};
use super::tls::TrustStore;
use super::{ProbeTarget, RateLimitCheck, Timeouts, target_label};
use client::{Answer, send};

pub use auth::AuthReport;

/// HSTS max-age below this (180 days) is reported as short.
pub const HSTS_MIN_SECONDS: u64 = 180 * 86_400;

/// The Origin sent to see whether CORS reflects arbitrary origins.
const PROBE_ORIGIN: &str = "https://keyward-probe.invalid";

/// Marks of a stack trace or framework debug page in an error body.
const STACK_TRACE_MARKS: &[&str] = &[
    "Traceback (most recent call last)",
    "Exception in thread \"",
    "\tat java.",
    "\n    at java.",
    "at org.springframework.",
    "panicked at ",
    "goroutine 1 [running]",
    "System.NullReferenceException",
    "   at System.",
    "Fatal error: Uncaught",
    "Stack trace:",
    "ActionController::RoutingError",
    "at Object.<anonymous>",
    "node_modules/express/",
    "Whitelabel Error Page",
    "django.core.exceptions",
    "Werkzeug Debugger",
];

/// What the HTTP checks saw.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HttpReport {
    pub status: Option<u16>,
    pub server: Option<String>,
    pub powered_by: Option<String>,
    pub hsts: Option<String>,
    /// The plain-HTTP check: what `http://` on the plain port answered.
    pub plaintext: Option<PlaintextReport>,
    pub auth: Option<AuthReport>,
    pub rate_limit: Option<RateLimitReport>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlaintextReport {
    pub url: String,
    pub status: Option<u16>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RateLimitReport {
    pub requests: u32,
    pub throttled: bool,
    pub headers: Vec<String>,
}

/// Settings for the HTTP checks.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub timeouts: Timeouts,
    pub plaintext_port: Option<u16>,
    pub rate_limit: Option<RateLimitCheck>,
    pub now: DateTime<Utc>,
}

/// Runs the HTTP checks. Findings and notes (what was skipped and why) come back
/// alongside the report.
pub async fn probe(
    target: &ProbeTarget,
    settings: &HttpSettings,
    trust: &TrustStore,
) -> (HttpReport, Vec<PostureFinding>, Vec<String>) {
    let mut report = HttpReport::default();
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let inspecting = match client::inspecting(settings.timeouts) {
        Ok(client) => client,
        Err(error) => {
            report.errors.push(error);
            return (report, findings, notes);
        }
    };
    let https = target.url.scheme() == "https";

    // The unauthenticated request doubles as the CORS check.
    let base = send(
        inspecting
            .get(target.url.clone())
            .with(|request| request.header("Origin", PROBE_ORIGIN)),
    )
    .await;
    let error_page = send(inspecting.get(error_page_url(&target.url))).await;
    let null_origin = send(
        inspecting
            .get(target.url.clone())
            .with(|request| request.header("Origin", "null")),
    )
    .await;
    match &base {
        Ok(answer) => {
            report.status = Some(answer.status);
            report.server = answer.header("server");
            report.powered_by = answer.header("x-powered-by");
            report.hsts = answer.header("strict-transport-security");
            header_findings(answer, https, &mut findings);
            cors_findings(
                answer,
                PROBE_ORIGIN,
                ids::CORS_CREDENTIALED_WILDCARD,
                &mut findings,
            );
        }
        Err(error) => report
            .errors
            .push(format!("GET {}: {error}", target_label(&target.url))),
    }
    if let Ok(answer) = &null_origin {
        cors_findings(answer, "null", ids::CORS_NULL_ORIGIN, &mut findings);
    }
    let mut traced = false;
    for answer in [&base, &error_page].into_iter().flatten() {
        if !traced
            && let Some(mark) = STACK_TRACE_MARKS
                .iter()
                .find(|mark| answer.body.contains(**mark))
        {
            traced = true;
            findings.push(PostureFinding::new(
                ids::STACK_TRACE,
                "an error page shows a stack trace",
                format!("status {} body contains {mark:?}", answer.status),
            ));
        }
    }

    plaintext_check(target, settings, &inspecting, &mut report, &mut findings).await;

    if let Some(check) = settings.rate_limit {
        report.rate_limit =
            Some(rate_limit_check(&inspecting, &target.url, check, &mut findings).await);
    }

    let (auth, auth_findings, auth_notes) =
        auth::probe(target, settings, trust, base.as_ref().ok()).await;
    report.auth = auth;
    findings.extend(auth_findings);
    notes.extend(auth_notes);
    (report, findings, notes)
}

fn error_page_url(url: &Url) -> Url {
    let mut error_url = url.clone();
    let random = hex::encode(keyward_model::random::random_bytes::<6>());
    error_url.set_path(&format!("/.keyward-probe/{random}/%00"));
    error_url.set_query(Some("keyward=%ff"));
    error_url
}

fn header_findings(answer: &Answer, https: bool, findings: &mut Vec<PostureFinding>) {
    if https {
        match answer.header("strict-transport-security") {
            None => findings.push(PostureFinding::new(
                ids::HSTS_MISSING,
                "no Strict-Transport-Security header",
                format!("status {}", answer.status),
            )),
            Some(value) => {
                let max_age = value
                    .split(';')
                    .filter_map(|part| part.trim().strip_prefix("max-age="))
                    .find_map(|age| age.trim_matches('"').parse::<u64>().ok());
                if max_age.is_none_or(|age| age < HSTS_MIN_SECONDS) {
                    findings.push(PostureFinding::new(
                        ids::HSTS_SHORT,
                        format!("HSTS max-age is below {} days", HSTS_MIN_SECONDS / 86_400),
                        value,
                    ));
                }
            }
        }
    }
    let versions: Vec<String> = ["server", "x-powered-by"]
        .into_iter()
        .filter_map(|name| answer.header(name).map(|value| (name, value)))
        .filter(|(_, value)| value.chars().any(|c| c.is_ascii_digit()))
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    if !versions.is_empty() {
        findings.push(PostureFinding::new(
            ids::SERVER_VERSION,
            "response headers reveal software versions",
            versions.join(", "),
        ));
    }
    let nosniff = answer
        .header("x-content-type-options")
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("nosniff"));
    if !nosniff {
        findings.push(PostureFinding::new(
            ids::NOSNIFF_MISSING,
            "no X-Content-Type-Options: nosniff",
            format!("status {}", answer.status),
        ));
    }
}

fn cors_findings(answer: &Answer, origin: &str, id: &str, findings: &mut Vec<PostureFinding>) {
    let allowed = answer.header("access-control-allow-origin");
    let credentials = answer
        .header("access-control-allow-credentials")
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    if credentials
        && allowed
            .as_deref()
            .is_some_and(|allowed| allowed == origin || allowed == "*")
    {
        findings.push(PostureFinding::new(
            id,
            format!("CORS allows origin {origin} with credentials"),
            format!(
                "Access-Control-Allow-Origin: {}; Access-Control-Allow-Credentials: true",
                allowed.unwrap_or_default()
            ),
        ));
    }
}

/// Looks at what plain HTTP serves: for `http://` targets the target itself, for
/// `https://` targets the plain port of the same host.
async fn plaintext_check(
    target: &ProbeTarget,
    settings: &HttpSettings,
    client: &client::Client,
    report: &mut HttpReport,
    findings: &mut Vec<PostureFinding>,
) {
    let mut url = target.url.clone();
    if url.scheme() == "https" {
        let port = match (settings.plaintext_port, url.port_or_known_default()) {
            (Some(port), _) => port,
            (None, Some(443)) => 80,
            // A service on a custom TLS port has no conventional plain twin to look at.
            _ => return,
        };
        if url.set_scheme("http").is_err() || url.set_port(Some(port)).is_err() {
            return;
        }
    }
    let shown = target_label(&url);
    let answer = match send(client.get(url.clone())).await {
        Ok(answer) => answer,
        Err(_) if target.url.scheme() == "https" => {
            report.plaintext = Some(PlaintextReport {
                url: shown,
                status: None,
                location: None,
            });
            return;
        }
        Err(error) => {
            report.errors.push(format!("GET {shown}: {error}"));
            return;
        }
    };
    let location = answer.header("location");
    let to_https = (300..400).contains(&answer.status)
        && location
            .as_deref()
            .is_some_and(|location| location.to_ascii_lowercase().starts_with("https://"));
    if !(300..400).contains(&answer.status) {
        findings.push(PostureFinding::new(
            ids::PLAINTEXT_AVAILABLE,
            "the endpoint is served over plain HTTP",
            format!("GET {shown} -> {}", answer.status),
        ));
    }
    if !to_https {
        findings.push(PostureFinding::new(
            ids::NO_HTTPS_REDIRECT,
            "plain HTTP does not redirect to HTTPS",
            format!(
                "GET {shown} -> {}{}",
                answer.status,
                location
                    .as_deref()
                    .map(|location| format!(" Location: {location}"))
                    .unwrap_or_default()
            ),
        ));
    }
    report.plaintext = Some(PlaintextReport {
        url: shown,
        status: Some(answer.status),
        location,
    });
}

/// The opt-in burst: at most [`RateLimitCheck::MAX_REQUESTS`] requests at the set rate,
/// stopping at the first sign of a limit.
async fn rate_limit_check(
    client: &client::Client,
    url: &Url,
    check: RateLimitCheck,
    findings: &mut Vec<PostureFinding>,
) -> RateLimitReport {
    let requests = check.requests.clamp(1, RateLimitCheck::MAX_REQUESTS);
    let interval = std::time::Duration::from_secs_f64(1.0 / f64::from(check.per_second.max(1)));
    let mut ticker = tokio::time::interval(interval);
    let mut report = RateLimitReport {
        requests: 0,
        throttled: false,
        headers: Vec::new(),
    };
    for _ in 0..requests {
        ticker.tick().await;
        report.requests += 1;
        let Ok(answer) = send(client.get(url.clone())).await else {
            continue;
        };
        report.headers = answer
            .headers
            .keys()
            .map(|name| name.as_str().to_owned())
            .filter(|name| {
                name.starts_with("ratelimit")
                    || name.starts_with("x-ratelimit")
                    || name == "retry-after"
            })
            .collect();
        report.throttled = answer.status == 429;
        if report.throttled || !report.headers.is_empty() {
            return report;
        }
    }
    findings.push(PostureFinding::new(
        ids::NO_RATE_LIMIT,
        format!(
            "{} requests at {}/s drew no 429 and no RateLimit headers",
            report.requests, check.per_second
        ),
        format!("GET {}", target_label(url)),
    ));
    report
}
