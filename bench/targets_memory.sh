#!/bin/bash
# Memory and schedule with many targets at a low rate each: 1,000 and then
# 10,000 Redfish targets, 1 req/s each with Poisson arrivals (a GET of the
# ServiceRoot, HTTP basic authentication, one keep-alive connection per
# target), against eventdrill-sim on loopback (one address per BMC:
# 127.0.1.1, 127.0.1.2, ..., 127.0.1.254, 127.0.2.1, ...), simulator on CPU 0 and eventdrill on CPU 1.
# The load starts with a 5 s phase "start" (connections opening), then the
# phase "steady" of ED_BENCH_SECONDS. Prints eventdrill's peak resident size
# (/usr/bin/time's maximum RSS), the send lag p99 of all requests and of the
# steady phase (summary.json, send_lag_ms), the worst single target's p99
# (runner.send_lag_p99_ms: with 1 req/s a target's p99 is nearly its
# maximum), the requests sent, completed and failed against the profile,
# eventdrill's CPU time (user + system) per request sent (a figure the
# machine's other work moves far less than the lag),
# and how long eventdrill's heap trims took (bench/heap_trim_timer.c; with
# ED_TRIM_SKIP=1 they are skipped, to compare).
#
# A BMC takes two descriptors in the simulator (its listening socket and
# eventdrill's connection); when the open-files limit (ulimit -n, raised to
# the hard limit) cannot hold a fleet in one simulator, the fleet is split
# over as few simulators as it needs, the targets spread evenly.
#
# eventdrill holds several descriptors per target (counted during the first
# fleet's run); a fleet the open-files limit cannot hold in eventdrill is
# replaced by the largest that fits, and the script says so.
#
# Usage: bench/targets_memory.sh [BUILD_DIR]   (default: build)
# Knobs: ED_BENCH_SECONDS (default 60, the load's length per fleet),
#        ED_BENCH_FLEETS (default "1000 10000"), ED_BENCH_PORT (18200).
# Goals: peak RSS <= 200 MB at 1,000 targets and <= 1 GB at 10,000; send
# lag p99 < 5 ms.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
SIM=$BUILD/bin/eventdrill-sim
SECS=${ED_BENCH_SECONDS:-60}
FLEETS=${ED_BENCH_FLEETS:-1000 10000}
PORT=${ED_BENCH_PORT:-18200}
[ -x "$ED" ] && [ -x "$SIM" ] || { echo "build first: $ED not found" >&2; exit 1; }
. "$SRC/bench/lib.sh"

need=()
command -v taskset >/dev/null || need+=(util-linux)
[ -x /usr/bin/time ] || need+=(time)
command -v bc >/dev/null || need+=(bc)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
# the heap trims' own time (heap_trim_timer.c), read through LD_PRELOAD
cc -O2 -shared -fPIC -Wall -Wextra -Werror -o "$WORK/heap_trim_timer.so" \
  "$SRC/bench/heap_trim_timer.c" -ldl || fail "cannot build bench/heap_trim_timer.c"

SIM_PIDS=()
stop_sims() {
  for p in "${SIM_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SIM_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  SIM_PIDS=()
}
cleanup_hooks+=(stop_sims)
export EDSIM_PASSWORD=bench-secret
export ED_BENCH_CREDS=admin:bench-secret

# The dotted address of BMC i (0-based) counted from 127.0.1.1, as the
# simulator counts them (host parts .0 and .255 skipped).
addr() { echo "127.0.$((1 + $1 / 254)).$((1 + $1 % 254))"; }

# start_sims N: as many simulators as the descriptor limit needs (their
# pids in SIM_PIDS), each starting at the next address.
start_sims() {
  local n=$1 per parts first=0 i
  per=$(((NOFILE - 200) / 2))
  parts=$(((n + per - 1) / per))
  per=$(((n + parts - 1) / parts))
  for i in $(seq 0 $((parts - 1))); do
    local count=$((n - first < per ? n - first : per))
    taskset -c 0 "$SIM" --bmcs "$count" --address "$(addr "$first")" \
      --port "$PORT" --user admin --password-env EDSIM_PASSWORD \
      >"$WORK/sim$i.out" 2>"$WORK/sim$i.err" &
    SIM_PIDS+=($!)
    for _ in $(seq 1 3000); do
      grep -q serving "$WORK/sim$i.out" 2>/dev/null && break
      kill -0 "${SIM_PIDS[-1]}" 2>/dev/null || { cat "$WORK/sim$i.err" >&2; fail "simulator $i did not start"; }
      sleep 0.01
    done
    first=$((first + count))
  done
}

