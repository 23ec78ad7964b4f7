//! The CSV report: one row per credential, the same rows as the JSON report's `rows`.

use super::document::Report;

pub fn render(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &report.rows {
        writer.serialize(row)?;
    }
    if report.rows.is_empty() {
        writer.write_record([
            "workstation",
            "name",
            "kind",
            "provider",
            "integration",
            "owner",
            "environment",
            "created",
            "rotated",
            "rotate_every_days",
            "next_rotation",
            "rotation_overdue",
            "expires",
            "grade",
            "open_findings",
            "worst_severity",
            "last_review",
        ])?;
    }
    writer
        .into_inner()
        .map_err(|error| error.into_error().into())
}
