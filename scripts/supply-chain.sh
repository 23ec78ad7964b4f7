#!/usr/bin/env bash
# The supply-chain gate (`make supply-chain`, part of `make test`), policy in deny.toml
# and docs/DESIGN.md ("Supply chain"):
#   1. cargo-deny's licenses, bans and sources checks, always;
#   2. its advisories check, when a RustSec advisory database is at hand (fetched from
#      GitHub when that is reachable, else one left by an earlier fetch);
#   3. `npm audit --omit=dev` of the UI, when the registry's audit endpoint answers.
# A check that could not run is named in the closing summary, never passed over quietly;
# a check that ran and found something fails the gate.
set -euo pipefail
cd "$(dirname "$0")/.."

summary=()
failed=0
db_root="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
# Where cargo-deny 0.20 keeps the default database (github.com/RustSec/advisory-db).
db_default="$db_root/advisory-db-3157b0e258782691"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# cargo-deny reads the graph with `cargo metadata --offline`, which needs every crate of
# Cargo.lock (all platforms) in the local cache; this is a no-op when they are there.
cargo fetch --locked --quiet

# --- RustSec database: try to refresh it; GitHub may be out of reach. ----------------
if timeout 120 cargo deny --locked fetch db >"$log" 2>&1; then
  db_state="fetched just now"
else
  db_state="not fetched ($(grep -m1 -oE 'fatal: .*|Could not resolve host: [^ ]+|timed out' "$log" || echo "cargo deny fetch db failed"))"
fi
db=""
for candidate in "$db_root"/advisory-db-*; do
  if [ -d "$candidate/crates" ] && git -C "$candidate" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    db="$candidate"
    break
  fi
done

deny=(cargo deny --locked --offline check --hide-inclusion-graph --show-stats
  # Tauri's GTK and Windows stacks bring dozens of duplicate versions: deny.toml keeps
  # them as warnings for a manual `cargo deny check bans`; the gate leaves them out.
  --allow duplicate)
if [ -n "$db" ]; then
  updated="$(git -C "$db" log -1 --format=%cs)"
  age_days=$((($(date +%s) - $(git -C "$db" log -1 --format=%ct)) / 86400))
  echo "supply-chain: RustSec advisory database $db_state; using $db (last advisory commit $updated, $age_days days old)"
  if [ "$age_days" -gt 30 ]; then
    echo "supply-chain: WARNING: the advisory database is $age_days days old: advisories published since $updated are not checked"
  fi
  if "${deny[@]}" advisories licenses bans sources; then
    summary+=("cargo-deny advisories, licenses, bans, sources: ok (advisory data of $updated)")
  else
    failed=1
    summary+=("cargo-deny: FAILED (see above)")
  fi
else
  if "${deny[@]}" licenses bans sources; then
    summary+=("cargo-deny licenses, bans, sources: ok")
  else
    failed=1
    summary+=("cargo-deny licenses, bans, sources: FAILED (see above)")
  fi
  summary+=("cargo-deny advisories: SKIPPED, no RustSec advisory database: $db_state, and no package registry this machine reaches carries one; to check, run \`cargo deny fetch db\` where github.com is reachable or put a clone of RustSec/advisory-db at $db_default")
fi

# --- npm audit of the UI's runtime packages. -----------------------------------------
# Advisories accepted for the UI's runtime packages, as GHSA IDs, each with its reason
# in a comment and in docs/DESIGN.md. None today.
npm_accepted=()
set +e
timeout 180 npm --prefix ui audit --omit=dev --json --fetch-retries=1 --fetch-timeout=60000 >"$log" 2>/dev/null
npm_rc=$?
set -e
npm_verdict="$(python3 - "$log" "$npm_rc" "${npm_accepted[@]}" <<'PY'
import json, sys
path, rc, accepted = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
try:
    report = json.load(open(path))
except ValueError:
    report = None
if not isinstance(report, dict) or "vulnerabilities" not in report:
    why = "no answer"
    if isinstance(report, dict):
        why = report.get("message") or str(report.get("error", {}).get("summary") or "error")
    elif rc == 124:
        why = "timed out"
    print(f"SKIPPED\tthe registry's audit endpoint did not give a report ({why})")
    sys.exit()
found = []
for name, entry in sorted(report["vulnerabilities"].items()):
    for via in entry.get("via", []):
        if isinstance(via, dict):
            ghsa = via.get("url", "").rsplit("/", 1)[-1]
            if ghsa not in accepted:
                found.append(f"{name} {via.get('range', '')}: {via.get('severity')} {ghsa} {via.get('title', '')}")
if found:
    print("FAILED\t" + "; ".join(found))
else:
    total = report.get("metadata", {}).get("dependencies", {}).get("prod", "?")
    print(f"ok\t{total} runtime packages, no advisory outside the accepted list")
PY
)"
npm_status="${npm_verdict%%$'\t'*}"
npm_detail="${npm_verdict#*$'\t'}"
case "$npm_status" in
  ok) summary+=("npm audit --omit=dev (ui): ok, $npm_detail") ;;
  FAILED)
    failed=1
    summary+=("npm audit --omit=dev (ui): FAILED: $npm_detail")
    ;;
  *) summary+=("npm audit --omit=dev (ui): SKIPPED, $npm_detail") ;;
esac

echo
echo "supply-chain summary:"
for line in "${summary[@]}"; do
  echo "  - $line"
done
exit "$failed"
