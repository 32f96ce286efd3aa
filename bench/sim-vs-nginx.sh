#!/bin/bash
# The simulator against nginx serving the same ServiceRoot JSON on loopback,
# in one run: wrk -t1 -c64 -d10s against each (servers pinned to CPU 0, wrk
# to CPU 1), then resident memory and start time for 1,000 and 10,000 BMCs
# of the default mockup.
# Usage: bench/sim-vs-nginx.sh [BUILD_DIR]   (default: build)
# Goals: simulator >= 50% of nginx's single-worker rate; 10,000 BMCs in
# <= 150 MB resident and <= 2 s to the readiness line.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
SIM=$BUILD/bin/eventdrill-sim
DUR=${ED_BENCH_DURATION:-10s}
[ -x "$SIM" ] || { echo "build first: $SIM not found" >&2; exit 1; }
. "$SRC/bench/nginx.sh"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v taskset >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

D=$(mktemp -d)
chmod 755 "$D" # nginx workers run as another user and read the JSON
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$D/logs/error.log" ] && [ -n "${ED_BENCH_DEBUG:-}" ] && cat "$D/logs/error.log" >&2
  [ -f "$D/nginx.pid" ] && kill "$(cat "$D/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT

NGINX_PORT=18081
SIM_PORT=18082
# Wait until a start line shows up in $1 (max 20 s); print the seconds.
wait_line() {
  local t0=$1 file=$2 pid=$3
  for _ in $(seq 1 2000); do
    grep -q serving "$file" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; exit 1; }
    sleep 0.01
  done
  echo "$(date +%s.%N) - $t0" | bc
}

# 1. The simulator with one BMC, no knobs; save its ServiceRoot for nginx.
taskset -c 0 "$SIM" --bmcs 1 --mode ports --address 127.0.0.1 --port $SIM_PORT \
  >"$D/sim.out" 2>"$D/sim.err" &
PIDS+=($!)
wait_line "$(date +%s.%N)" "$D/sim.out" $! >/dev/null
mkdir -p "$D/html/redfish/v1"
curl -sf "http://127.0.0.1:$SIM_PORT/redfish/v1" >"$D/html/redfish/v1/index.json"

nginx_serve "$D" "$NGINX_PORT" "$D/html/redfish/v1/index.json"

rate() {
  taskset -c 1 wrk -t1 -c64 -d"$DUR" "$1" | awk '/Requests\/sec/ {print $2}'
}
echo "wrk -t1 -c64 -d$DUR, ServiceRoot ($(stat -c %s "$D/html/redfish/v1/index.json") bytes), servers on CPU 0, wrk on CPU 1"
NG=$(rate "http://127.0.0.1:$NGINX_PORT/redfish/v1")
SM=$(rate "http://127.0.0.1:$SIM_PORT/redfish/v1")
RATIO=$(echo "scale=2; $SM / $NG" | bc)
printf "nginx (1 worker):      %10.0f req/s\n" "$NG"
printf "eventdrill-sim (1 BMC): %9.0f req/s\n" "$SM"
echo "ratio sim/nginx: $RATIO (goal >= 0.5)"
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
PIDS=()

# 2. Start time and resident memory of large fleets.
for n in 1000 10000; do
  t0=$(date +%s.%N)
  "$SIM" --bmcs "$n" --address 127.0.1.1 --port $SIM_PORT >"$D/big.out" 2>&1 &
  pid=$!
  PIDS=($pid)
  secs=$(wait_line "$t0" "$D/big.out" $pid)
  sleep 0.2
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  printf "%6d BMCs: start %.3f s (goal <= 2 s), VmRSS %.1f MB (goal <= 150 MB)\n" \
    "$n" "$secs" "$(echo "$rss / 1024" | bc -l)"
  kill $pid
  wait $pid 2>/dev/null || true
  PIDS=()
done
