#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another,
# and prints one line per target: runs done, or the crash file found.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"; shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(names signed_header loads cnu config_editors bundle_readers log_lines checksum_lists remap_rules trust_lists)
status=0
for t in "${targets[@]}"; do
  log="$(mktemp)"
  cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 >"$log" 2>&1
  if grep -q "^Done" "$log"; then
    echo "$t: clean, $(grep '^Done' "$log" | sed 's/^Done //')"
  else
    echo "$t: FOUND a problem: $(grep -m1 -o 'artifacts/[^ ]*' "$log")"; status=1
  fi
  rm -f "$log"
done
exit $status
