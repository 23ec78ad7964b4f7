#!/usr/bin/env bash
# tauri-driver, the WebDriver bridge the end-to-end tests drive the app through (it
# talks to Debian's WebKitWebDriver, installed by bootstrap.sh).
set -euo pipefail
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "bootstrap: installing tauri-driver"
  cargo install tauri-driver --locked --version "^2.0"
fi
