#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (its own cargo workspace), each for a bounded time, then
# prints executions and crashes per target. `make fuzz` calls it; it is not part of
# `make test`, and it installs cargo-fuzz (from crates.io) only when it is missing.
#
#   scripts/fuzz.sh [TARGET...]      every target of fuzz/Cargo.toml when none is named
#
# Environment: FUZZ_SECONDS per target (default 60); FUZZ_RUNS, if set, stops a target
# earlier, after that many executions; FUZZ_JOBS targets at a time (default 1);
# FUZZ_TIMEOUT seconds after which one input counts as a hang (default 10).
#
# Stable toolchain only: the targets are built with libFuzzer's coverage instrumentation
# (`-Cpasses=sancov-module`, a stable codegen option) and without a sanitizer
# (`--sanitizer none`; AddressSanitizer needs nightly's `-Zsanitizer`). Keyward's
# parsers are safe Rust, so a sanitizer would find little that the bounds and overflow
# checks (debug assertions stay on: `-a`) do not, and it would halve the speed.
#
# Seeds are read from fuzz/corpus/TARGET (committed) and, for the certificate importers,
# fuzz/target/keyed-seeds/TARGET (made at run time: they carry private keys); what libFuzzer finds goes to
# fuzz/target/corpus/TARGET (ignored), and crashing inputs to fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
JOBS="${FUZZ_JOBS:-1}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
RUNS=()
if [ -n "${FUZZ_RUNS:-}" ]; then RUNS=(-runs="$FUZZ_RUNS"); fi
CARGO_FUZZ_VERSION="0.13.2"
BUILD_FLAGS=(-O -a --sanitizer none)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

cd fuzz
# The main workspace's lock file pins the versions the product ships with; the fuzz
# workspace starts from it (and adds libfuzzer-sys) whenever it changes.
if [ ! -f Cargo.lock ] || [ ../Cargo.lock -nt Cargo.lock ]; then
  cp ../Cargo.lock Cargo.lock
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

# The certificate-import seeds carry private keys, so they are made here with fresh
# throwaway keys instead of being committed (fuzz/make_seeds.py, fuzz/target/keyed-seeds).
if [ ! -d target/keyed-seeds/import_pem ] || [ ! -d target/keyed-seeds/import_pkcs12 ]; then
  python3 make_seeds.py --keyed
fi

echo "fuzz: building ${targets[*]}"
cargo fuzz build "${BUILD_FLAGS[@]}" >/dev/null
BINARIES="target/$(rustc -vV | sed -n 's/^host: //p')/release"

mkdir -p target/fuzz-logs
run_one() {
  local target="$1"
  local log="target/fuzz-logs/$target.log"
  mkdir -p "corpus/$target" "target/corpus/$target" "artifacts/$target"
  local before
  before=$(find "artifacts/$target" -type f | wc -l)
  local start=$SECONDS status=0
  # What `cargo fuzz run` runs, without rebuilding for each target.
  "$BINARIES/$target" -artifact_prefix="artifacts/$target/" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT" -rss_limit_mb=2048 \
    -print_final_stats=1 "${RUNS[@]}" "target/corpus/$target" "corpus/$target" \
    $( [ -d "target/keyed-seeds/$target" ] && echo "target/keyed-seeds/$target" ) >"$log" 2>&1 || status=$?
  local elapsed=$((SECONDS - start))
  local after
  after=$(find "artifacts/$target" -type f | wc -l)
  echo "$target $elapsed $status $((after - before))" >"target/fuzz-logs/$target.result"
  echo "fuzz: $target done in ${elapsed}s (exit $status)"
}

running=0
for target in "${targets[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '\n%-16s %14s %8s %10s %8s %8s %8s\n' target executions seconds "exec/s" crashes seeds corpus
for target in "${targets[@]}"; do
  read -r _ elapsed status crashes <"target/fuzz-logs/$target.result"
  log="target/fuzz-logs/$target.log"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  executions="${executions:-0}"
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  seeds=$(find "corpus/$target" -type f | wc -l)
  # The corpus libFuzzer ended with (seeds and finds, minimised by coverage).
  corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes="?"
  fi
  printf '%-16s %14s %8s %10s %8s %8s %8s\n' "$target" "$executions" "$elapsed" "${rate:-0}" \
    "$crashes" "$seeds" "${corpus:-0}"
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "  $target failed (exit $status); log: fuzz/$log" >&2
    grep -m1 -E '^(==[0-9]+== ERROR|thread .* panicked|ERROR: libFuzzer)' "$log" | sed 's/^/  /' >&2 || true
    ls -t "artifacts/$target" | head -3 | sed "s|^|  artifact: fuzz/artifacts/$target/|" >&2
  fi
done
exit "$failed"
