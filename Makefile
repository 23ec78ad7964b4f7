# Keyward's commands. `make run` and `make test` are the README's two commands; both
# start with scripts/bootstrap.sh, which installs what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help bootstrap run app app-debug package test lint test-rust test-ui test-e2e test-deb supply-chain bench bench-inventory bench-review bench-rotate bench-probe bench-app bench-scan fuzz

help:
	@echo "make run    build and start the desktop app"
	@echo "make test   every quality gate: fmt, clippy, Rust tests, UI checks, end-to-end"
	@echo "make bench  benchmarks, side by side with peers where installed"
	@echo "make fuzz   every fuzz target for FUZZ_SECONDS (default 60) each"
	@echo "make app    release build of the desktop app at target/release/keyward-app"
	@echo "make package  the .deb installer (target/release/bundle/deb/)"

bootstrap:
	@scripts/bootstrap.sh

lint: bootstrap
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	python3 scripts/check-layering.py --self-test && python3 scripts/check-layering.py

# The Rust tests run once, all together, inside one throwaway Secret Service and next
# to one throwaway PostgreSQL server.
test-rust: bootstrap
	scripts/with-postgres.sh scripts/with-keyring.sh cargo test --workspace --locked --features keyward-cli/fault-injection

# The Tauri CLI (from ui/node_modules) builds the UI first (beforeBuildCommand) and
# turns on the custom-protocol feature so the binary serves the bundled UI.
TAURI := ui/node_modules/.bin/tauri

app: bootstrap
	$(TAURI) build --no-bundle

# The debug build the end-to-end tests and the .deb check drive; CI never builds release.
app-debug: bootstrap
	$(TAURI) build --debug --no-bundle

run: app
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  exec target/release/keyward-app; \
	else \
	  echo "No display. To run Keyward under a virtual X server:"; \
	  echo "  Xvfb :99 -screen 0 1280x800x24 & DISPLAY=:99 target/release/keyward-app"; \
	fi

package: bootstrap
	$(TAURI) build --bundles deb
	@ls target/release/bundle/deb/*.deb

test-ui: bootstrap
	npm --prefix ui run typecheck
	npm --prefix ui test

test-e2e: app-debug
	scripts/e2e.sh

# Installs a debug-built .deb, starts the installed app once under Xvfb, removes it.
test-deb: app-debug
	$(TAURI) build --debug --bundles deb
	scripts/deb-check.sh target/debug/bundle/deb/*.deb

# Licenses, bans, sources and (when a RustSec database is at hand) advisories of the
# Rust graph, and npm audit of the UI's runtime packages; the summary names any check
# that could not run (docs/DESIGN.md, Supply chain).
supply-chain: bootstrap
	scripts/supply-chain.sh

test: lint supply-chain test-rust test-ui test-e2e test-deb

bench: bench-inventory bench-review bench-rotate bench-probe bench-scan bench-app

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
# sslyze (PyPI, in a venv under benches/out) on the same servers; then a 30-second run
# of each TLS parser's fuzz target (scripts/fuzz.sh; stable toolchain, installs cargo-fuzz).
bench-probe: bootstrap
	@test -x benches/out/sslyze-venv/bin/sslyze || \
	  { python3 -m venv benches/out/sslyze-venv && benches/out/sslyze-venv/bin/pip install -q sslyze; } || \
	  echo "sslyze could not be installed: its column will say so"
	cargo bench --locked --bench probe
	FUZZ_SECONDS=30 scripts/fuzz.sh tls_flight tls_record tls_handshake
# Start-up, memory and 10,000-credential inventory of the desktop app, side by side
# with an empty Tauri window.
bench-app: bootstrap
	benches/app_start.sh

# Leak scanner: generates a ~200 MB corpus under the target directory (never committed),
# then runs Keyward, ripgrep on the same keywords and the installed peers side by side,
# on it and on a real tree: cargo's registry sources, which the build has just filled.
# kingfisher (PyPI, and ripgrep too when rg is not on PATH) goes into a venv under
# benches/out.
SCAN_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
SCAN_CORPUS ?= $(abspath $(SCAN_TARGET_DIR))/scan-corpus
SCAN_REAL_TREE ?= $(or $(CARGO_HOME),$(HOME)/.cargo)/registry/src
SCAN_VENV := benches/out/scan-venv
bench-scan: bootstrap
	@test -x $(SCAN_VENV)/bin/kingfisher || \
	  { python3 -m venv $(SCAN_VENV) && $(SCAN_VENV)/bin/pip install -q kingfisher-bin; } || \
	  echo "kingfisher could not be installed: its rows will be missing"
	@command -v rg >/dev/null || test -x $(SCAN_VENV)/bin/rg || \
	  { python3 -m venv $(SCAN_VENV) && $(SCAN_VENV)/bin/pip install -q ripgrep; } || \
	  echo "ripgrep could not be installed: its rows will be missing"
	cargo build --release --locked --bin keyward
	SCAN_CORPUS=$(SCAN_CORPUS) cargo bench --locked --bench scan_corpus
	python3 benches/scan_peers.py $(SCAN_CORPUS) $(SCAN_TARGET_DIR)/release/keyward $(SCAN_REAL_TREE)

# Every fuzz target for FUZZ_SECONDS (default 60) each, then executions and crashes per
# target; not part of `make test`. scripts/fuzz.sh installs cargo-fuzz when missing.
fuzz:
	scripts/fuzz.sh
