//! Reports: the HTML report rendered in a real headless Chromium, CSV and JSON carrying
//! the same rows, the compliance mapping, signed review attestations, and no secrets.

use std::path::{Path, PathBuf};
use std::process::Command as ProcessCommand;

use crate::common::{TestHome, canary};

/// A home with an integration, a credential whose rotation is long overdue, one that
/// expires soon, and a review decision.
fn home_with_inventory() -> (TestHome, Vec<String>) {
    let home = TestHome::new();
    home.keyward(&[
        "integration",
        "add",
        "billing",
        "--provider",
        "stripe",
        "--owner",
        "payments",
        "--env",
        "prod",
        "--endpoint",
        "https://api.stripe.com/v1",
    ])
    .assert()
    .success();
    let values = vec![canary("stripe"), canary("deploy")];
    home.keyward(&[
        "cred",
        "add",
        "stripe-live",
        "--kind",
        "api-key",
        "--integration",
        "billing",
        "--rotate-every",
        "30d",
        "--value-stdin",
    ])
    .write_stdin(values[0].clone())
    .assert()
    .success();
    let soon = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    home.keyward(&[
        "cred",
        "add",
        "deploy",
        "--kind",
        "token",
        "--expires",
        &soon,
        "--value-stdin",
    ])
    .write_stdin(values[1].clone())
    .assert()
    .success();
    // Last rotated 100 days ago: 70 days overdue.
    let past = (chrono::Utc::now() - chrono::Duration::days(100))
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    home.sql(&format!("UPDATE credentials SET created_at = '{past}', rotated_at = '{past}' WHERE name = 'stripe-live'"));
    home.keyward(&[
        "review",
        "decide",
        "deploy",
        "--decision",
        "keep",
        "--note",
        "CI only",
    ])
    .assert()
    .success();
    (home, values)
}

fn report(home: &TestHome, format: &str, file: &str) -> PathBuf {
    let out = home.dir.path().join(file);
    home.keyward(&["report", "--format", format, "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

fn chromium(args: &[&str], page: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    ProcessCommand::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ])
        .args([
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,2200",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is installed by bootstrap")
}

#[test]
fn the_html_report_renders_every_section_in_a_browser() {
    let (home, _) = home_with_inventory();
    let html = report(&home, "html", "report.html");
    let source = std::fs::read_to_string(&html).unwrap();
    assert!(
        !source.contains("<script")
            && !source.contains("http://")
            && !source.contains("src=\"http"),
        "the report is self-contained"
    );
    let dom = chromium(&["--dump-dom"], &html);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for section in [
        "id=\"summary\"",
        "id=\"charts\"",
        "id=\"compliance\"",
        "id=\"integrations\"",
        "id=\"findings\"",
    ] {
        assert!(dom.contains(section), "the rendered report has {section}");
    }
    for text in [
        "Rotation compliance over time",
        "Grade distribution",
        "Findings by severity",
        "expiry timeline",
        "PCI DSS 4.0",
        "HIPAA",
        "SOC 2",
        "<svg",
    ] {
        assert!(dom.contains(text), "the rendered report shows {text}");
    }
    let screenshots = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/screenshots"
    ));
    std::fs::create_dir_all(screenshots).unwrap();
    let shot = screenshots.join("report.png");
    let output = chromium(&[&format!("--screenshot={}", shot.display())], &html);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot was taken"
    );
}

#[test]
fn csv_and_json_carry_the_same_rows() {
    let (home, _) = home_with_inventory();
    let csv = std::fs::read_to_string(report(&home, "csv", "report.csv")).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report(&home, "json", "report.json")).unwrap())
            .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let csv_rows: Vec<serde_json::Map<String, serde_json::Value>> = reader
        .records()
        .map(|record| {
            headers
                .iter()
                .zip(record.unwrap().iter())
                .map(|(key, value)| (key.to_owned(), serde_json::Value::String(value.to_owned())))
                .collect()
        })
        .collect();
    let json_rows = json["rows"].as_array().unwrap();
    assert_eq!(csv_rows.len(), 2);
    assert_eq!(json_rows.len(), csv_rows.len());
    for (csv_row, json_row) in csv_rows.iter().zip(json_rows) {
        for (key, value) in csv_row {
            let json_value = match &json_row[key] {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            assert_eq!(
                value.as_str().unwrap(),
                json_value,
                "column {key} of {}",
                csv_row["name"]
            );
        }
    }
    let stripe = json_rows
        .iter()
        .find(|row| row["name"] == "stripe-live")
        .unwrap();
    assert_eq!(stripe["rotation_overdue"], true);
    assert_eq!(stripe["owner"], "payments");
}

#[test]
fn compliance_fails_the_controls_an_overdue_rotation_bears_on() {
    let (home, _) = home_with_inventory();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report(&home, "json", "report.json")).unwrap())
            .unwrap();
    let result = |framework: &str, control: &str, scope: &str| {
        json["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|result| {
                result["framework"] == framework
                    && result["control"] == control
                    && result["scope"] == scope
            })
            .unwrap_or_else(|| panic!("{framework} {control} {scope}"))
            .clone()
    };
    let rotation = result("PCI DSS 4.0", "8.6.3", "billing");
    assert_eq!(rotation["passed"], false);
    assert!(
        rotation["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["id"] == "rotation.overdue"
                && finding["subject"] == "stripe-live")
    );
    assert_eq!(result("SOC 2", "CC6.1", "billing")["passed"], false);
    assert_eq!(
        result("PCI DSS 4.0", "10.2", "(workstation)")["passed"],
        true,
        "an intact audit log passes 10.2"
    );
    home.sql("UPDATE audit_log SET subject = 'edited' WHERE seq = 2");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report(&home, "json", "after.json")).unwrap())
            .unwrap();
    let audit = json["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| {
            result["framework"] == "HIPAA"
                && result["control"] == "164.312(b)"
                && result["scope"] == "(workstation)"
        })
        .unwrap();
    assert_eq!(
        audit["passed"], false,
        "an altered audit log fails the audit controls"
    );
}

