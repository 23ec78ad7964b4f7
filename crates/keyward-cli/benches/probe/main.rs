//! `make bench-probe`: how fast Keyward's probe is on loopback endpoints, and whether
//! it reaches the same verdicts as testssl.sh and sslyze on the same servers.
//!
//! Servers (all on 127.0.0.1, started here): a sound rustls endpoint, a TLS 1.0-only and
//! a weak-suite `openssl s_server`, and rustls endpoints with an expired and a
//! wrong-host certificate; then 100 rustls endpoints for the batch figure. Keyward runs
//! in-process (the library call the CLI makes); the peers run as the CLI tools they are,
//! limited to the same ground: protocols, cipher suites, certificate.
//!
//! Prints a Markdown section and writes it to `benches/out/probe.md`.

use keyward_testsupport::tls_servers as probe_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use keyward::probe::finding::ids;
use keyward::probe::tls::Protocol;
use keyward::probe::{ProbeOptions, ProbeReport, ProbeTarget, Prober};
use probe_support::*;
use serde_json::Value;

const RUNS: usize = 20;

/// What each tool concluded about one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdict {
    /// SSLv3, TLS 1.0, 1.1, 1.2, 1.3 accepted.
    protocols: [bool; 5],
    expired: bool,
    hostname_mismatch: bool,
    /// A strict client would accept the certificate (trusted, in date, right name).
    certificate_ok: bool,
    /// Why the peer refused the certificate, when it says.
    detail: String,
}

impl Verdict {
    fn agreement(&self, other: &Verdict) -> (usize, usize, Vec<String>) {
        let mut agree = 0;
        let mut differences = Vec::new();
        for (index, protocol) in Protocol::ALL.iter().enumerate() {
            if self.protocols[index] == other.protocols[index] {
                agree += 1;
            } else {
                differences.push(format!(
                    "{} {}/{}",
                    protocol.as_str(),
                    self.protocols[index],
                    other.protocols[index]
                ));
            }
        }
        for (name, ours, theirs) in [
            ("expired", self.expired, other.expired),
            ("hostname", self.hostname_mismatch, other.hostname_mismatch),
            ("certificate ok", self.certificate_ok, other.certificate_ok),
        ] {
            if ours == theirs {
                agree += 1;
            } else {
                differences.push(format!("{name} {ours}/{theirs}"));
            }
        }
        (agree, 8, differences)
    }
}

fn keyward_verdict(report: &ProbeReport) -> Verdict {
    let tls = report.tls.as_ref().expect("TLS report");
    let mut protocols = [false; 5];
    for (index, protocol) in Protocol::ALL.iter().enumerate() {
        protocols[index] = tls
            .protocols
            .iter()
            .any(|entry| entry.protocol == *protocol && entry.accepted);
    }
    let certificate_problem = [
        ids::CERT_EXPIRED,
        ids::CERT_NOT_YET_VALID,
        ids::CERT_UNTRUSTED,
        ids::CERT_HOSTNAME_MISMATCH,
        ids::CERT_SELF_SIGNED,
    ]
    .iter()
    .any(|id| report.has_finding(id));
    Verdict {
        protocols,
        expired: report.has_finding(ids::CERT_EXPIRED),
        hostname_mismatch: report.has_finding(ids::CERT_HOSTNAME_MISMATCH),
        certificate_ok: !certificate_problem,
        detail: String::new(),
    }
}

