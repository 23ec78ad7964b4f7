//! HTTP header and plain-HTTP findings.

use super::*;

// ------------------------------------------------------------------ HTTP headers

#[test]
fn leaky_headers_cors_and_error_pages_are_found() {
    let ca = TestCa::new("Keyward Test Root");
    let leaky = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|seen| {
            if seen.path.starts_with("/.keyward-probe") {
                return Reply::new(500)
                    .body("Traceback (most recent call last):\n  File \"app.py\", line 3");
            }
            let mut reply = Reply::new(200)
                .header("server", "nginx/1.18.0")
                .header("x-powered-by", "PHP/7.4.3");
            if let Some(origin) = seen.header("origin") {
                reply = reply
                    .header("access-control-allow-origin", origin)
                    .header("access-control-allow-credentials", "true");
            }
            reply
        }),
    );
    let short = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| {
            Reply::new(200)
                .header("strict-transport-security", "max-age=3600")
                .header("x-content-type-options", "nosniff")
        }),
    );
    let reports = probe_all(
        options(Some(&ca.cert_pem)),
        vec![
            target(&leaky.url("localhost", "/")),
            target(&short.url("localhost", "/")),
        ],
    );
    for id in [
        ids::HSTS_MISSING,
        ids::SERVER_VERSION,
        ids::NOSNIFF_MISSING,
        ids::CORS_CREDENTIALED_WILDCARD,
        ids::CORS_NULL_ORIGIN,
        ids::STACK_TRACE,
    ] {
        assert_has(&reports[0], id);
        assert_lacks(&reports[1], id);
    }
    assert_lacks(&reports[0], ids::HSTS_SHORT);
    assert_has(&reports[1], ids::HSTS_SHORT);
}

#[test]
fn plain_http_exposure_is_found() {
    let ca = TestCa::new("Keyward Test Root");
    let secure = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let serving = http_server(handler(|_| Reply::new(200).body("hello over plaintext")));
    let elsewhere = http_server(handler(|_| {
        Reply::new(302).header("location", "http://login.example/")
    }));
    let probe_with = |plain_port: u16| {
        let mut probe_options = options(Some(&ca.cert_pem));
        probe_options.plaintext_port = Some(plain_port);
        probe_one(probe_options, target(&secure.url("localhost", "/")))
    };
    let served = probe_with(serving.port);
    assert_has(&served, ids::PLAINTEXT_AVAILABLE);
    assert_has(&served, ids::NO_HTTPS_REDIRECT);
    let redirected = probe_with(elsewhere.port);
    assert_lacks(&redirected, ids::PLAINTEXT_AVAILABLE);
    assert_has(&redirected, ids::NO_HTTPS_REDIRECT);
    // A plain-HTTP target is itself plaintext exposure.
    let direct = probe_one(options(None), target(&serving.plain_url("/")));
    assert_has(&direct, ids::PLAINTEXT_AVAILABLE);
    assert!(direct.tls.is_none());
}
