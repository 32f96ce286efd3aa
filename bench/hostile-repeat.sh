#!/usr/bin/env bash
# The worst rows of tests/integration/hostile_peer.sh (floods of interim
# answers, headers, chunk extensions and random bytes, a 2 GB body, over
# HTTP and TLS), each ED_BENCH_REPEAT times (20), every run checked as the
# test checks it (classes, the healthy target's schedule within 1 %, the
# run's end within 2 s of plan, peak RSS, no crash); prints one line per
# run and fails on the first that does not hold.
#
#   bash bench/hostile-repeat.sh [BUILD]     (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=$(cd "${1:-build}" && pwd)
export ED_BIN="$BUILD/bin" ED_BUILD="$BUILD" ED_SRC=$PWD \
  ED_TESTS=$PWD/tests/integration
export HOSTILE_REPEAT=${ED_BENCH_REPEAT:-20}
export HOSTILE_ROWS="interim_flood interim_flood_tls header_flood chunk_ext_flood binary_flood cl_2gb"
exec bash tests/integration/hostile_peer.sh
