# Keyward's commands. `make run` and `make test` are the README's two commands; both
# start with scripts/bootstrap.sh, which installs what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help bootstrap run app test lint test-rust bench bench-inventory bench-review bench-rotate bench-probe bench-scan

help:
	@echo "make run    build and start the desktop app"
	@echo "make test   every quality gate: fmt, clippy, Rust tests, UI checks, end-to-end"
	@echo "make bench  benchmarks, side by side with peers where installed"
	@echo "make app    release build of the desktop app at target/release/keyward-app"

bootstrap:
	@scripts/bootstrap.sh

lint: bootstrap
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

# The Rust tests run once, all together, inside one throwaway Secret Service and next
# to one throwaway PostgreSQL server.
test-rust: bootstrap
	scripts/with-postgres.sh scripts/with-keyring.sh cargo test --workspace --locked --features fault-injection

test: lint test-rust

bench: bench-inventory bench-review bench-rotate bench-probe bench-scan

# Inventory and keychain latency; the keychain part needs a Secret Service.
bench-inventory: bootstrap
	scripts/with-keyring.sh cargo bench --locked --bench inventory -- --noplot

# Report generation and team sync for 10,000 credentials.
bench-review: bootstrap
	scripts/with-postgres.sh scripts/with-keyring.sh cargo bench --locked --bench review -- --noplot

# End-to-end rotation time with the generate adapter and with an http recipe against a
# local HTTPS fake; the keychain steps need a Secret Service.
bench-rotate: bootstrap
	scripts/with-keyring.sh cargo bench --locked --bench rotation -- --noplot

# Probe speed on loopback endpoints, side by side with testssl.sh (Debian package) and
# sslyze (PyPI, in a venv under benches/out) on the same servers; then a short run of
# the TLS record parser's fuzz target when cargo-fuzz and a nightly toolchain are there.
bench-probe: bootstrap
	@test -x benches/out/sslyze-venv/bin/sslyze || \
	  { python3 -m venv benches/out/sslyze-venv && benches/out/sslyze-venv/bin/pip install -q sslyze; } || \
	  echo "sslyze could not be installed: its column will say so"
	cargo bench --locked --bench probe
	@if cargo fuzz --version >/dev/null 2>&1 && rustup toolchain list | grep -q nightly; then \
	  cd fuzz && cargo +nightly fuzz run tls_flight -- -max_total_time=30; \
	else echo "cargo-fuzz or a nightly toolchain is missing: fuzz run skipped"; fi

# Leak scanner: generates a ~200 MB corpus under the target directory (never committed),
# then runs Keyward, ripgrep on the same keywords and the installed peers side by side.
SCAN_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
SCAN_CORPUS ?= $(SCAN_TARGET_DIR)/scan-corpus
bench-scan: bootstrap
	cargo build --release --locked --bin keyward
	SCAN_CORPUS=$(SCAN_CORPUS) cargo bench --locked --bench scan_corpus
	python3 benches/scan_peers.py $(SCAN_CORPUS) $(SCAN_TARGET_DIR)/release/keyward
