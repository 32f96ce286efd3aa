#!/bin/bash
# eventdrill's Redfish GET load path against wrk, in one run, on loopback:
# nginx (one worker, pinned to CPU 0, keep-alive) serves a ServiceRoot JSON;
# each generator (pinned to CPU 1) loads it with 1, 16 and 64 connections,
# and with 64 over HTTPS (a certificate of the bench's own CA, which
# eventdrill verifies).
# Prints requests/s of each, their ratio, and each generator's requests per
# CPU-second (user+sys of the generator process; eventdrill runs with
# --no-report, so the plots and report it would draw after the load, in child
# processes that /usr/bin/time counts too, are not charged to the load path),
# as medians over alternating rounds (wrk, then eventdrill, so that a shared
# machine's drift hits both alike), and nginx's CPU per request served to
# each (when nginx is the limit, that decides the rate). Then schedule
# accuracy:
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
DUR=${ED_BENCH_SECONDS:-5}
ROUNDS=${ED_BENCH_ROUNDS:-3}
ACC_RATE=${ED_BENCH_ACCURACY_RATE:-25000}
ACC_SECONDS=${ED_BENCH_ACCURACY_SECONDS:-20}
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
PY=/usr/bin/python3
. "$SRC/bench/nginx.sh"
. "$SRC/scripts/lib/certs.sh"

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
mkdir -p "$D/html"
cat >"$D/html/root.json" <<'JSON'
{"@odata.type":"#ServiceRoot.v1_15_0.ServiceRoot","@odata.id":"/redfish/v1","Id":"RootService","Name":"Root Service","RedfishVersion":"1.15.0","UUID":"92384634-2938-2342-8820-489239905423","Systems":{"@odata.id":"/redfish/v1/Systems"},"Chassis":{"@odata.id":"/redfish/v1/Chassis"},"Managers":{"@odata.id":"/redfish/v1/Managers"},"SessionService":{"@odata.id":"/redfish/v1/SessionService"},"AccountService":{"@odata.id":"/redfish/v1/AccountService"},"Links":{"Sessions":{"@odata.id":"/redfish/v1/SessionService/Sessions"}}}
JSON
# TLS: a CA and a certificate for 127.0.0.1 signed by it (eventdrill
# verifies it against the CA; wrk does not verify).
TLS_PORT=${ED_BENCH_TLS_PORT:-18092}
certs_ca "$D" bench-ca
certs_leaf "$D" tls 127.0.0.1 IP:127.0.0.1
nginx_serve "$D" "$PORT" "$D/html/root.json" "$TLS_PORT" "$D/tls.pem" "$D/tls.key"

# cpu_of FILE: user+sys seconds written by /usr/bin/time -f '%U %S'.
cpu_of() { awk '{print $1 + $2}' "$1"; }

# run_wrk CONNS BASE -> "req/s cpu_s"
run_wrk() {
  local c=$1
  taskset -c 1 /usr/bin/time -f '%U %S' -o "$D/wrk.cpu" \
    wrk -t1 -c"$c" -d"${DUR}s" "$2/redfish/v1" >"$D/wrk.out"
  local rps
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$D/wrk.out")
  echo "$rps $(cpu_of "$D/wrk.cpu")"
}

# scenario NAME RATE SECONDS CONNS BASE -> path (an https BASE is verified
# against the bench's CA)
scenario() {
  local f="$D/$1.json" ca=""
  [[ "$5" == https:* ]] && ca="\"ca_file\": \"$D/ca.pem\","
  cat >"$f" <<JSON
{ "name": "$1",
  "targets": { "nginx": { "driver": "redfish", "url": "$5", $ca "auth": "none" } },
  "workloads": [ { "name": "get-root", "targets": ["nginx"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "load", "constant": $2, "for": "${3}s" } ],
                   "max_in_flight": $4, "timeout": "5s" } ],
  "journal": { "requests": "aggregate" } }
JSON
  echo "$f"
}

