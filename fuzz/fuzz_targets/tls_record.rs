//! The record layer of the probe's reader of a server's first flight. Records are only
//! framing: however a server cuts its handshake messages into records, and however the
//! network cuts the records into reads, the answer must be the same.
//!
//! The input is two bytes that choose record sizes, then a handshake message stream.
//! The stream is sent as one record and as many records of the chosen sizes (a final
//! alert record when the second byte's top bit is set); both, and the handshake reader
//! on the bare stream, must agree. Then the many-record form is read in growing
//! prefixes, as bytes arrive from a socket: once a prefix gives an answer or an error,
//! every longer prefix gives the same, and until then every prefix needs more.

#![no_main]

use keyward_probe::tls::record::{
    Flight, MAX_FLIGHT, RecordError, ServerAnswer, parse_flight, parse_handshake,
};
use libfuzzer_sys::fuzz_target;

/// The largest record body a conforming server sends (2^14 bytes).
const MAX_FRAGMENT: usize = 16_384;

fn record(out: &mut Vec<u8>, content_type: u8, body: &[u8]) {
    out.extend_from_slice(&[content_type, 3, 3]);
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
}

/// What `parse_flight` must say about a flight whose handshake bytes are `messages`,
/// followed by `alert` if given, worked out from the handshake reader alone.
fn expected(messages: &[u8], alert: Option<[u8; 2]>) -> Result<Flight, RecordError> {
    if let Some(answer) = parse_handshake(messages)? {
        return Ok(Flight::Done(answer));
    }
    let Some([level, description]) = alert else {
        return Ok(Flight::NeedMore);
    };
    // An alert ends the flight. It is the answer unless a ServerHello came first; then
    // the answer is that hello with what the complete messages after it added, which
    // is what the same messages followed by a ServerHelloDone give.
    let mut complete = 0;
    while messages.len() - complete >= 4 {
        let header = &messages[complete..complete + 4];
        let length = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        if messages.len() - complete < 4 + length {
            break;
        }
        complete += 4 + length;
    }
    if complete == 0 {
        return Ok(Flight::Done(ServerAnswer::Alert { level, description }));
    }
    let mut done = messages[..complete].to_vec();
    done.extend_from_slice(&[14, 0, 0, 0]);
    match parse_handshake(&done) {
        Ok(Some(answer @ ServerAnswer::Hello(_))) => Ok(Flight::Done(answer)),
        other => panic!("complete messages that read as unfinished, then done: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (sizes, messages) = (data[0], &data[2..]);
    if messages.len() > MAX_FRAGMENT {
        return;
    }
    let alert = (data[1] & 0x80 != 0).then_some([2, data[1] & 0x7F]);

    let mut single = Vec::new();
    record(&mut single, 22, messages);
    let mut split = Vec::new();
    let mut boundaries = Vec::new();
    let mut rest = messages;
    let mut step = 0usize;
    while !rest.is_empty() {
        // Sizes cycle through 1..=16 scaled by the size byte: tiny records, where
        // message headers straddle records, and larger ones.
        let size = (1 + (usize::from(sizes) + step * 7) % 16) * (1 + usize::from(sizes >> 4));
        let (head, tail) = rest.split_at(size.min(rest.len()));
        record(&mut split, 22, head);
        boundaries.push(split.len());
        rest = tail;
        step += 1;
    }
    if let Some(alert) = alert {
        record(&mut single, 21, &alert);
        record(&mut split, 21, &alert);
        boundaries.push(split.len());
    }
    if split.len() > MAX_FLIGHT {
        return;
    }

    let whole = parse_flight(&single);
    assert_eq!(whole, expected(messages, alert), "one record");
    assert_eq!(parse_flight(&split), whole, "records of sizes from {sizes}");

    // Growing prefixes: at four record boundaries spread over the flight and inside
    // the record after each. (Every boundary would make one run quadratic: the parser
    // re-reads the reassembled messages after each record.)
    let mut settled: Option<Result<Flight, RecordError>> = None;
    let mut cuts: Vec<usize> = (1..=4)
        .filter_map(|quarter| boundaries.get(boundaries.len() * quarter / 5).copied())
        .flat_map(|end| [end - 1, end])
        .collect();
    cuts.push(split.len());
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts {
        let partial = parse_flight(&split[..cut]);
        match &settled {
            Some(earlier) => assert_eq!(&partial, earlier, "prefix of {cut} bytes"),
            None if partial != Ok(Flight::NeedMore) => settled = Some(partial),
            None => {}
        }
    }
    assert_eq!(settled.unwrap_or(Ok(Flight::NeedMore)), whole);
});
