#!/bin/bash
# IPMI power-status reads against OpenIPMI's ipmi_sim, in one run: the
# eventdrill IPMI driver (one reused session, then 2 and 4 sessions) versus
# ipmitool and FreeIPMI's ipmi-power doing the same read in a loop (a new
# process and session each time). Prints reads/s and p50/p99 of each; for
# each driver run, the CPU time per read of eventdrill and of ipmi_sim and
# ipmi_sim's share of a CPU (which side limits the rate); and the ratios.
#
# Every client reads the same BMC, set up as in the integration tests, with
# its chassis power state held in ipmi_sim by tests/peers/ipmisim_chassis.c
# (built with the tests when libopenipmi-dev is installed). Without that
# module ipmi_sim runs a control program through popen() for every status
# read, in its only thread: that measures process spawning inside the BMC,
# a few hundred reads/s for any client, so the bench refuses to run.
#
# Usage: bench/ipmi-vs-tools.sh [BUILD_DIR]        (default: build)
# Goal: the driver with one reused session >= 10x ipmi-power's read rate;
# with more sessions, limited only by the BMC (ipmi_sim, one thread, near
# 100 % of a CPU).
# Knobs: ED_BENCH_SECONDS (each driver run, default 5), ED_BENCH_TOOL_READS
# (reads per tool, default 30), ED_BENCH_SESSIONS (default "1 2 4").
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
N=${ED_BENCH_TOOL_READS:-30}
SECS=${ED_BENCH_SECONDS:-5}
SESSIONS=${ED_BENCH_SESSIONS:-1 2 4}
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
need=()
for p in ipmi_sim:openipmi ipmitool:ipmitool ipmi-power:freeipmi-tools \
  /usr/include/OpenIPMI/mcserv.h:libopenipmi-dev /usr/bin/time:time; do
  command -v "${p%%:*}" >/dev/null || [ -e "${p%%:*}" ] || need+=("${p#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

. "$SRC/bench/lib.sh"
# The BMC of the integration tests: ipmi_sim as a LAN BMC on a free UDP port.
BMC_CHASSIS_MODULE=$BUILD/tests/peers/ipmisim_chassis.so
[ -f "$BMC_CHASSIS_MODULE" ] ||
  fail "$BMC_CHASSIS_MODULE not built: install libopenipmi-dev, then" \
    "reconfigure and build $BUILD (bash scripts/build.sh $BUILD)"
. "$SRC/tests/integration/ipmi_lib.sh"
bmc_start
[ "$BMC_CHASSIS" = module ] || fail "ipmi_sim runs a chassis control program"

# bmc_cpu_ticks: CPU time ipmi_sim has used so far, in clock ticks.
bmc_cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$BMC_PID/stat"
}

# run_ed SESSIONS: the driver with that many sessions, as many reads in
# flight, offered more than it can do: "reads/s p50_ms p99_ms
# eventdrill_cpu_us_per_read bmc_cpu_us_per_read bmc_cpu_percent".
run_ed() {
  local n=$1 c0 c1 t0 t1
  cat >"$WORK/s$n.json" <<JSON
{ "name": "ipmi-bench-$n",
  "targets": { "bmc": { "driver": "ipmi", "host": "$BMC_HOST",
                        "credentials": "env:IPMI_BENCH_CREDS",
                        "workarounds": ["opensesspriv"], "max_sessions": $n } },
  "workloads": [ { "name": "power-status", "targets": ["bmc"],
                   "op": { "power_status": {} },
                   "rate": [ { "name": "load", "constant": 50000, "for": "${SECS}s" } ],
                   "max_in_flight": $n, "timeout": "2s" } ],
  "journal": { "requests": "aggregate" } }
JSON
  c0=$(bmc_cpu_ticks)
  t0=$(date +%s%N)
  IPMI_BENCH_CREDS=admin:secret /usr/bin/time -f "%U %S" -o "$WORK/cpu$n" \
    "$ED" run "$WORK/s$n.json" --quiet --no-report --out "$WORK/r$n" || true
  t1=$(date +%s%N)
  c1=$(bmc_cpu_ticks)
  $PY - "$WORK/r$n/summary.json" "$((c1 - c0))" "$(getconf CLK_TCK)" \
    "$((t1 - t0))" "$(tail -n 1 "$WORK/cpu$n")" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
ticks, hz, wall_ns = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ed_cpu = sum(map(float, sys.argv[5].split()))
t = s["workloads"][0]["total"]
svc = t["service_ms"]
if t["ok"] == 0:
    sys.exit("no successful read: %s" % t["errors"])
# CPU over the whole run of each (start, session opens and closes included)
bmc_cpu = ticks / hz
print("%.1f %.2f %.2f %.0f %.0f %.0f" % (
    t["ok"] / s["elapsed_s"], svc["p50"], svc["p99"], ed_cpu / t["ok"] * 1e6,
    bmc_cpu / t["ok"] * 1e6, 100.0 * bmc_cpu / (wall_ns / 1e9)))
PYEOF
}