# run_ed NAME RATE SECONDS CONNS BASE -> "completed/s sent/s lag_p99_ms cpu_s completed"
run_ed() {
  local f
  f=$(scenario "$1" "$2" "$3" "$4" "$5")
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

# nginx_ticks: CPU clock ticks (user+sys) the nginx worker has used so far.
NGINX_WORKER=$(pgrep -P "$(cat "$D/nginx.pid")" | head -n1)
nginx_ticks() { awk '{print $14 + $15}' "/proc/$NGINX_WORKER/stat"; }

echo "eventdrill $("$ED" version | awk '{print $2}') vs $(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}'), nginx 1 worker on CPU 0, generators on CPU 1, ${DUR}s each, $ROUNDS alternating rounds (medians)"
printf '%-6s %10s %10s %6s %13s %13s %6s %12s\n' conns "wrk req/s" "ed req/s" ratio "wrk req/cpu-s" "ed req/cpu-s" ratio "nginx us/req"
# Rows: LABEL CONNS BASE. The last one is HTTPS (TLS 1.3, keep-alive: the
# handshake is paid once per connection), where real BMCs are.
while read -r label c base; do
  : >"$D/rounds"
  for _ in $(seq 1 "$ROUNDS"); do
    t0=$(nginx_ticks)
    read -r wrps wcpu < <(run_wrk "$c" "$base")
    t1=$(nginx_ticks)
    # Offer 20 % more than wrk achieved, so the in-flight cap (= connections),
    # not the schedule, is the limit, as for wrk.
    rate=$($PY -c "print(int(float('$wrps') * 1.2) + 1)")
    read -r erps _ _ ecpu edone < <(run_ed "c$label" "$rate" "$DUR" "$c" "$base")
    t2=$(nginx_ticks)
    echo "$wrps $wcpu $((t1 - t0)) $erps $ecpu $edone $((t2 - t1))" >>"$D/rounds"
  done
  $PY - "$label" "$DUR" "$(getconf CLK_TCK)" "$D/rounds" <<'PYEOF'
import statistics, sys
c, dur, tck = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = [list(map(float, l.split())) for l in open(sys.argv[4]) if l.strip()]
med = statistics.median
# wrk: requests it completed over its CPU time; eventdrill: the same, from
# its summary (its run may last past the profile while the backlog drains).
wrps = [r[0] for r in rows]
erps = [r[3] for r in rows]
wpc = [r[0] * dur / r[1] for r in rows if r[1]]
epc = [r[5] / r[4] for r in rows if r[4]]
# The ratios are per round (each pair ran back to back), then the median.
rr = [r[3] / r[0] for r in rows if r[0]]
rc = [(r[5] / r[4]) / (r[0] * dur / r[1]) for r in rows if r[1] and r[4]]
# nginx's CPU per request served, for each generator's requests: when nginx
# is the limit, this decides the rate.
wus = med([r[2] / tck * 1e6 / (r[0] * dur) for r in rows if r[0]])
eus = med([r[6] / tck * 1e6 / r[5] for r in rows if r[5]])
print("%-6s %10.0f %10.0f %6.2f %13.0f %13.0f %6.2f %5.1f / %4.1f" %
      (c, med(wrps), med(erps), med(rr), med(wpc), med(epc), med(rc), wus, eus))
PYEOF
done <<ROWS
1 1 http://127.0.0.1:$PORT
16 16 http://127.0.0.1:$PORT
64 64 http://127.0.0.1:$PORT
64-tls 64 https://127.0.0.1:$TLS_PORT
ROWS

echo
echo "schedule accuracy: constant $ACC_RATE req/s for ${ACC_SECONDS}s (max 64 in flight)"
read -r _ srate lag _ _ < <(run_ed accuracy "$ACC_RATE" "$ACC_SECONDS" 64 "http://127.0.0.1:$PORT")
$PY - "$ACC_RATE" "$srate" "$lag" <<'PYEOF'
import sys
target, sent, lag = map(float, sys.argv[1:])
err = abs(sent - target) / target * 100
print("  sent %.1f req/s: %.3f %% from the target (goal <= 0.5 %%)" % (sent, err))
print("  send lag p99 %.3f ms (goal < 1 ms)" % lag)
PYEOF
