#!/usr/bin/env bash
# Runs a command against a throwaway, unlocked Secret Service (gnome-keyring) on a
# private D-Bus session, with HOME and the XDG directories in a temporary folder so the
# keyring file never lands in the real home. Everything stops when the command ends.
#
#   scripts/with-keyring.sh cargo test
#
# The session bus starts the daemon on first use through a service file of our own
# (found first, in $XDG_DATA_HOME/dbus-1/services) that unlocks it with the test
# password. gnome-keyring-daemon can abort under bursts of concurrent connections (an
# upstream race in its PKCS#11 session handling); the bus then starts it again the same
# way, unlocked, and the login keyring on disk brings every item back. Keyward's vault
# retries a call whose daemon vanished mid-request.
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keyward-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/data/dbus-1/services" "$scratch/config" "$scratch/cache" "$scratch/runtime"
chmod 700 "$scratch/runtime"
log="${KEYWARD_KEYRING_LOG:-/dev/null}"
cat > "$scratch/start-keyring.sh" <<SCRIPT
#!/bin/sh
printf %s keyward-test | exec gnome-keyring-daemon --foreground --unlock --components=secrets >>"$log" 2>&1
SCRIPT
chmod +x "$scratch/start-keyring.sh"
printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s\n' "$scratch/start-keyring.sh" \
  > "$scratch/data/dbus-1/services/org.freedesktop.secrets.service"
# Cargo and rustup live under the real home; keep them reachable.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
  XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime" NO_AT_BRIDGE=1
exec dbus-run-session -- "$@"
