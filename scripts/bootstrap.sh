#!/usr/bin/env bash
# Installs everything Keyward needs to build, run and test on Debian/Ubuntu, then
# builds. Idempotent: a second run installs nothing and rebuilds only what changed.
# Called by `make run`, `make test` and `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: WebKitGTK and friends for the Tauri window, a real Secret Service
# (gnome-keyring + D-Bus) for the vault, Xvfb + WebKitWebDriver for end-to-end tests
# (and xev, from x11-utils, for the start-up benchmark),
# openssl for legacy-TLS test servers, PostgreSQL for team sync, Chromium to render the
# HTML report.
PACKAGES=(
  build-essential pkg-config curl wget file libssl-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver x11-utils
  gnome-keyring libsecret-tools dbus dbus-x11 keyutils
  openssl postgresql chromium imagemagick
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "bootstrap: cargo is missing; install Rust from your distribution or rustup" >&2
  exit 1
fi

# Extra bootstrap steps of later parts (UI packages, tauri-driver) live in
# scripts/bootstrap.d/ so each part owns its own set-up.
if [ -d scripts/bootstrap.d ]; then
  for step in scripts/bootstrap.d/*.sh; do
    [ -e "$step" ] || continue
    bash "$step"
  done
fi
