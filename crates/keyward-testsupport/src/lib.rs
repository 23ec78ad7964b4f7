//! What the tests and benches of several crates share: real servers on 127.0.0.1 (TLS
//! and HTTP, with certificates made at test time, and `openssl s_server` for legacy
//! TLS), hostile servers (connection resets, a recording proxy), provider stand-ins
//! that model the providers' documented behaviour, and a filler for large
//! inventories. Never a dependency of shipped code.

pub mod hostile;
pub mod http_stand_in;
pub mod inventory;
pub mod providers;
pub mod tls_servers;
