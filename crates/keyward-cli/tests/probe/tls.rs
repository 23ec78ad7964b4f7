//! Protocols, cipher suites, DH groups, stapling and client certificates.

use super::*;

// ------------------------------------------------------------------ protocols and suites

fn rsa_2048_localhost(dir: &std::path::Path) -> (String, String) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ],
        dir,
    );
    (
        std::fs::read_to_string(dir.join("cert.pem")).unwrap(),
        std::fs::read_to_string(dir.join("key.pem")).unwrap(),
    )
}

#[test]
fn tls_1_0_and_1_1_are_found_by_our_own_hellos() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    let tls10 = OpenSslServer::start(&cert, &key, &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let tls11 = OpenSslServer::start(&cert, &key, &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let reports = probe_all(
        options(None),
        vec![target(&tls10.url()), target(&tls11.url())],
    );
    assert_has(&reports[0], ids::PROTOCOL_TLS10);
    assert_lacks(&reports[0], ids::PROTOCOL_TLS11);
    assert_has(&reports[1], ids::PROTOCOL_TLS11);
    assert_lacks(&reports[1], ids::PROTOCOL_TLS10);
    for report in &reports {
        assert_has(report, ids::NO_TLS13);
        assert_lacks(report, ids::PROTOCOL_SSLV3);
        assert!(
            report.grade.unwrap() >= Grade::B,
            "a legacy protocol caps the grade at B"
        );
    }
}

#[test]
fn weak_suites_static_rsa_and_missing_aead_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    let weak = OpenSslServer::start(
        &cert,
        &key,
        &[
            "-no_tls1_3",
            "-cipher",
            "ADH-AES128-SHA:NULL-SHA256:AES128-SHA:@SECLEVEL=0",
        ],
    );
    let strong = OpenSslServer::start(
        &cert,
        &key,
        &["-no_tls1_3", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
    );
    let reports = probe_all(
        options(None),
        vec![target(&weak.url()), target(&strong.url())],
    );
    let weak_report = &reports[0];
    assert_has(weak_report, ids::CIPHER_WEAK);
    assert_has(weak_report, ids::CIPHER_NO_FORWARD_SECRECY);
    assert_has(weak_report, ids::CIPHER_NO_AEAD);
    let evidence = &weak_report
        .findings
        .iter()
        .find(|finding| finding.id == ids::CIPHER_WEAK)
        .unwrap()
        .evidence;
    assert!(
        evidence.contains("(anon)") && evidence.contains("(NULL)"),
        "{evidence}"
    );
    let suites = &weak_report
        .tls
        .as_ref()
        .unwrap()
        .protocols
        .iter()
        .find(|protocol| protocol.protocol == Protocol::Tls12)
        .unwrap()
        .cipher_suites;
    assert_eq!(
        suites.len(),
        3,
        "enumeration finds exactly the configured suites: {suites:?}"
    );
    let strong_report = &reports[1];
    for id in [
        ids::CIPHER_WEAK,
        ids::CIPHER_NO_FORWARD_SECRECY,
        ids::CIPHER_NO_AEAD,
    ] {
        assert_lacks(strong_report, id);
    }
    assert_has(strong_report, ids::NO_TLS13);
}

#[test]
fn small_dh_groups_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    openssl(&["dhparam", "-out", "dh1024.pem", "1024"], dir.path());
    let dh1024 = dir.path().join("dh1024.pem");
    let small = OpenSslServer::start(
        &cert,
        &key,
        &[
            "-no_tls1_3",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-dhparam",
            dh1024.to_str().unwrap(),
        ],
    );
    let automatic = OpenSslServer::start(
        &cert,
        &key,
        &["-no_tls1_3", "-cipher", "DHE-RSA-AES128-GCM-SHA256"],
    );
    let reports = probe_all(
        options(None),
        vec![target(&small.url()), target(&automatic.url())],
    );
    assert_has(&reports[0], ids::KEX_WEAK_DH);
    assert_eq!(reports[0].tls.as_ref().unwrap().dh_prime_bits, Some(1024));
    assert_lacks(&reports[1], ids::KEX_WEAK_DH);
    assert!(reports[1].tls.as_ref().unwrap().dh_prime_bits.unwrap() >= 2048);
}

