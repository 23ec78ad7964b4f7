#!/usr/bin/env bash
# The desktop app's benchmark (run by `make bench`): builds the release app and an empty
# Tauri 2 window the same way (tauri build --no-bundle, same tauri version and release
# profile), then measures both side by side in one run under Xvfb with a throwaway
# keychain, with src-tauri/tests/bench.rs:
#   - launched directly (no WebDriver), median of 5: spawn to the window appearing on
#     the X server (Keyward shows its window once the dashboard has its data; the empty
#     window appears before its first paint), and PSS of all its processes after 5 s idle
#   - with 10,000 credentials, through WebDriver: inventory first render and search per
#     keystroke
# and writes the figures into docs/BENCHMARKS.md under "Desktop app".
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
tauri="$PWD/ui/node_modules/.bin/tauri"

# The floor is only a floor when built as Keyward is: the release profiles must agree.
release_profile() { sed -n '/^\[profile\.release\]/,/^\[/p' "$1" | grep -E '^[a-z-]+ *='; }
if [ "$(release_profile Cargo.toml)" != "$(release_profile benches/empty-window/src-tauri/Cargo.toml)" ]; then
  echo "bench: [profile.release] differs between Cargo.toml and benches/empty-window/src-tauri/Cargo.toml" >&2
  exit 1
fi

echo "bench: building the release app"
"$tauri" build --no-bundle
echo "bench: building the empty Tauri window"
# The workspace's lockfile pins the empty window to the very same crate versions, and
# the shared target directory reuses the dependencies both builds have in common.
cp Cargo.lock benches/empty-window/src-tauri/Cargo.lock
(cd benches/empty-window && CARGO_TARGET_DIR="$target" "$tauri" build --no-bundle)

export KEYWARD_APP_BINARY="$target/release/keyward-app"
export KEYWARD_EMPTY_BINARY="$target/release/empty-window"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
export DISPLAY=":$display"

output=$(mktemp)
scripts/with-keyring.sh cargo test --locked -p keyward-app --test bench -- --ignored --nocapture --test-threads=1 | tee "$output"
figures=$(grep '^BENCH ' "$output" | sed 's/^BENCH //')
rm -f "$output"

value() { echo "$figures" | python3 -c "import json,sys; print(next(json.loads(l)['value'] for l in sys.stdin if json.loads(l)['name']=='$1'))"; }
app_start=$(value app_start_to_dashboard); empty_start=$(value empty_window_start_to_mapped)
app_pss=$(value app_pss_idle); empty_pss=$(value empty_window_pss_idle)
ratio=$(python3 -c "print(round($app_pss / $empty_pss, 2))")
section=$(cat <<MARKDOWN
## Desktop app

Measured by \`benches/app_start.sh\` ($(date -u +%Y-%m-%d), $(nproc) cores, Xvfb, release
builds made with \`tauri build --no-bundle\`; medians of 5 alternating runs, each app
launched directly, as from the menu, with a fresh home). Start is from spawn to the
window appearing on the X server (\`xev\` on the root window). Keyward keeps its window
hidden until the dashboard has its data, so its figure is start to the first rendered
dashboard; the empty window appears before it paints anything, so its figure is a floor.
Memory is PSS of the app and all its processes (WebKit web and network processes)
after 5 s idle.

| | Keyward | empty Tauri 2 window | target |
|---|---|---|---|
| start to window shown (Keyward: with the dashboard rendered) | ${app_start} ms | ${empty_start} ms | ≤ 600 ms |
| PSS after 5 s idle | ${app_pss} MiB | ${empty_pss} MiB | ≤ 1.2× empty (${ratio}×) |

With 10,000 credentials (rows seeded straight into the inventory: listing and searching
never touch the keychain, and gnome-keyring needs hours to store 10,000 values because
it rewrites its file on every write), through WebDriver; Inventory is clicked once the
window shows the painted dashboard, as a user first can:

| with 10,000 credentials | measured | target |
|---|---|---|
| inventory first render (click to rows painted) | $(value inventory_first_render_10k) ms | ≤ 300 ms |
| search per keystroke, median (input to filtered rows painted) | $(value search_keystroke_10k_median) ms | ≤ 50 ms |
| search per keystroke, slowest | $(value search_keystroke_10k_max) ms | |
MARKDOWN
)
mkdir -p docs
touch docs/BENCHMARKS.md
python3 - "$section" <<'PYTHON'
import re, sys
path = "docs/BENCHMARKS.md"
text = open(path).read()
section = sys.argv[1].rstrip() + "\n"
pattern = re.compile(r"^## Desktop app\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip() + ("\n\n" if text.strip() else "") + section
open(path, "w").write(text)
PYTHON
echo "bench: figures written to docs/BENCHMARKS.md"
