#!/bin/bash
# Soak: eventdrill and eventdrill-sim for a long while under every kind of
# misbehaviour at once, to show that neither grows: 4 simulated BMCs on
# loopback with latency (log-normal, median 20 ms, p99 200 ms), errors
# (5 %), connection resets (2 %) and hung requests (2 %), and one BMC going
# down for 5 s every minute; eventdrill polls them at 50 req/s each (open
# loop, Poisson arrivals, 2 s timeout). Resident size and open descriptors
# of both processes are sampled once the load has settled (after WARMUP
# seconds) and again near its end, each the least of 10 readings a second
# apart (connections come and go); the growth of each is printed, and the
# script fails when one grows by 1 % or more (descriptors: by more than 2,
# the slack of connections being re-opened at that instant). The outage
# comes at a fixed second of every minute and drops that BMC's
# connections, so what a process holds follows a one-minute cycle: both
# samples start at the same second of a minute (WARMUP, and the last
# minute that ends before the run does), so that they compare like with
# like and a growth is not mistaken for the cycle, nor hidden by it.
# Every 10 s in between both are read once more, and the least and most of
# each minute printed: a growth shows there as a trend or as a plateau.
#
# Usage: bench/soak.sh [BUILD_DIR]   (default: build). Run by hand, not in
# CI: it takes ED_SOAK_SECONDS (default 600) plus a minute.
# Knobs: ED_SOAK_SECONDS (600), ED_SOAK_WARMUP (60), ED_SOAK_PORT (18900).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
SIM=$BUILD/bin/eventdrill-sim
SECS=${ED_SOAK_SECONDS:-600}
WARMUP=${ED_SOAK_WARMUP:-60}
PORT=${ED_SOAK_PORT:-18900}
[ -x "$ED" ] && [ -x "$SIM" ] || { echo "build first: $ED not found" >&2; exit 1; }
[ "$SECS" -gt $((WARMUP + 30)) ] || { echo "ED_SOAK_SECONDS must exceed the warm-up by 30 s" >&2; exit 1; }
. "$SRC/bench/lib.sh"

CONTROL=$((PORT + 10))
cat >"$WORK/sim.json" <<JSON
{ "bmcs": 4, "listen": { "mode": "ports", "address": "127.0.0.1", "port": $PORT },
  "control": "127.0.0.1:$CONTROL",
  "knobs": { "latency": { "median": "20ms", "p99": "200ms" }, "capacity": 8,
             "error_rate": 0.05, "reset_rate": 0.02, "hang_rate": 0.02 } }
JSON
"$SIM" --config "$WORK/sim.json" >"$WORK/sim.out" 2>"$WORK/sim.err" &
sim_pid=$!
cleanup_hooks+=("kill $sim_pid 2>/dev/null")
for _ in $(seq 100); do grep -q serving "$WORK/sim.out" && break; sleep 0.1; done
grep -q serving "$WORK/sim.out" || fail "eventdrill-sim did not start: $(cat "$WORK/sim.err")"

targets=""
for i in 0 1 2 3; do
  targets+="${targets:+,} \"bmc$i\": { \"driver\": \"redfish\", \"url\": \"http://127.0.0.1:$((PORT + i))\", \"auth\": \"basic\", \"credentials\": \"env:SOAK_CREDS\" }"
done
cat >"$WORK/soak.json" <<JSON
{ "name": "soak", "seed": 7,
  "targets": { $targets },
  "workloads": [ { "name": "poll", "targets": ["bmc0", "bmc1", "bmc2", "bmc3"],
                   "op": { "get": "/redfish/v1/Systems/1" },
                   "rate": [ { "constant": 50, "for": "${SECS}s" } ],
                   "arrival": "poisson", "timeout": "2s", "max_in_flight": 64 } ] }
JSON
export SOAK_CREDS=admin:password
t_start=$(date +%s) # the run's second 0, to within a second
"$ED" run "$WORK/soak.json" --quiet --out "$WORK/run" >"$WORK/run.out" 2>"$WORK/run.err" &
ed_pid=$!
cleanup_hooks+=("kill $ed_pid 2>/dev/null")

# sample PID: "rss_kb fds", each the least of 10 readings a second apart:
# connections held by hung or reset requests come and go from one instant
# to the next, what stays is what the process keeps.
sample() {
  local i rss fds min_rss= min_fds=
  for i in $(seq 10); do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
    fds=$(ls "/proc/$1/fd" | wc -l)
    [ -z "$min_rss" ] || [ "$rss" -lt "$min_rss" ] && min_rss=$rss
    [ -z "$min_fds" ] || [ "$fds" -lt "$min_fds" ] && min_fds=$fds
    sleep 1
  done
  echo "$min_rss $min_fds"
}
# One BMC down for 5 s every minute (at second 55 of each minute of the
# run, on the run's own clock: the cycle does not drift), in turn, until
# the end.
(
  i=0
  while kill -0 $ed_pid 2>/dev/null; do
    sleep $((t_start + 60 * i + 55 - $(date +%s))) 2>/dev/null || true
    curl -s -d "{\"bmc\": $((i % 4)), \"for\": \"5s\"}" "http://127.0.0.1:$CONTROL/down" >/dev/null || true
    i=$((i + 1))
  done
) &
cleanup_hooks+=("kill $! 2>/dev/null")

