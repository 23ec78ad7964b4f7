//! Integration tests of the leak scanner against real parts: real git repositories made
//! with the `git` CLI, real files, the real `keyward` binary and (for vault matching) a
//! real Secret Service under scripts/with-keyring.sh. Every secret is generated here
//! from the rules' sample templates; none is written in the sources.

mod common;
mod confidence;
mod formats;
mod git_history;
mod outputs;
mod schedule;
mod vault_leaks;
