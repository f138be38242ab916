#!/usr/bin/env bash
# Builds the fuzz targets and runs each in turn, one process at a time (no -jobs), with a
# run count and a time guard per target; prints one summary line per target and exits
# non-zero if any target failed (a crash: the input is in fuzz/artifacts/<target>/).
#
#   fuzz/run-all.sh                       # the long run: 10^6 executions per target
#   RUNS=100000000 MAX_TIME=5 fuzz/run-all.sh   # a short run: 5 s per target (CI)
#   fuzz/run-all.sh money_text et_wire    # some targets only
#
# RUNS (default 1000000) and MAX_TIME (seconds per target, default 3600) bound each run;
# SANITIZER (default none; address for AddressSanitizer) is passed to cargo fuzz as -s; logs go to LOGS
# (default /tmp/fuzz-logs/<target>.log). NO_BUILD=1 runs the binaries already built in
# fuzz/target (no rebuild when other crates' sources have moved on since). Stable rustc needs RUSTC_BOOTSTRAP=1 for the
# sanitizer and coverage flags cargo fuzz passes; this script sets it.
set -uo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1 CARGO_INCREMENTAL=0
runs=${RUNS:-1000000}
max_time=${MAX_TIME:-3600}
sanitizer=${SANITIZER:-none}
logs=${LOGS:-/tmp/fuzz-logs}
mkdir -p "$logs"

fuzz/seeds.sh
if [ -z "${NO_BUILD:-}" ]; then cargo fuzz build -s "$sanitizer" || exit 1; fi
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
bin=fuzz/target/x86_64-unknown-linux-gnu/release

failed=0
printf '%-30s %12s %8s %10s %8s %8s %s\n' target executions seconds exec/s cov ft result
for t in "${targets[@]}"; do
  log=$logs/$t.log
  start=$(date +%s.%N)
  flags=(-runs="$runs" -max_total_time="$max_time" -timeout=30 -print_final_stats=1)
  if [ -n "${NO_BUILD:-}" ]; then
    mkdir -p "fuzz/artifacts/$t"
    "$bin/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" "${flags[@]}" >"$log" 2>&1
  else
    cargo fuzz run -s "$sanitizer" "$t" "fuzz/corpus/$t" -- "${flags[@]}" >"$log" 2>&1
  fi
  status=$?
  end=$(date +%s.%N)
  # libFuzzer's last status line: "#N  DONE  cov: C ft: F corp: …", then "Done N runs in S second(s)".
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  # The rate over libFuzzer's own time ("Done N runs in S second(s)"), start-up excluded.
  fuzzed=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log")
  rate=$(awk -v n="${execs:-0}" -v s="${fuzzed:-$seconds}" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 1) }')
  result=ok
  if [ $status -ne 0 ]; then result="FAILED (exit $status, see $log)"; failed=1; fi
  printf '%-30s %12s %8s %10s %8s %8s %s\n' "$t" "${execs:-?}" "$seconds" "$rate" "${cov:-?}" "${ft:-?}" "$result"
done
exit $failed