# The course in between: every 10 s, each process's resident size and
# descriptors (single readings), so a growth shows as a trend or a plateau.
(
  t0=$(date +%s)
  while kill -0 $ed_pid 2>/dev/null && kill -0 $sim_pid 2>/dev/null; do
    echo "$(($(date +%s) - t0)) $(awk '/^VmRSS/ {print $2}' "/proc/$ed_pid/status") \
$(ls "/proc/$ed_pid/fd" | wc -l) $(awk '/^VmRSS/ {print $2}' "/proc/$sim_pid/status") \
$(ls "/proc/$sim_pid/fd" | wc -l)" >>"$WORK/series" 2>/dev/null || true
    sleep 10
  done
) &
cleanup_hooks+=("kill $! 2>/dev/null")

# at_second S: sleep until second S of the run
at_second() { sleep $((t_start + $1 - $(date +%s))) 2>/dev/null || true; }
# the end sample: WARMUP plus whole minutes, its 10 s ending before the run
END_AT=$((WARMUP + (SECS - WARMUP - 15) / 60 * 60))
at_second "$WARMUP"
sample $ed_pid >"$WORK/ed0" &
sample $sim_pid >"$WORK/sim0"
wait $!
at_second "$END_AT"
sample $ed_pid >"$WORK/ed1" &
sample $sim_pid >"$WORK/sim1"
wait $!
read -r ed_rss0 ed_fd0 <"$WORK/ed0"
read -r sim_rss0 sim_fd0 <"$WORK/sim0"
read -r ed_rss1 ed_fd1 <"$WORK/ed1"
read -r sim_rss1 sim_fd1 <"$WORK/sim1"
wait $ed_pid || true

# Per minute: the least and the most of each series' readings.
$PY - "$WORK/series" <<'PYEOF'
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 5]
print("  minute  eventdrill RSS MB  descriptors   simulator RSS MB  descriptors  (least-most of 10 s readings)")
for m in range(0, rows[-1][0] // 60 + 1):
    r = [x for x in rows if x[0] // 60 == m]
    if not r:
        continue
    col = lambda i: (min(x[i] for x in r), max(x[i] for x in r))
    er, ef, sr, sf = col(1), col(2), col(3), col(4)
    print("  %6d  %7.1f-%-7.1f    %4d-%-4d     %7.1f-%-7.1f   %4d-%-4d"
          % (m, er[0] / 1024, er[1] / 1024, ef[0], ef[1], sr[0] / 1024, sr[1] / 1024, sf[0], sf[1]))
PYEOF
$PY - "$WORK/run/summary.json" "$SECS" "$WARMUP" "$END_AT" \
  "$ed_rss0" "$ed_rss1" "$ed_fd0" "$ed_fd1" "$sim_rss0" "$sim_rss1" "$sim_fd0" "$sim_fd1" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
secs, warm, end_at = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
er0, er1, ef0, ef1, sr0, sr1, sf0, sf1 = map(int, sys.argv[5:])
t = s["workloads"][0]["total"]
print("soak: %d s, 4 BMCs at 50 req/s with latency, 5 %% errors, 2 %% resets, "
      "2 %% hangs, an outage a minute" % secs)
print("  requests %d, ok %d, errors %s" % (t["requests"], t["ok"], t["errors"]))
bad = []
for who, r0, r1, f0, f1 in (("eventdrill", er0, er1, ef0, ef1),
                            ("eventdrill-sim", sr0, sr1, sf0, sf1)):
    g = (r1 - r0) / r0 * 100
    print("  %-15s RSS %6.1f MB -> %6.1f MB (%+.2f %%), descriptors %d -> %d"
          % (who, r0 / 1024, r1 / 1024, g, f0, f1))
    if g >= 1.0:
        bad.append("%s RSS grew %.2f %%" % (who, g))
    if f1 > f0 + 2:
        bad.append("%s descriptors grew %d -> %d" % (who, f0, f1))
print("  least of 10 readings over %d-%d s and over %d-%d s (the same "
      "seconds of the outage's minute)" % (warm, warm + 10, end_at, end_at + 10))
if bad:
    print("soak: FAILED: " + "; ".join(bad))
    sys.exit(1)
print("soak: growth under 1 %")
PYEOF