read -r it_rate it_p50 it_p99 < <(time_runs "$N" ipmitool -I lanplus -H 127.0.0.1 \
  -p "$BMC_PORT" -U admin -P secret -C 3 chassis power status)
read -r ip_rate ip_p50 ip_p99 < <(time_runs "$N" ipmi-power -h "$BMC_HOST" -u admin \
  -p secret -l ADMIN -D LAN_2_0 -W opensesspriv --stat)
rows=()
for n in $SESSIONS; do
  read -r rate p50 p99 ed_us bmc_us cpu < <(run_ed "$n")
  rows+=("$n $rate $p50 $p99 $ed_us $bmc_us $cpu")
done
# Every read above reached ipmi_sim; none of them changed the power state.
[ ! -s "$BMC_DIR/control.log" ] ||
  fail "a power status read changed the chassis: $(cat "$BMC_DIR/control.log")"

printf 'power-status reads against ipmi_sim (%s), power state held in ipmi_sim\n' \
  "$BMC_HOST"
# CPU per read: of eventdrill (all its threads) and of ipmi_sim; then
# ipmi_sim's share of one CPU during the run.
printf '%-32s %9s %8s %8s %11s %11s %8s\n' "" "reads/s" "p50 ms" "p99 ms" \
  "ed us/read" "sim us/read" "sim CPU"
printf '%-32s %9s %8s %8s\n' "ipmitool (process per read)" "$it_rate" "$it_p50" "$it_p99"
printf '%-32s %9s %8s %8s\n' "ipmi-power (process per read)" "$ip_rate" "$ip_p50" "$ip_p99"
for r in "${rows[@]}"; do
  read -r n rate p50 p99 ed_us bmc_us cpu <<<"$r"
  printf '%-32s %9s %8s %8s %11s %11s %7s%%\n' \
    "eventdrill ipmi, $n session$([ "$n" -eq 1 ] || echo s)" "$rate" "$p50" "$p99" \
    "$ed_us" "$bmc_us" "$cpu"
done
$PY - "$ip_rate" "$it_rate" "${rows[@]}" <<'PYEOF'
import sys
ip, it = float(sys.argv[1]), float(sys.argv[2])
rows = [r.split() for r in sys.argv[3:]]
one = next((float(r[1]) for r in rows if r[0] == "1"), None)
last = rows[-1]
n, rn = last[0], float(last[1])
if one is not None:
    print("ratio 1 session / ipmi-power: %.1fx (goal >= 10x)" % (one / ip))
    print("ratio 1 session / ipmitool:   %.1fx" % (one / it))
print("ratio %s sessions / ipmi-power: %.1fx" % (n, rn / ip))
print("ratio %s sessions / ipmitool:   %.1fx" % (n, rn / it))
if one is not None:
    print("sessions %s: %s x the 1-session rate; ipmi_sim at %s %% of a CPU"
          % (" / ".join(r[0] for r in rows),
             " / ".join("%.2f" % (float(r[1]) / one) for r in rows),
             " / ".join(r[6] for r in rows)))
# ipmi_sim answers in one thread: at ~100 % of a CPU it is the limit.
# Below that, the client and ipmi_sim share this machine's CPUs.
print("with %s sessions the limit is %s" % (n, "ipmi_sim (the BMC)"
      if float(last[6]) >= 90 else
      "the machine's CPU, shared by eventdrill and ipmi_sim (ipmi_sim "
      "not saturated)"))
PYEOF
echo "load average (uptime): $(uptime | sed 's/.*load average: //'), $(nproc) CPUs"
