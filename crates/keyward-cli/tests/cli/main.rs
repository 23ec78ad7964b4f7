//! Integration tests of the library and the `keyward` CLI against real parts: a real
//! Secret Service (run under scripts/with-keyring.sh), real SQLite files in temporary
//! homes, real certificate files made by openssl at test time.

mod audit_tampering;
mod bad_input;
mod bundles;
mod canary;
mod common;
mod credentials;
mod dashboard;
mod imports;
mod reports;
mod scan_rules_from;
mod security;
mod snapshots;
mod team_board;
mod team_sync;
