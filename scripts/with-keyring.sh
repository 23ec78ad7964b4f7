#!/usr/bin/env bash
# Runs a command against a throwaway, unlocked Secret Service (gnome-keyring) on a
# private D-Bus session, with HOME and the XDG directories in a temporary folder so the
# keyring file never lands in the real home. Everything stops when the command ends.
#
#   scripts/with-keyring.sh cargo test
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keyward-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/runtime"
chmod 700 "$scratch/runtime"
# Cargo and rustup live under the real home; keep them reachable.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
  XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime" NO_AT_BRIDGE=1
exec dbus-run-session -- sh -c '
  printf %s keyward-test | gnome-keyring-daemon --unlock --components=secrets >"${KEYWARD_KEYRING_LOG:-/dev/null}" 2>&1
  exec "$@"' keyring "$@"
