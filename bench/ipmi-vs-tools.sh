#!/bin/bash
# IPMI power-status reads against OpenIPMI's ipmi_sim, in one run: the
# eventdrill IPMI driver (one reused session, then 4 sessions) versus
# ipmitool and FreeIPMI's ipmi-power doing the same read in a loop (a new
# process and session each time). Prints reads/s and p50/p99 of each and the
# ratios.
#
# Usage: bench/ipmi-vs-tools.sh [BUILD_DIR]        (default: build)
# Goal: the driver with one reused session >= 10x ipmi-power's read rate.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
N=${ED_BENCH_TOOL_READS:-30}
SECS=${ED_BENCH_SECONDS:-5}
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
need=()
for p in ipmi_sim:openipmi ipmitool:ipmitool ipmi-power:freeipmi-tools; do
  command -v "${p%%:*}" >/dev/null || need+=("${p#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

. "$SRC/bench/lib.sh"
# The BMC of the integration tests: ipmi_sim as a LAN BMC on a free UDP port.
. "$SRC/tests/integration/ipmi_lib.sh"
bmc_start

# run_ed SESSIONS: the driver with that many sessions, as many reads in
# flight, offered more than it can do: "reads/s p50_ms p99_ms".
run_ed() {
  local n=$1
  cat >"$WORK/s$n.json" <<JSON
{ "name": "ipmi-bench-$n",
  "targets": { "bmc": { "driver": "ipmi", "host": "$BMC_HOST",
                        "credentials": "env:IPMI_BENCH_CREDS",
                        "workarounds": ["opensesspriv"], "max_sessions": $n } },
  "workloads": [ { "name": "power-status", "targets": ["bmc"],
                   "op": { "power_status": {} },
                   "rate": [ { "name": "load", "constant": 5000, "for": "${SECS}s" } ],
                   "max_in_flight": $n, "timeout": "2s" } ],
  "journal": { "requests": "aggregate" } }
JSON
  IPMI_BENCH_CREDS=admin:secret "$ED" run "$WORK/s$n.json" --quiet --out "$WORK/r$n" || true
  $PY - "$WORK/r$n/summary.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
svc = t["service_ms"]
if t["ok"] == 0:
    sys.exit("no successful read: %s" % t["errors"])
print("%.1f %.2f %.2f" % (t["ok"] / s["elapsed_s"], svc["p50"], svc["p99"]))
PYEOF
}

read -r it_rate it_p50 it_p99 < <(time_runs "$N" ipmitool -I lanplus -H 127.0.0.1 \
  -p "$BMC_PORT" -U admin -P secret -C 3 chassis power status)
read -r ip_rate ip_p50 ip_p99 < <(time_runs "$N" ipmi-power -h "$BMC_HOST" -u admin \
  -p secret -l ADMIN -D LAN_2_0 -W opensesspriv --stat)
read -r e1_rate e1_p50 e1_p99 < <(run_ed 1)
read -r e4_rate e4_p50 e4_p99 < <(run_ed 4)

printf 'power-status reads against ipmi_sim (%s)\n' "$BMC_HOST"
printf '%-34s %10s %9s %9s\n' "" "reads/s" "p50 ms" "p99 ms"
printf '%-34s %10s %9s %9s\n' "ipmitool (process per read)" "$it_rate" "$it_p50" "$it_p99"
printf '%-34s %10s %9s %9s\n' "ipmi-power (process per read)" "$ip_rate" "$ip_p50" "$ip_p99"
printf '%-34s %10s %9s %9s\n' "eventdrill ipmi, 1 session" "$e1_rate" "$e1_p50" "$e1_p99"
printf '%-34s %10s %9s %9s\n' "eventdrill ipmi, 4 sessions" "$e4_rate" "$e4_p50" "$e4_p99"
$PY - "$e1_rate" "$ip_rate" "$it_rate" "$e4_rate" <<'PYEOF'
import sys
e1, ip, it, e4 = map(float, sys.argv[1:])
print("ratio 1 session / ipmi-power: %.1fx (goal >= 10x)" % (e1 / ip))
print("ratio 1 session / ipmitool:   %.1fx" % (e1 / it))
print("ratio 4 sessions / 1 session: %.2fx" % (e4 / e1))
PYEOF
