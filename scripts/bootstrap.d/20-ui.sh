#!/usr/bin/env bash
# The desktop UI's npm packages: `npm ci` when ui/node_modules is missing or older than
# ui/package-lock.json. Exact versions come from the committed lockfile.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v npm >/dev/null 2>&1; then
  echo "bootstrap: npm is missing; install Node.js 20 or newer (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi
stamp=ui/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ ui/package-lock.json -nt "$stamp" ]; then
  echo "bootstrap: installing the UI's npm packages"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi
# The Rust shell embeds ui/dist at compile time, so `cargo clippy`/`cargo test` of the
# workspace need a UI build to exist; `tauri build` refreshes it before every app build.
if [ ! -f ui/dist/index.html ]; then
  echo "bootstrap: building the UI once (ui/dist)"
  npm --prefix ui run build --silent >/dev/null
fi
