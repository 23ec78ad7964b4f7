#!/usr/bin/env bash
# cargo-deny, which `make supply-chain` (scripts/supply-chain.sh, deny.toml) runs:
# built from crates.io with its own Cargo.lock, at one pinned version, and rebuilt
# only when the installed one is missing or another version.
set -euo pipefail
version=0.20.2
installed="$(cargo deny --version 2>/dev/null || true)"
if [ "$installed" != "cargo-deny $version" ]; then
  echo "bootstrap: installing cargo-deny $version${installed:+ (found: $installed)}"
  # About 6 minutes cold on a busy 2-core machine (5 CPU-minutes); turning off the
  # crate's fat LTO measured no faster. --force: replace a cargo-deny of another
  # version even when cargo did not install it.
  cargo install cargo-deny --locked --version "=$version" --force --quiet
fi
