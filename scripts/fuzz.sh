#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz (clang libFuzzer + ASan + UBSan, a
# CMake project of its own) and runs each for a bounded time on its committed
# seed corpus (tests/fuzz/corpus/<target>/, read-only: what the run finds
# goes to the build folder). Every committed input runs first, so a crash
# once found and kept in the corpus is a regression test.
#
#   ED_FUZZ_SECONDS  seconds per target (default 60)
#   ED_FUZZ_BUILD    build folder (default build-fuzz)
#   ED_FUZZ_TARGETS  space-separated subset (default: every target built)
#   ED_FUZZ_JOBS     build jobs (default nproc)
#
# Exit status 1 when a target crashed, leaked, timed out or ran out of
# memory; the input is in $ED_FUZZ_BUILD/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${ED_FUZZ_SECONDS:-60}
build=${ED_FUZZ_BUILD:-build-fuzz}
jobs=${ED_FUZZ_JOBS:-$(nproc)}

CC=${FUZZ_CC:-clang} cmake -S tests/fuzz -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null

targets=${ED_FUZZ_TARGETS:-$(cd "$build" && ls fuzz_* 2>/dev/null | sed 's/^fuzz_//')}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for t in $targets; do
  bin="$build/fuzz_$t"
  seeds="tests/fuzz/corpus/$t"
  work="$build/corpus/$t"
  art="$build/artifacts/$t"
  mkdir -p "$work" "$art" "$seeds"
  case $t in
    sim_http) maxlen=70000 ;; # past the 16 KiB header limit
    *) maxlen=16384 ;;
  esac
  log="$build/fuzz-$t.log"
  rc=0
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="$art/" \
    "$work" "$seeds" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ "$rc" -ne 0 ]; then
    echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} runs; log $log, input in $art/"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 || true
    failed=1
  else
    echo "fuzz $t: ok, ${runs:-?} runs in ${secs}s (${speed:-?} exec/s, ${cov:-cov ?}, seeds $(ls "$seeds" | wc -l))"
  fi
done
exit "$failed"
