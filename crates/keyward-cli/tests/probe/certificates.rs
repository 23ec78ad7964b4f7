//! Certificate findings.

use super::*;

// ------------------------------------------------------------------ certificates

#[test]
fn each_certificate_problem_is_named_and_only_it() {
    let ca = TestCa::new("Keyward Test Root");
    let stranger = TestCa::new("Some Other Root");
    let cases: Vec<(&str, Issued)> = vec![
        (
            ids::CERT_EXPIRED,
            ca.server(&["localhost"], days(-60), days(-1)),
        ),
        (
            ids::CERT_NOT_YET_VALID,
            ca.server(&["localhost"], days(2), days(300)),
        ),
        (
            ids::CERT_EXPIRING,
            ca.server(&["localhost"], days(-60), days(10)),
        ),
        (
            ids::CERT_HOSTNAME_MISMATCH,
            ca.server(&["other.test"], days(-1), days(300)),
        ),
        (ids::CERT_UNTRUSTED, stranger.localhost()),
        (ids::CERT_SELF_SIGNED, self_signed_localhost()),
    ];
    let servers: Vec<Server> = cases
        .iter()
        .map(|(_, issued)| https_server(TlsSpec::new(issued), handler(|_| Reply::hardened(200))))
        .collect();
    let targets = servers
        .iter()
        .map(|server| target(&server.url("localhost", "/")))
        .collect();
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    let certificate_ids = [
        ids::CERT_EXPIRED,
        ids::CERT_NOT_YET_VALID,
        ids::CERT_EXPIRING,
        ids::CERT_HOSTNAME_MISMATCH,
        ids::CERT_UNTRUSTED,
        ids::CERT_SELF_SIGNED,
    ];
    for ((expected, _), report) in cases.iter().zip(&reports) {
        assert_has(report, expected);
        // A self-signed certificate is also untrusted; every other case is only itself.
        for other in certificate_ids.iter().filter(|id| *id != expected) {
            if !(*expected == ids::CERT_SELF_SIGNED && *other == ids::CERT_UNTRUSTED) {
                assert_lacks(report, other);
            }
        }
    }
    assert_eq!(
        reports[0].grade,
        Some(Grade::F),
        "an expired certificate fails the endpoint"
    );
    assert_eq!(
        reports[2].grade,
        Some(Grade::A),
        "an expiring certificate only costs the plus"
    );
}

#[test]
fn a_missing_intermediate_is_told_apart_from_an_untrusted_chain() {
    let root = TestCa::new("Keyward Test Root");
    let intermediate = root.intermediate("Keyward Test Intermediate");
    let leaf = intermediate.localhost();
    let leaf_only = https_server(TlsSpec::new(&leaf), handler(|_| Reply::hardened(200)));
    let full_chain = Issued {
        cert_pem: format!("{}{}", leaf.cert_pem, intermediate.cert_pem),
        key_pem: leaf.key_pem.clone(),
    };
    let complete = https_server(TlsSpec::new(&full_chain), handler(|_| Reply::hardened(200)));
    let ca_file = format!("{}{}", root.cert_pem, intermediate.cert_pem);
    let reports = probe_all(
        options(Some(&ca_file)),
        vec![
            target(&leaf_only.url("localhost", "/")),
            target(&complete.url("localhost", "/")),
        ],
    );
    assert_has(&reports[0], ids::CERT_INCOMPLETE_CHAIN);
    assert_lacks(&reports[0], ids::CERT_UNTRUSTED);
    assert_lacks(&reports[1], ids::CERT_INCOMPLETE_CHAIN);
    assert_lacks(&reports[1], ids::CERT_UNTRUSTED);
}

#[test]
fn rsa_1024_and_sha1_certificates_are_weak() {
    let dir = tempfile::tempdir().unwrap();
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-sha1",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ],
        dir.path(),
    );
    let cert = std::fs::read_to_string(dir.path().join("cert.pem")).unwrap();
    let key = std::fs::read_to_string(dir.path().join("key.pem")).unwrap();
    let server = OpenSslServer::start(&cert, &key, &["-cipher", "DEFAULT:@SECLEVEL=0"]);
    let report = probe_one(options(None), target(&server.url()));
    assert_has(&report, ids::CERT_WEAK_KEY);
    assert_has(&report, ids::CERT_WEAK_SIGNATURE);
    let evidence = &report
        .findings
        .iter()
        .find(|finding| finding.id == ids::CERT_WEAK_KEY)
        .unwrap()
        .evidence;
    assert_eq!(evidence, "RSA 1024");
}