// ------------------------------------------------------------------ stapling and client certificates

#[test]
fn missing_stapling_and_client_certificate_requests_are_informational() {
    let ca = TestCa::new("Keyward Test Root");
    let plain = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let mut mtls_spec = TlsSpec::new(&ca.localhost());
    mtls_spec.client_auth = Some((ca.cert_pem.clone(), true));
    mtls_spec.ocsp = Some(b"ocsp".to_vec());
    let mtls = https_server(mtls_spec, handler(|_| Reply::hardened(200)));
    let reports = probe_all(
        options(Some(&ca.cert_pem)),
        vec![
            target(&plain.url("localhost", "/")),
            target(&mtls.url("localhost", "/")),
        ],
    );
    assert_has(&reports[0], ids::OCSP_NO_STAPLING);
    assert_lacks(&reports[0], ids::CLIENT_CERT_REQUIRED);
    assert_has(&reports[1], ids::CLIENT_CERT_REQUIRED);
    assert_lacks(&reports[1], ids::OCSP_NO_STAPLING);
    assert_eq!(
        reports[1].tls.as_ref().unwrap().client_certificate,
        keyward::probe::tls::ClientCertificatePolicy::Required
    );
}

#[test]
fn mtls_is_checked_with_the_stored_client_certificate() {
    let ca = TestCa::new("Keyward Test Root");
    let client = ca.client("ci-robot");
    let mut required = TlsSpec::new(&ca.localhost());
    required.client_auth = Some((ca.cert_pem.clone(), true));
    let enforced = https_server(required, handler(|_| Reply::hardened(200)));
    let mut optional = TlsSpec::new(&ca.localhost());
    optional.client_auth = Some((ca.cert_pem.clone(), false));
    let lax = https_server(optional, handler(|_| Reply::hardened(200)));
    let targets = vec![
        with_credential(
            &enforced.url("localhost", "/"),
            AuthMethod::Mtls,
            CredentialKind::ClientCert,
            &client.bundle(),
        ),
        with_credential(
            &lax.url("localhost", "/"),
            AuthMethod::Mtls,
            CredentialKind::ClientCert,
            &client.bundle(),
        ),
    ];
    let reports = probe_all(options(Some(&ca.cert_pem)), targets);
    assert_lacks(&reports[0], ids::MTLS_NOT_ENFORCED);
    assert_lacks(&reports[0], ids::CREDENTIAL_REJECTED);
    assert_eq!(
        reports[0]
            .http
            .as_ref()
            .unwrap()
            .auth
            .as_ref()
            .unwrap()
            .stored_credential,
        Some(200),
        "the stored certificate is accepted"
    );
    assert_has(&reports[1], ids::MTLS_NOT_ENFORCED);
    assert_eq!(reports[1].grade, Some(Grade::F));
}

#[test]
fn seed_is_weak_when_the_legacy_provider_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_2048_localhost(dir.path());
    let seed = OpenSslServer::start(
        &cert,
        &key,
        &[
            "-no_tls1_3",
            "-provider",
            "legacy",
            "-provider",
            "default",
            "-cipher",
            "SEED-SHA:AES128-GCM-SHA256:@SECLEVEL=0",
        ],
    );
    let report = probe_one(options(None), target(&seed.url()));
    let weak = report
        .findings
        .iter()
        .find(|finding| finding.id == ids::CIPHER_WEAK)
        .expect("SEED is a weak suite");
    assert!(
        weak.evidence.contains("TLS_RSA_WITH_SEED_CBC_SHA (SEED)"),
        "{}",
        weak.evidence
    );
    assert_lacks(&report, ids::CIPHER_NO_AEAD);
}
