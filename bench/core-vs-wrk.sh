#!/bin/bash
# eventdrill's Redfish GET load path against wrk, in one run, on loopback:
# nginx (one worker, pinned to CPU 0, keep-alive) serves a ServiceRoot JSON;
# each generator (pinned to CPU 1) loads it with 1, 16 and 64 connections.
# Prints requests/s of each, their ratio, and each generator's requests per
# CPU-second (user+sys of the generator process; eventdrill runs with
# --no-report, so the plots and report it would draw after the load, in child
# processes that /usr/bin/time counts too, are not charged to the load path).
# Then schedule accuracy:
# eventdrill at a constant 25,000 req/s for 20 s, the rate achieved against
# the target and the 99th percentile of (actual - intended send time).
#
# Usage: bench/core-vs-wrk.sh [BUILD_DIR]     (default: build)
# Goals: >= 0.9x wrk's req/s at 64 connections; >= 0.8x wrk's requests per
# CPU-second; achieved rate within 0.5 % of 25,000/s; send lag p99 < 1 ms.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
DUR=${ED_BENCH_SECONDS:-10}
ACC_RATE=${ED_BENCH_ACCURACY_RATE:-25000}
ACC_SECONDS=${ED_BENCH_ACCURACY_SECONDS:-20}
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
PY=/usr/bin/python3
. "$SRC/bench/nginx.sh"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v taskset >/dev/null || need+=(util-linux)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

D=$(mktemp -d)
chmod 755 "$D" # nginx workers run as another user and read the JSON
cleanup() {
  [ -f "$D/nginx.pid" ] && kill "$(cat "$D/nginx.pid")" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT

PORT=${ED_BENCH_PORT:-18091}
URL="http://127.0.0.1:$PORT/redfish/v1"
mkdir -p "$D/html"
cat >"$D/html/root.json" <<'JSON'
{"@odata.type":"#ServiceRoot.v1_15_0.ServiceRoot","@odata.id":"/redfish/v1","Id":"RootService","Name":"Root Service","RedfishVersion":"1.15.0","UUID":"92384634-2938-2342-8820-489239905423","Systems":{"@odata.id":"/redfish/v1/Systems"},"Chassis":{"@odata.id":"/redfish/v1/Chassis"},"Managers":{"@odata.id":"/redfish/v1/Managers"},"SessionService":{"@odata.id":"/redfish/v1/SessionService"},"AccountService":{"@odata.id":"/redfish/v1/AccountService"},"Links":{"Sessions":{"@odata.id":"/redfish/v1/SessionService/Sessions"}}}
JSON
nginx_serve "$D" "$PORT" "$D/html/root.json"

# cpu_of FILE: user+sys seconds written by /usr/bin/time -f '%U %S'.
cpu_of() { awk '{print $1 + $2}' "$1"; }

# run_wrk CONNS -> "req/s cpu_s"
run_wrk() {
  local c=$1
  taskset -c 1 /usr/bin/time -f '%U %S' -o "$D/wrk.cpu" \
    wrk -t1 -c"$c" -d"${DUR}s" "$URL" >"$D/wrk.out"
  local rps
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$D/wrk.out")
  echo "$rps $(cpu_of "$D/wrk.cpu")"
}

# scenario NAME RATE SECONDS CONNS -> path
scenario() {
  local f="$D/$1.json"
  cat >"$f" <<JSON
{ "name": "$1",
  "targets": { "nginx": { "driver": "redfish", "url": "http://127.0.0.1:$PORT", "auth": "none" } },
  "workloads": [ { "name": "get-root", "targets": ["nginx"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "load", "constant": $2, "for": "${3}s" } ],
                   "max_in_flight": $4, "timeout": "5s" } ],
  "journal": { "requests": "aggregate" } }
JSON
  echo "$f"
}

# run_ed NAME RATE SECONDS CONNS -> "completed/s sent/s lag_p99_ms cpu_s completed"
run_ed() {
  local f
  f=$(scenario "$1" "$2" "$3" "$4")
  rm -rf "$D/r-$1"
  taskset -c 1 /usr/bin/time -f '%U %S' -o "$D/ed.cpu" \
    "$ED" run "$f" --quiet --no-report --out "$D/r-$1" || true
  $PY - "$D/r-$1/summary.json" "$(cpu_of "$D/ed.cpu")" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
el = s["elapsed_s"]
print("%.1f %.1f %.3f %s %d" % (t["completed"] / el, t["sent_rate"],
                                t["send_lag_ms"].get("p99", 0), sys.argv[2],
                                t["completed"]))
PYEOF
}

echo "eventdrill $("$ED" version | awk '{print $2}') vs $(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}'), nginx 1 worker on CPU 0, generators on CPU 1, ${DUR}s each"
printf '%-6s %12s %12s %7s %14s %14s %7s\n' conns "wrk req/s" "ed req/s" ratio "wrk req/cpu-s" "ed req/cpu-s" ratio
for c in 1 16 64; do
  read -r wrps wcpu < <(run_wrk "$c")
  # Offer 20 % more than wrk achieved, so the in-flight cap (= connections),
  # not the schedule, is the limit, as for wrk.
  rate=$($PY -c "print(int(float('$wrps') * 1.2) + 1)")
  read -r erps _ _ ecpu edone < <(run_ed "c$c" "$rate" "$DUR" "$c")
  $PY - "$c" "$wrps" "$wcpu" "$erps" "$ecpu" "$DUR" "$edone" <<'PYEOF'
import sys
c, wrps, wcpu, erps, ecpu, dur, edone = sys.argv[1:]
wrps, wcpu, erps, ecpu, dur, edone = map(float, (wrps, wcpu, erps, ecpu, dur, edone))
# wrk: requests it completed over its CPU time; eventdrill: the same, from
# its summary (its run may last past the profile while the backlog drains).
wpc = wrps * dur / wcpu if wcpu else 0
epc = edone / ecpu if ecpu else 0
print("%-6s %12.0f %12.0f %7.2f %14.0f %14.0f %7.2f" %
      (c, wrps, erps, erps / wrps, wpc, epc, epc / wpc if wpc else 0))
PYEOF
done

echo
echo "schedule accuracy: constant $ACC_RATE req/s for ${ACC_SECONDS}s (max 64 in flight)"
read -r _ srate lag _ _ < <(run_ed accuracy "$ACC_RATE" "$ACC_SECONDS" 64)
$PY - "$ACC_RATE" "$srate" "$lag" <<'PYEOF'
import sys
target, sent, lag = map(float, sys.argv[1:])
err = abs(sent - target) / target * 100
print("  sent %.1f req/s: %.3f %% from the target (goal <= 0.5 %%)" % (sent, err))
print("  send lag p99 %.3f ms (goal < 1 ms)" % lag)
PYEOF