fn testssl_verdict(json: &Value) -> Verdict {
    let entries = json.as_array().cloned().unwrap_or_default();
    let finding = |id: &str| -> String {
        entries
            .iter()
            .find(|entry| entry["id"] == id)
            .and_then(|entry| entry["finding"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    let severity = |id: &str| -> String {
        entries
            .iter()
            .find(|entry| entry["id"] == id)
            .and_then(|entry| entry["severity"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mut protocols = [false; 5];
    for (index, id) in ["SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"]
        .iter()
        .enumerate()
    {
        protocols[index] = finding(id).starts_with("offered");
    }
    let expired = finding("cert_expirationStatus").contains("expired");
    let hostname_mismatch = !matches!(severity("cert_trust").as_str(), "OK" | "INFO");
    let trusted = finding("cert_chain_of_trust").starts_with("passed");
    Verdict {
        protocols,
        expired,
        hostname_mismatch,
        certificate_ok: trusted && !expired && !hostname_mismatch,
        detail: finding("cert_chain_of_trust"),
    }
}

fn sslyze_verdict(json: &Value) -> Verdict {
    let result = &json["server_scan_results"][0]["scan_result"];
    let mut protocols = [false; 5];
    for (index, key) in [
        "ssl_3_0_cipher_suites",
        "tls_1_0_cipher_suites",
        "tls_1_1_cipher_suites",
        "tls_1_2_cipher_suites",
        "tls_1_3_cipher_suites",
    ]
    .iter()
    .enumerate()
    {
        protocols[index] = result[key]["result"]["accepted_cipher_suites"]
            .as_array()
            .is_some_and(|suites| !suites.is_empty());
    }
    let deployment = &result["certificate_info"]["result"]["certificate_deployments"][0];
    let supplied = deployment["path_validation_results"]
        .as_array()
        .and_then(|results| {
            results
                .iter()
                .find(|entry| entry["trust_store"]["name"] == "Supplied CA file")
        })
        .cloned()
        .unwrap_or(Value::Null);
    let error = supplied["validation_error"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase();
    let not_after = deployment["received_certificate_chain"][0]["not_valid_after"]
        .as_str()
        .unwrap_or("");
    let expired =
        chrono::DateTime::parse_from_rfc3339(not_after).is_ok_and(|at| at < chrono::Utc::now());
    Verdict {
        protocols,
        expired,
        // The error text names the certificate as `name(cn=...)`; only a message about
        // the host itself counts.
        hostname_mismatch: error.contains("hostname")
            || error.contains("does not match")
            || error.contains("no matching"),
        certificate_ok: supplied["was_validation_successful"]
            .as_bool()
            .unwrap_or(false),
        detail: error.chars().take(160).collect(),
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn probe(prober: &Prober, url: &str) -> ProbeReport {
    prober
        .probe_blocking(vec![ProbeTarget::new(url.parse().unwrap())], |_| {})
        .remove(0)
}

fn run_tool(program: &str, args: &[String]) -> Option<Duration> {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let elapsed = started.elapsed();
    // testssl exits non-zero when it finds problems; the JSON file is what counts.
    let _ = status;
    Some(elapsed)
}

fn find_sslyze() -> Option<String> {
    let candidates = [
        std::env::var("SSLYZE").unwrap_or_default(),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../benches/out/sslyze-venv/bin/sslyze"
        )
        .into(),
        "sslyze".into(),
    ];
    candidates
        .into_iter()
        .filter(|candidate| !candidate.is_empty())
        .find(|candidate| {
            Command::new(candidate)
                .arg("--help")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
}

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let out_dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../benches/out"));
    std::fs::create_dir_all(out_dir).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Keyward Bench Root");
    let ca_file = scratch.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.cert_pem).unwrap();

    let sound = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let expired = https_server(
        TlsSpec::new(&ca.server(&["localhost"], days(-90), days(-2))),
        handler(|_| Reply::hardened(200)),
    );
    let mismatch = https_server(
        TlsSpec::new(&ca.server(&["other.test"], days(-1), days(300))),
        handler(|_| Reply::hardened(200)),
    );
    let legacy_cert = ca.localhost();
    let tls10 = OpenSslServer::start(
        &legacy_cert.cert_pem,
        &legacy_cert.key_pem,
        &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let weak = OpenSslServer::start(
        &legacy_cert.cert_pem,
        &legacy_cert.key_pem,
        &[
            "-no_tls1_3",
            "-cipher",
            "ECDHE-ECDSA-NULL-SHA:AECDH-AES128-SHA:ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0",
        ],
    );
    let endpoints: Vec<(&str, String)> = vec![
        ("sound (rustls, TLS 1.2+1.3)", sound.url("localhost", "/")),
        ("TLS 1.0 only (openssl)", tls10.url()),
        ("weak suites (openssl)", weak.url()),
        (
            "expired certificate (rustls)",
            expired.url("localhost", "/"),
        ),
        ("wrong host name (rustls)", mismatch.url("localhost", "/")),
    ];

    let options = ProbeOptions {
        custom_ca_pem: Some(ca.cert_pem.as_bytes().to_vec()),
        ..ProbeOptions::default()
    };
    let prober = Prober::new(options.clone()).unwrap();
    let mut lines = vec![
        "### One endpoint (full probe: protocols, suites, certificate, HTTP)".to_owned(),
        String::new(),
        format!(
            "Median and worst of {RUNS} runs, in-process (`Prober::probe_blocking`, a fresh runtime each run)."
        ),
        String::new(),
        "| endpoint | median | worst | grade |".to_owned(),
        "| --- | --- | --- | --- |".to_owned(),
    ];
    let mut ours = Vec::new();
    for (name, url) in &endpoints {
        let mut times = Vec::new();
        let mut report = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            report = Some(probe(&prober, url));
            times.push(started.elapsed());
        }
        let report = report.unwrap();
        let worst = *times.iter().max().unwrap();
        lines.push(format!(
            "| {name} | {} | {} | {} |",
            millis(median(times.clone())),
            millis(worst),
            report.grade.map_or("-", |grade| grade.as_str())
        ));
        ours.push((median(times), keyward_verdict(&report)));
    }

    let batch_servers: Vec<Server> = (0..100)
        .map(|_| {
            https_server(
                TlsSpec::new(&ca.localhost()),
                handler(|_| Reply::hardened(200)),
            )
        })
        .collect();
    let mut batch_times = Vec::new();
    for _ in 0..3 {
        let targets = batch_servers
            .iter()
            .map(|server| ProbeTarget::new(server.url("localhost", "/").parse().unwrap()))
            .collect();
        let batch = Prober::new(options.clone()).unwrap();
        let started = Instant::now();
        let reports = batch.probe_blocking(targets, |_| {});
        batch_times.push(started.elapsed());
        assert!(
            reports.iter().all(|report| report.error.is_none()),
            "every batch endpoint is probed"
        );
    }
    lines.push(String::new());
    lines.push(format!(
        "### 100 endpoints\n\n100 rustls endpoints (one port each), `targets_at_once` 32, 8 connections per host: median of 3 runs **{}** (runs: {}).",
        millis(median(batch_times.clone())),
        batch_times.iter().map(|time| millis(*time)).collect::<Vec<_>>().join(", ")
    ));

    let sslyze = find_sslyze();
    let testssl = Command::new("testssl")
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|_| "testssl".to_owned());
    lines.push(String::new());
    lines.push("### Side by side with testssl.sh and sslyze".to_owned());
    lines.push(String::new());
    lines.push(
        "Same servers, same ground: testssl.sh `-p -S` (protocols, server defaults and certificate), sslyze \
         `--certinfo --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3`, both given the test CA. Verdicts compared: \
         the five protocol versions accepted or not, expired, wrong host name, and whether a strict client would \
         accept the certificate (8 per endpoint). Keyward's time is its median from the table above (it also ran \
         the HTTP checks, which the peers did not)."
            .to_owned(),
    );
    lines.push(String::new());
    lines.push(
        "| endpoint | Keyward | testssl.sh | ratio | agree | sslyze | ratio | agree |".to_owned(),
    );
    lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |".to_owned());
    let mut totals = [(Duration::ZERO, Duration::ZERO, 0usize, 0usize); 2];
    let mut differences = Vec::new();
    for ((name, url), (our_time, our_verdict)) in endpoints.iter().zip(&ours) {
        let host_port = url
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_owned();
        let mut cells = vec![name.to_string(), millis(*our_time)];
        for (slot, tool) in [&testssl, &sslyze].into_iter().enumerate() {
            let Some(program) = tool else {
                cells.extend(["not installed".into(), "-".into(), "-".into()]);
                continue;
            };
            let json_path = scratch
                .path()
                .join(format!("{slot}-{}.json", host_port.replace(':', "_")));
            let _ = std::fs::remove_file(&json_path);
            let args: Vec<String> = if slot == 0 {
                vec![
                    "--quiet",
                    "--color",
                    "0",
                    "--warnings",
                    "off",
                    "-p",
                    "-S",
                    "--add-ca",
                    ca_file.to_str().unwrap(),
                    "--jsonfile",
                    json_path.to_str().unwrap(),
                    url,
                ]
                .into_iter()
                .map(str::to_owned)
                .collect()
            } else {
                vec![
                    "--quiet",
                    "--certinfo",
                    "--certinfo_ca_file",
                    ca_file.to_str().unwrap(),
                    "--sslv3",
                    "--tlsv1",
                    "--tlsv1_1",
                    "--tlsv1_2",
                    "--tlsv1_3",
                    "--json_out",
                    json_path.to_str().unwrap(),
                    &host_port,
                ]
                .into_iter()
                .map(str::to_owned)
                .collect()
            };
            let Some(elapsed) = run_tool(program, &args) else {
                cells.extend(["failed to run".into(), "-".into(), "-".into()]);
                continue;
            };
            let Some(json) = std::fs::read_to_string(&json_path)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            else {
                cells.extend([millis(elapsed), "-".into(), "no JSON".into()]);
                continue;
            };
            let verdict = if slot == 0 {
                testssl_verdict(&json)
            } else {
                sslyze_verdict(&json)
            };
            let (agree, of, diff) = our_verdict.agreement(&verdict);
            if !diff.is_empty() {
                differences.push(format!(
                    "{name} vs {}: {} (Keyward/peer); peer says: {}",
                    if slot == 0 { "testssl.sh" } else { "sslyze" },
                    diff.join(", "),
                    verdict.detail
                ));
            }
            totals[slot].0 += *our_time;
            totals[slot].1 += elapsed;
            totals[slot].2 += agree;
            totals[slot].3 += of;
            cells.extend([
                millis(elapsed),
                format!("{:.0}x", elapsed.as_secs_f64() / our_time.as_secs_f64()),
                format!("{agree}/{of}"),
            ]);
        }
        lines.push(format!("| {} |", cells.join(" | ")));
    }
    let total_cell = |slot: usize| {
        let (ours, theirs, agree, of) = totals[slot];
        if of == 0 {
            ["-".to_owned(), "-".to_owned(), "-".to_owned()]
        } else {
            [
                millis(theirs),
                format!("{:.0}x", theirs.as_secs_f64() / ours.as_secs_f64()),
                format!("{agree}/{of}"),
            ]
        }
    };
    let [t1, t2, t3] = total_cell(0);
    let [s1, s2, s3] = total_cell(1);
    let our_total: Duration = ours.iter().map(|(time, _)| *time).sum();
    lines.push(format!(
        "| **all five** | {} | {t1} | {t2} | {t3} | {s1} | {s2} | {s3} |",
        millis(our_total)
    ));
    if !differences.is_empty() {
        lines.push(String::new());
        lines.push("Disagreements:".to_owned());
        for difference in differences {
            lines.push(format!("- {difference}"));
        }
    }
    let text = lines.join("\n");
    println!("{text}");
    std::fs::write(out_dir.join("probe.md"), format!("{text}\n")).unwrap();
}
