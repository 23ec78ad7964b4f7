//! The HTML report: one self-contained file (inline CSS and SVG, no script, no network)
//! that opens in any browser and prints cleanly.

use std::fmt::Write as _;

use super::charts;
use super::document::{Report, SEVERITIES};
use super::html_escape as escape;

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6473; --line: #d9dee7; --ok: #1f8a4c; --bad: #c0392b; --warn: #d68910; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; padding: 32px 40px; max-width: 1200px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 10px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin-bottom: 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; } .card b { display: block; font-size: 24px; } .card span { color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 24px; } figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f4f6fa; font-weight: 600; }
.pass { color: var(--ok); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
.sev-critical, .sev-high { color: var(--bad); font-weight: 600; } .sev-medium { color: var(--warn); font-weight: 600; } .sev-low, .sev-info { color: var(--muted); }
.muted { color: var(--muted); }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); } svg .label, svg .value { text-anchor: middle; } svg .tick { text-anchor: end; fill: var(--muted); }
svg .name { text-anchor: end; } svg .axis, svg .grid { stroke: var(--line); } svg .line { fill: none; stroke: #2e6fd8; stroke-width: 2; } svg .point { fill: #2e6fd8; }
svg .today { stroke: var(--ink); stroke-dasharray: 3 3; } svg .soon { fill: #fdebd0; } svg .expired { fill: var(--bad); } svg .expiring { fill: var(--warn); } svg .valid { fill: var(--ok); }
@media print { body { padding: 0; font-size: 11px; } h2 { break-after: avoid; } table, figure, .card { break-inside: avoid; } }
"#;

fn severity_colour(severity: &str) -> &'static str {
    match severity {
        "critical" => "#922b21",
        "high" => "#c0392b",
        "medium" => "#d68910",
        "low" => "#7f8c8d",
        _ => "#aab7b8",
    }
}

pub fn render(report: &Report) -> String {
    let mut page = String::with_capacity(64 * 1024 + report.rows.len() * 400);
    let workstations: Vec<String> = report
        .snapshots
        .iter()
        .map(|snapshot| {
            format!(
                "{} ({})",
                snapshot.workstation.hostname, snapshot.workstation.user
            )
        })
        .collect();
    let _ = write!(
        page,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>Keyward report</title><style>{STYLE}</style></head><body><h1>Keyward credential report</h1><div class="meta">Generated {} for {}. Metadata only: no secret value is part of this report.</div>"#,
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        escape(&workstations.join(", "))
    );
    summary(&mut page, report);
    charts_section(&mut page, report);
    compliance(&mut page, report);
    integrations(&mut page, report);
    findings(&mut page, report);
    page.push_str("</body></html>\n");
    page
}

fn summary(page: &mut String, report: &Report) {
    let credentials = report.rows.len();
    let overdue = report
        .rows
        .iter()
        .filter(|row| row.rotation_overdue)
        .count();
    let integrations: usize = report
        .snapshots
        .iter()
        .map(|snapshot| snapshot.integrations.len())
        .sum();
    let serious = report
        .findings
        .iter()
        .filter(|finding| matches!(finding.severity.as_str(), "critical" | "high"))
        .count();
    let failing = report
        .compliance
        .iter()
        .filter(|result| !result.passed)
        .count();
    let _ = write!(
        page,
        r#"<section id="summary"><h2>Summary</h2><div class="cards">"#
    );
    for (value, label) in [
        (credentials, "credentials"),
        (integrations, "integrations"),
        (overdue, "overdue rotations"),
        (serious, "critical/high findings"),
        (failing, "failing control checks"),
    ] {
        let _ = write!(
            page,
            r#"<div class="card"><b>{value}</b><span>{label}</span></div>"#
        );
    }
    page.push_str("</div></section>");
}

fn charts_section(page: &mut String, report: &Report) {
    page.push_str(r#"<section id="charts"><h2>Charts</h2><div class="charts">"#);
    let points: Vec<(String, Option<f64>)> = report
        .rotation_compliance
        .iter()
        .map(|month| {
            let share = (month.scheduled > 0)
                .then(|| month.compliant as f64 * 100.0 / month.scheduled as f64);
            (month.month[2..].to_owned(), share)
        })
        .collect();
    let _ = write!(
        page,
        "<figure><figcaption>Rotation compliance over time</figcaption>{}</figure>",
        charts::percent_line(
            "Share of scheduled credentials within their rotation period, by month",
            &points
        )
    );
    let grades: Vec<(String, u32, &str)> = report
        .grade_counts()
        .into_iter()
        .map(|(grade, count)| (grade, count, "#2e6fd8"))
        .collect();
    let _ = write!(
        page,
        "<figure><figcaption>Grade distribution</figcaption>{}</figure>",
        charts::bars("Probed endpoints by grade", &grades)
    );
    let severities: Vec<(String, u32, &str)> = report
        .severity_counts()
        .into_values()
        .map(|(severity, count)| {
            let colour = severity_colour(&severity);
            (severity, count, colour)
        })
        .collect();
    let _ = write!(
        page,
        "<figure><figcaption>Findings by severity</figcaption>{}</figure>",
        charts::bars("Open findings and warnings by severity", &severities)
    );
    let mut expiring: Vec<(String, i64)> = report
        .snapshots
        .iter()
        .flat_map(|snapshot| {
            snapshot
                .credentials
                .iter()
                .map(move |credential| (snapshot, credential))
        })
        .filter_map(|(snapshot, credential)| {
            credential.expires_at.map(|expires| {
                (
                    credential.name.clone(),
                    (expires - snapshot.generated_at).num_days(),
                )
            })
        })
        .collect();
    expiring.sort_by_key(|(_, days)| *days);
    expiring.truncate(40);
    let _ = write!(
        page,
        r#"<figure style="flex-basis:100%"><figcaption>Certificate and token expiry timeline</figcaption>{}</figure>"#,
        charts::timeline(
            "Expiry dates from 90 days ago to a year ahead",
            &expiring,
            90,
            365
        )
    );
    page.push_str("</div></section>");
}

fn compliance(page: &mut String, report: &Report) {
    page.push_str(r#"<section id="compliance"><h2>Compliance</h2><p class="muted">Each control is judged per integration from the findings and facts mapped to it (the mapping is data: controls.toml). A control passes where no mapped finding above info is open.</p>"#);
    let mut frameworks: Vec<&str> = report
        .compliance
        .iter()
        .map(|result| result.framework.as_str())
        .collect();
    frameworks.dedup();
    frameworks.sort();
    frameworks.dedup();
    for framework in frameworks {
        let _ = write!(
            page,
            r#"<h3 class="framework">{}</h3><table><tr><th>Control</th><th>Scope</th><th>Result</th><th>Evidence</th></tr>"#,
            escape(framework)
        );
        for result in report
            .compliance
            .iter()
            .filter(|result| result.framework == framework)
        {
            let evidence: Vec<String> = result
                .evidence
                .iter()
                .take(6)
                .map(|finding| {
                    format!(
                        "<code>{}</code> {}",
                        escape(&finding.id),
                        escape(&finding.subject)
                    )
                })
                .collect();
            let more = result.evidence.len().saturating_sub(6);
            let _ = write!(
                page,
                r#"<tr><td><b>{}</b> {}</td><td>{}</td><td class="{}">{}</td><td>{}{}</td></tr>"#,
                escape(&result.control),
                escape(&result.title),
                escape(&result.scope),
                if result.passed { "pass" } else { "fail" },
                if result.passed { "pass" } else { "fail" },
                evidence.join("<br>"),
                if more > 0 {
                    format!("<br><span class=\"muted\">and {more} more</span>")
                } else {
                    String::new()
                }
            );
        }
        page.push_str("</table>");
    }
    page.push_str("</section>");
}

fn integrations(page: &mut String, report: &Report) {
    page.push_str(r#"<section id="integrations"><h2>Integrations</h2>"#);
    for snapshot in &report.snapshots {
        let mut groups: Vec<(Option<&str>, String)> = snapshot
            .integrations
            .iter()
            .map(|integration| {
                (
                    Some(integration.name.as_str()),
                    format!(
                        "{} <span class=\"muted\">{} · owner {} · {}{}</span>",
                        escape(&integration.name),
                        escape(&integration.provider),
                        escape(&integration.owner),
                        escape(&integration.environment),
                        if report.snapshots.len() > 1 {
                            format!(" · {}", escape(&snapshot.workstation.hostname))
                        } else {
                            String::new()
                        }
                    ),
                )
            })
            .collect();
        groups.push((None, "Credentials without an integration".to_owned()));
        for (integration, heading) in groups {
            let rows: Vec<_> = report
                .rows
                .iter()
                .filter(|row| {
                    row.workstation == snapshot.workstation.hostname
                        && row.integration.as_str() == integration.unwrap_or("")
                })
                .collect();
            if rows.is_empty() && integration.is_none() {
                continue;
            }
            let _ = write!(page, "<h3>{heading}</h3>");
            for posture in snapshot.posture.iter().filter(|posture| {
                posture.integration.as_deref() == integration && integration.is_some()
            }) {
                let _ = write!(
                    page,
                    r#"<div>Endpoint {} graded <b>{}</b> <span class="muted">({})</span></div>"#,
                    escape(&posture.target),
                    escape(&posture.grade),
                    posture.probed_at.format("%Y-%m-%d")
                );
            }
            page.push_str("<table><tr><th>Credential</th><th>Kind</th><th>Rotated</th><th>Next rotation</th><th>Expires</th><th>Findings</th><th>Last review</th></tr>");
            for row in &rows {
                let _ = write!(
                    page,
                    r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="{}">{}</td><td>{}</td><td class="sev-{}">{}</td><td>{}</td></tr>"#,
                    escape(&row.name),
                    escape(&row.kind),
                    escape(&row.rotated),
                    if row.rotation_overdue { "fail" } else { "" },
                    if row.next_rotation.is_empty() {
                        "not scheduled".to_owned()
                    } else {
                        escape(&row.next_rotation)
                    },
                    escape(&row.expires),
                    escape(&row.worst_severity),
                    row.open_findings,
                    if row.last_review.is_empty() {
                        "never".to_owned()
                    } else {
                        escape(&row.last_review)
                    },
                );
            }
            page.push_str("</table>");
            let warnings: Vec<_> = report
                .findings
                .iter()
                .filter(|finding| {
                    finding.integration.as_deref() == integration && integration.is_some()
                })
                .filter(|finding| finding.severity != "info")
                .collect();
            if !warnings.is_empty() {
                page.push_str("<table><tr><th>Severity</th><th>Warning</th><th>Fix</th></tr>");
                for warning in warnings {
                    let _ = write!(
                        page,
                        r#"<tr><td class="sev-{0}">{0}</td><td><code>{1}</code> {2}: {3}</td><td>{4}</td></tr>"#,
                        escape(&warning.severity),
                        escape(&warning.id),
                        escape(&warning.subject),
                        escape(&warning.message),
                        escape(warning.fix.as_deref().unwrap_or(""))
                    );
                }
                page.push_str("</table>");
            }
        }
    }
    page.push_str("</section>");
}

fn findings(page: &mut String, report: &Report) {
    let _ = write!(
        page,
        r#"<section id="findings"><h2>All findings and warnings</h2><table><tr><th>Severity</th><th>Source</th><th>Id</th><th>Subject</th><th>Message</th><th>Fix</th></tr>"#
    );
    for finding in report
        .findings
        .iter()
        .filter(|finding| SEVERITIES.contains(&finding.severity.as_str()))
    {
        let _ = write!(
            page,
            r#"<tr><td class="sev-{0}">{0}</td><td>{1}</td><td><code>{2}</code></td><td>{3}</td><td>{4}</td><td>{5}</td></tr>"#,
            escape(&finding.severity),
            escape(&finding.source),
            escape(&finding.id),
            escape(&finding.subject),
            escape(&finding.message),
            escape(finding.fix.as_deref().unwrap_or(""))
        );
    }
    page.push_str("</table></section>");
}
