#!/usr/bin/env bash
# How fast eventdrill acts on SIGTERM while a device floods it: a run with
# a simulated target polled at 50 req/s beside a Redfish target that
# answers every GET with endless "100 Continue" (or another mode of
# tests/integration/hostile_peer.py), SIGTERM 1.5 s in; the time from the
# signal to the process's exit (with --no-report, so that only the run's
# own stop is timed, not drawing plots), over ED_BENCH_RUNS runs (20).
# Goal: p99 < 100 ms.
#
#   bash bench/hostile-signal.sh [BUILD]     (default build/)
#   ED_BENCH_MODE=binary_flood bash bench/hostile-signal.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=$(cd "${1:-build}" && pwd)
ED="$BUILD/bin/eventdrill"
[ -x "$ED" ] || fail "no $ED: build first (bash scripts/build.sh)"
RUNS=${ED_BENCH_RUNS:-20}
MODE=${ED_BENCH_MODE:-interim_flood}
PEER=tests/integration/hostile_peer.py
P=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$PEER" "$P" "$MODE" &
peer=$!
cleanup_hooks+=("kill $peer 2>/dev/null; wait $peer 2>/dev/null")
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null && break
  sleep 0.05
done
cat >"$WORK/s.json" <<JSON
{ "name": "hostile-signal",
  "targets": {
    "good": { "driver": "redfish", "rehearsal": true, "sim": {} },
    "bad": { "driver": "redfish", "url": "http://127.0.0.1:$P", "auth": "none",
      "timeout": "5s", "rehearsal": true } },
  "workloads": [
    { "name": "healthy", "targets": ["good"],
      "op": { "get": "/redfish/v1/Systems/{first}" },
      "rate": [ { "constant": 50, "for": "60s" } ] },
    { "name": "hostile", "targets": ["bad"],
      "op": { "get": "/redfish/v1/Systems/1" }, "timeout": "5s",
      "rate": [ { "constant": 20, "for": "60s" } ] } ] }
JSON
: >"$WORK/ms"
for i in $(seq "$RUNS"); do
  "$ED" run "$WORK/s.json" --quiet --no-report --out "$WORK/r$i" >/dev/null 2>&1 &
  ed=$!
  sleep 1.5
  t0=$(date +%s%N)
  kill -TERM "$ed"
  wait "$ed" || true
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) >>"$WORK/ms"
  rm -rf "$WORK/r$i"
done
$PY - "$WORK/ms" "$MODE" <<'PYEOF'
import math, sys
v = sorted(int(x) / 1000 for x in open(sys.argv[1]))
pct = lambda p: v[min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1)]
print("SIGTERM to exit during %s, %d runs: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
      "(goal p99 < 100 ms): %s" % (sys.argv[2], len(v), pct(50), pct(99), v[-1],
      "met" if pct(99) < 100 else "NOT met"))
PYEOF