#[test]
fn review_attestations_are_signed() {
    let (home, _) = home_with_inventory();
    let out = home.dir.path().join("attestation.json");
    home.keyward(&["review", "attest", "--out"])
        .arg(&out)
        .assert()
        .success();
    let bytes = std::fs::read(&out).unwrap();
    let (_, payload) = keyward::report::bundle::verify_document(
        &out,
        &bytes,
        keyward::ATTESTATION_FORMAT,
        keyward::ATTESTATION_CONTEXT,
    )
    .unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["decisions"][0]["subject"], "deploy");
    assert_eq!(payload["decisions"][0]["decision"], "keep");
    let mut tampered: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let edited = String::from_utf8(payload.to_string().into_bytes())
        .unwrap()
        .replace("keep", "revoke");
    use base64::Engine as _;
    tampered["payload"] = base64::engine::general_purpose::STANDARD
        .encode(edited)
        .into();
    let tampered = serde_json::to_vec(&tampered).unwrap();
    assert!(
        keyward::report::bundle::verify_document(
            &out,
            &tampered,
            keyward::ATTESTATION_FORMAT,
            keyward::ATTESTATION_CONTEXT
        )
        .is_err()
    );
    assert!(
        keyward::report::bundle::verify_document(
            &out,
            &bytes,
            keyward::report::bundle::BUNDLE_FORMAT,
            keyward::report::bundle::SIGNING_CONTEXT
        )
        .is_err(),
        "an attestation never verifies as a bundle"
    );
    let (code, _, stderr) = home.run(&["review", "decide", "nope", "--decision", "keep"], b"");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("credential `nope` does not exist"),
        "{stderr}"
    );
    let (code, _, stderr) = home.run(&["review", "decide", "deploy", "--decision", "ignore"], b"");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--decision") && stderr.contains("ignore"),
        "{stderr}"
    );
}

#[test]
fn reports_carry_no_secret_value() {
    let (home, values) = home_with_inventory();
    for (format, file) in [("html", "r.html"), ("csv", "r.csv"), ("json", "r.json")] {
        let bytes = std::fs::read(report(&home, format, file)).unwrap();
        for value in &values {
            assert!(
                !bytes
                    .windows(value.len())
                    .any(|window| window == value.as_bytes()),
                "the {format} report must not carry a value"
            );
        }
    }
}

#[test]
fn a_review_report_covers_every_imported_workstation() {
    let (alice, _) = home_with_inventory();
    let bob = TestHome::new();
    bob.add("bob-token", "token", &canary("bob"));
    let review = TestHome::new();
    let mut files = Vec::new();
    for (home, name) in [(&alice, "a.json"), (&bob, "b.json")] {
        let out = home.dir.path().join(name);
        home.keyward(&["export", "--bundle", "--out"])
            .arg(&out)
            .assert()
            .success();
        files.push(out);
    }
    review
        .keyward(&["review", "import", "--trust-new"])
        .args(&files)
        .assert()
        .success();
    let out = review.dir.path().join("team.json");
    review
        .keyward(&["report", "--format", "json", "--review", "--out"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let names: Vec<&str> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"bob-token") && names.contains(&"stripe-live"));
}

/// A plain-HTTP endpoint on loopback that answers every request with 200 and a
/// versioned `Server` header, until the test process ends.
fn plain_http_endpoint() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 2 {
                    line.clear();
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nserver: legacyd/2.4.1\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
            });
        }
    });
    url
}

#[test]
fn probe_results_feed_the_report_and_its_compliance() {
    let home = TestHome::new();
    let url = plain_http_endpoint();
    home.keyward(&[
        "integration",
        "add",
        "legacy",
        "--provider",
        "internal",
        "--owner",
        "ops",
        "--env",
        "dev",
        "--endpoint",
        &url,
    ])
    .assert()
    .success();
    let (_, _, stderr) = home.run(
        &["probe", "--integration", "legacy", "--timeout", "2s"],
        b"",
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report(&home, "json", "posture.json")).unwrap())
            .unwrap();
    let snapshot = &json["snapshots"][0];
    assert_eq!(snapshot["posture"][0]["target"], url.as_str());
    assert_eq!(snapshot["posture"][0]["integration"], "legacy");
    assert!(
        snapshot["posture"][0]["grade"]
            .as_str()
            .is_some_and(|grade| !grade.is_empty())
    );
    let ids: Vec<&str> = snapshot["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"http.plaintext_available"), "{ids:?}");
    let transmission = json["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| {
            result["framework"] == "PCI DSS 4.0"
                && result["control"] == "4.2.1"
                && result["scope"] == "legacy"
        })
        .unwrap();
    assert_eq!(
        transmission["passed"], false,
        "plain HTTP fails strong cryptography in transit"
    );
    let html = std::fs::read_to_string(report(&home, "html", "posture.html")).unwrap();
    assert!(
        html.contains("http.plaintext_available") && html.contains("graded"),
        "the HTML report shows posture"
    );
}
