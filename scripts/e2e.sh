#!/usr/bin/env bash
# Runs the end-to-end tests against the debug app build: a private Xvfb display, a
# throwaway Secret Service (with-keyring.sh), tauri-driver started by the tests. The app
# is the debug binary built with the custom-protocol feature, as `tauri build --debug`
# makes it (cargo test relinks it; building without the feature would give a binary
# that loads the dev server URL instead of the bundled UI in ui/dist).
# Screenshots go to $KEYWARD_SCREENSHOTS (default docs/screenshots).
#
#   scripts/e2e.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export KEYWARD_SCREENSHOTS="${KEYWARD_SCREENSHOTS:-$PWD/docs/screenshots}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [ ! -f ui/dist/index.html ]; then
  echo "e2e: no UI build in ui/dist; run: make app-debug" >&2
  exit 1
fi

# A display number nobody uses.
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
export DISPLAY=":$display"

scripts/with-keyring.sh cargo test --locked -p keyward-app --features custom-protocol --test e2e -- --ignored --test-threads=1 "$@"
