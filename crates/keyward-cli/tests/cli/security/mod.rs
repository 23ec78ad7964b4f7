//! The security model's properties, each attacked the way an attacker would: unique
//! canary values through every way in, real files edited by hand, FIFOs and devices,
//! loopback servers that reset connections and proxies that record what reaches them.
//! They live in the `cli` test binary to share its harness (`crate::common`). Run inside
//! a throwaway Secret Service (scripts/with-keyring.sh); each test fails on
//! the code before its property was built.

mod audit_tail;
mod database_urls;
mod fingerprints;
mod hostile_input;
mod inventory_integrity;
mod names;
mod outbound_proxy;
mod redaction;
mod repository_config;
mod secret_in_errors;
mod smaller;
mod team_pinning;
mod team_tls;
