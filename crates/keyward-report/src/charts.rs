//! Inline SVG charts for the HTML report: no script, no external resource, so the report
//! renders the same offline, in any browser and on paper.

use std::fmt::Write as _;

use super::html_escape as escape;

/// A vertical bar chart; `bars` are (label, value, CSS colour).
pub fn bars(title: &str, bars: &[(String, u32, &str)]) -> String {
    let width = 60 + bars.len().max(1) as u32 * 56;
    let height = 190;
    let top = bars
        .iter()
        .map(|(_, value, _)| *value)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = open(title, width, height);
    let _ = write!(
        svg,
        r#"<line x1="40" y1="150" x2="{}" y2="150" class="axis"/>"#,
        width - 10
    );
    for (index, (label, value, colour)) in bars.iter().enumerate() {
        let x = 50 + index as u32 * 56;
        let bar = (*value as f64 / top as f64 * 120.0).round() as u32;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="40" height="{bar}" fill="{colour}"><title>{}: {value}</title></rect><text x="{}" y="{}" class="value">{value}</text><text x="{}" y="168" class="label">{}</text>"#,
            150 - bar,
            escape(label),
            x + 20,
            145 - bar,
            x + 20,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line of percentages over labelled points (0..=100).
pub fn percent_line(title: &str, points: &[(String, Option<f64>)]) -> String {
    let width = 80 + points.len().max(1) as u32 * 52;
    let height = 200;
    let mut svg = open(title, width, height);
    for level in [0, 50, 100] {
        let y = 160 - level * 130 / 100;
        let _ = write!(
            svg,
            r#"<line x1="44" y1="{y}" x2="{}" y2="{y}" class="grid"/><text x="38" y="{}" class="tick">{level}%</text>"#,
            width - 10,
            y + 4
        );
    }
    let mut path = String::new();
    for (index, (label, value)) in points.iter().enumerate() {
        let x = 60 + index as u32 * 52;
        let _ = write!(
            svg,
            r#"<text x="{x}" y="182" class="label">{}</text>"#,
            escape(label)
        );
        if let Some(value) = value {
            let y = 160.0 - value.clamp(0.0, 100.0) * 1.3;
            path.push_str(if path.is_empty() { "M" } else { " L" });
            let _ = write!(path, "{x} {y:.1}");
            let _ = write!(
                svg,
                r#"<circle cx="{x}" cy="{y:.1}" r="3.5" class="point"><title>{}: {value:.0}%</title></circle>"#,
                escape(label)
            );
        }
    }
    if !path.is_empty() {
        let _ = write!(svg, r#"<path d="{path}" class="line"/>"#);
    }
    svg.push_str("</svg>");
    svg
}

/// Items placed on a day axis from `-past` to `+future` days around today; each is
/// (label, days from today).
pub fn timeline(title: &str, items: &[(String, i64)], past: i64, future: i64) -> String {
    let width = 760u32;
    let row = 18u32;
    let height = 60 + items.len().max(1) as u32 * row;
    let span = (past + future).max(1) as f64;
    let x_of = |days: i64| 200.0 + (days.clamp(-past, future) + past) as f64 / span * 540.0;
    let mut svg = open(title, width, height);
    let today = x_of(0);
    let _ = write!(
        svg,
        r#"<line x1="{today:.1}" y1="20" x2="{today:.1}" y2="{}" class="today"/><text x="{today:.1}" y="14" class="label">today</text>"#,
        height - 10
    );
    let warn = x_of(30);
    let _ = write!(
        svg,
        r#"<rect x="{today:.1}" y="20" width="{:.1}" height="{}" class="soon"/>"#,
        warn - today,
        height - 30
    );
    for (index, (label, days)) in items.iter().enumerate() {
        let y = 34 + index as u32 * row;
        let class = if *days < 0 {
            "expired"
        } else if *days <= 30 {
            "expiring"
        } else {
            "valid"
        };
        let _ = write!(
            svg,
            r#"<text x="190" y="{}" class="name">{}</text><circle cx="{:.1}" cy="{y}" r="5" class="{class}"><title>{}: {} days</title></circle>"#,
            y + 4,
            escape(label),
            x_of(*days),
            escape(label),
            days
        );
    }
    if items.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="200" y="40" class="name-left">No certificates or expiring tokens.</text>"#
        );
    }
    svg.push_str("</svg>");
    svg
}

fn open(title: &str, width: u32, height: u32) -> String {
    format!(
        r#"<svg role="img" aria-label="{0}" viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>{0}</title>"#,
        escape(title)
    )
}