FDS_PER_TARGET=""
for n in $FLEETS; do
  # eventdrill holds several descriptors per target (its connections and
  # libcurl's); a fleet the open-files limit cannot hold would fail at the
  # start, so the largest one that fits is run instead, and said so.
  if [ -n "$FDS_PER_TARGET" ]; then
    fit=$((NOFILE * 8 / FDS_PER_TARGET / 100 * 100)) # a fifth spare
    if [ "$n" -gt "$fit" ]; then
      echo "$n targets need about $((n * FDS_PER_TARGET / 10)) descriptors in eventdrill ($(echo "scale=1; $FDS_PER_TARGET / 10" | bc) per target, measured above) and the open-files limit here is $NOFILE (ulimit -Hn): running $fit targets instead"
      n=$fit
    fi
  fi
  start_sims "$n"
  nsims=${#SIM_PIDS[@]}
  $PY - "$n" "$SECS" "$PORT" "$WORK/fleet.json" <<'PYEOF'
import json, sys
n, secs, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def addr(i):
    return "127.0.%d.%d" % (1 + i // 254, 1 + i % 254)
targets = {"bmc-%05d" % i: {"driver": "redfish", "url": "http://%s:%s" % (addr(i), port),
                            "auth": "basic", "credentials": "env:ED_BENCH_CREDS"}
           for i in range(n)}
doc = {"name": "targets-memory-%d" % n, "seed": 1, "targets": targets,
       "workloads": [{"name": "poll", "targets": sorted(targets),
                      "op": {"get": "/redfish/v1"}, "arrival": "poisson",
                      "rate": [{"name": "start", "constant": 1, "for": "5s"},
                               {"name": "steady", "constant": 1, "for": "%ds" % secs}],
                      "max_in_flight": 4, "timeout": "5s"}]}
json.dump(doc, open(out, "w"), indent=1)
PYEOF
  rm -rf "$WORK/out"
  rc=0
  rm -f "$WORK/trims"
  LD_PRELOAD="$WORK/heap_trim_timer.so" ED_TRIM_LOG="$WORK/trims" \
    taskset -c 1 /usr/bin/time -f "%M %U %S" -o "$WORK/rss" "$ED" run "$WORK/fleet.json" \
    --out "$WORK/out" --plain --no-report >"$WORK/ed.out" 2>"$WORK/ed.err" &
  tpid=$!
  # Descriptors per target, in tenths, counted 10 s into the load.
  sleep 10
  edpid=$(pgrep -P "$tpid" -x eventdrill || true)
  if [ -n "$edpid" ] && [ -d "/proc/$edpid/fd" ]; then
    fds=$(ls "/proc/$edpid/fd" | wc -l)
    FDS_PER_TARGET=$((fds * 10 / n))
    echo "$n targets: eventdrill holds $fds descriptors"
  fi
  wait "$tpid" || rc=$?
  stop_sims
  [ -s "$WORK/out/summary.json" ] || { tail -20 "$WORK/ed.err" >&2; fail "$n targets: no summary (exit $rc)"; }
  $PY - "$n" "$(tail -1 "$WORK/rss")" "$WORK/out/summary.json" "$nsims" "$rc" "$WORK/trims" <<'PYEOF'
import json, os, sys
n, s, nsims, rc = int(sys.argv[1]), json.load(open(sys.argv[3])), int(sys.argv[4]), sys.argv[5]
rss_kb, user_s, sys_s = sys.argv[2].split()
rss_kb, cpu_s = int(rss_kb), float(user_s) + float(sys_s)
trims = open(sys.argv[6]).read().split() if os.path.exists(sys.argv[6]) else None
w = s["workloads"][0]
t = w["total"]
steady = next(p for p in w["phases"] if p["name"] == "steady")
goal = 200 if n <= 1000 else 1024
errors = sum(t["errors"].values()) if t["errors"] else 0
print("%6d targets (%d simulator%s): peak RSS %.0f MB (goal <= %d MB); send lag p99 %.3f ms "
      "over the run, %.3f ms in the steady phase (goal < 5 ms), worst target's p99 %.1f ms; "
      "sent %d of %d expected, completed %d, errors %d %s; exit %s"
      % (n, nsims, "" if nsims == 1 else "s", rss_kb / 1024, goal, t["send_lag_ms"]["p99"],
         steady["send_lag_ms"]["p99"], s["runner"]["send_lag_p99_ms"], t["requests"],
         t["expected"], t["completed"], errors, json.dumps(t["errors"]), rc))
print("        eventdrill's CPU: %.1f s (user %s + system %s), %.1f us per request sent"
      % (cpu_s, user_s, sys_s, cpu_s * 1e6 / max(t["requests"], 1)))
if trims:
    print("        heap trims: %s, %.1f ms in all, the longest %.1f ms (on the loop thread)%s"
          % (trims[0], float(trims[1]), float(trims[2]),
             " (skipped: ED_TRIM_SKIP=1)" if os.environ.get("ED_TRIM_SKIP") == "1" else ""))
w = s["runner"]["warnings"]
if w:
    print("        %d runner warning%s, the first: %s" % (len(w), "" if len(w) == 1 else "s", w[0][:160]))
PYEOF
done
