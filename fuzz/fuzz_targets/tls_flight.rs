//! Feeds arbitrary bytes to the parser that reads a server's answer to our hand-made
//! ClientHellos. Whatever a hostile server sends, the parser must return (need more,
//! an answer, or an error) without panicking, and must agree with itself when the same
//! bytes arrive in two pieces.

#![no_main]

use keyward_probe::tls::record::{Flight, parse_flight};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = parse_flight(data);
    if let Ok(Flight::Done(_)) = &whole {
        // More bytes after a complete answer never change it.
        let mut extended = data.to_vec();
        extended.extend_from_slice(&[22, 3, 3, 0, 0]);
        assert_eq!(parse_flight(&extended), whole);
    }
    for cut in [0, data.len() / 2] {
        let _ = parse_flight(&data[..cut]);
    }
});
