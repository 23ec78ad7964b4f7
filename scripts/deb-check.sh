#!/usr/bin/env bash
# Installs the Keyward .deb, starts the installed app the way its menu entry does (the
# desktop file's Exec line) under Xvfb with a throwaway keychain, checks that its window
# is shown, then removes the package and checks nothing of it is left.
#
#   scripts/deb-check.sh path/to/keyward.deb
set -euo pipefail
cd "$(dirname "$0")/.."
deb="${1:?usage: $0 PACKAGE.deb}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
package=$(dpkg-deb --field "$deb" Package)

echo "deb-check: installing $deb ($package)"
$SUDO dpkg -i "$deb" >/dev/null
trap '$SUDO dpkg -r "$package" >/dev/null 2>&1 || true' EXIT

desktop=$(dpkg -L "$package" | grep '^/usr/share/applications/.*\.desktop$' | head -1)
[ -n "$desktop" ] || { echo "deb-check: the package has no menu entry" >&2; exit 1; }
icon=$(dpkg -L "$package" | grep '^/usr/share/icons/' | head -1)
[ -n "$icon" ] || { echo "deb-check: the package has no icon" >&2; exit 1; }
exec_line=$(sed -n 's/^Exec=//p' "$desktop" | head -1 | sed 's/ %[a-zA-Z]//g')
command -v "${exec_line%% *}" >/dev/null || { echo "deb-check: menu entry runs '$exec_line', which is not installed" >&2; exit 1; }

display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true; $SUDO dpkg -r "$package" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

echo "deb-check: starting '$exec_line' from $desktop"
DISPLAY=":$display" scripts/with-keyring.sh sh -c '
  KEYWARD_HOME="$HOME/keyward" '"$exec_line"' >/dev/null 2>&1 &
  app=$!
  for _ in $(seq 120); do
    # The window exists hidden from the start and is shown once the dashboard is on
    # the page, so "viewable" is what says the installed app really came up.
    if xwininfo -name Keyward 2>/dev/null | grep -q "Map State: IsViewable"; then
      echo "deb-check: the Keyward window is up and shown"
      kill $app; wait $app 2>/dev/null; exit 0
    fi
    kill -0 $app 2>/dev/null || { echo "deb-check: the installed app exited early" >&2; exit 1; }
    sleep 0.5
  done
  echo "deb-check: no Keyward window after 60 s" >&2; kill $app; exit 1'

$SUDO dpkg -r "$package" >/dev/null
if dpkg -s "$package" >/dev/null 2>&1 && dpkg -s "$package" | grep -q "Status: install ok installed"; then
  echo "deb-check: $package is still installed after removal" >&2; exit 1
fi
[ ! -e "$desktop" ] || { echo "deb-check: $desktop left behind" >&2; exit 1; }
echo "deb-check: installed, started and removed cleanly"
