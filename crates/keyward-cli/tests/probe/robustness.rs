//! Misbehaving servers end in a per-target error; other targets go on.

use super::*;

// ------------------------------------------------------------------ misbehaving servers

fn garbage(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let _ = stream.write_all(b"\x00\xffthis is not TLS at all\r\n");
}

fn half_record_then_close(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let _ = stream.write_all(&[22, 3, 3, 0x40, 0x00, 2, 0, 0]);
}

fn half_record_then_hold(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let _ = stream.write_all(&[22, 3, 3, 0x40, 0x00, 2, 0, 0]);
    std::thread::sleep(Duration::from_secs(8));
}

fn slowloris(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let record = [22u8, 3, 3, 0x10, 0x00];
    for byte in record.iter().chain(std::iter::repeat_n(&0u8, 40)) {
        if stream.write_all(&[*byte]).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn ten_megabytes_of_junk(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    let chunk: Vec<u8> = (0..65_536u32)
        .map(|index| (index * 7919 % 251) as u8)
        .collect();
    for _ in 0..160 {
        if stream.write_all(&chunk).is_err() {
            return;
        }
    }
}

fn endless_flight(mut stream: TcpStream) {
    use std::io::Write;
    read_some(&mut stream);
    // A plausible ServerHello, then handshake records that never finish the flight.
    let mut hello = vec![2, 0, 0, 38, 3, 3];
    hello.extend_from_slice(&[7; 32]);
    hello.extend_from_slice(&[0, 0xC0, 0x2F, 0]);
    let mut first = vec![22, 3, 3, 0, hello.len() as u8];
    first.extend_from_slice(&hello);
    if stream.write_all(&first).is_err() {
        return;
    }
    let mut filler = vec![22, 3, 3, 0x40, 0x00, 99, 0, 0x3F, 0xFC];
    filler.resize(5 + 0x4000, 0xAB);
    for _ in 0..640 {
        if stream.write_all(&filler).is_err() {
            return;
        }
    }
}

#[test]
fn misbehaving_servers_end_in_a_clear_per_target_error_and_others_continue() {
    let ca = TestCa::new("Keyward Test Root");
    let good = https_server(
        TlsSpec::new(&ca.localhost()),
        handler(|_| Reply::hardened(200)),
    );
    let plain = http_server(handler(|_| Reply::new(200)));
    let bad = [
        ("closed port", closed_port()),
        ("garbage", raw_server(garbage)),
        (
            "half record, then close",
            raw_server(half_record_then_close),
        ),
        (
            "half record, then silence",
            raw_server(half_record_then_hold),
        ),
        ("slowloris", raw_server(slowloris)),
        ("10 MB of junk", raw_server(ten_megabytes_of_junk)),
        ("endless handshake flight", raw_server(endless_flight)),
        ("plain HTTP on the TLS URL", plain.port),
    ];
    let mut targets: Vec<ProbeTarget> = bad
        .iter()
        .map(|(_, port)| target(&format!("https://localhost:{port}/")))
        .collect();
    targets.push(target(&good.url("localhost", "/")));
    let mut quick = options(Some(&ca.cert_pem));
    quick.timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(1),
    };
    let reports = probe_all(quick, targets);
    for ((what, _), report) in bad.iter().zip(&reports) {
        let error = report
            .error
            .as_deref()
            .unwrap_or_else(|| panic!("{what}: expected an error, got {:?}", ids_of(report)));
        assert!(
            report.grade.is_none(),
            "{what}: an unprobed target has no grade"
        );
        assert!(!error.is_empty(), "{what}");
    }
    assert!(
        reports[0].error.as_deref().unwrap().contains("connect"),
        "{:?}",
        reports[0].error
    );
    assert!(
        reports[1].error.as_deref().unwrap().contains("not TLS"),
        "{:?}",
        reports[1].error
    );
    assert!(
        reports[7].error.as_deref().unwrap().contains("HTTP"),
        "{:?}",
        reports[7].error
    );
    let last = reports.last().unwrap();
    assert_eq!(last.error, None, "the good target is still probed");
    assert!(last.grade.is_some());
}
