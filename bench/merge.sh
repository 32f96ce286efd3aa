#!/bin/bash
# eventdrill merge on 64 synthetic shard journals of one simulated hour
# each: per-second journals ("sec" events with the latency and service
# histograms of a real 3-second run against the built-in simulator, cycled
# over the hour), ED_BENCH_TARGETS targets per shard (2: 128 targets, 460,800
# "sec" events, every one with two histograms). Prints the size of the
# input, then the wall time and peak RSS (/usr/bin/time) of the merge alone
# (--no-report: journal, summary rebuilt from it) and of the merge with its
# report (plots need gnuplot).
#
# Usage: bench/merge.sh [BUILD_DIR]     (default: build)
# Goals: the merge of 64 shards of one hour in <= 10 s and <= 500 MB.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
SHARDS=${ED_BENCH_SHARDS:-64}
TARGETS=${ED_BENCH_TARGETS:-2}
SECONDS_=${ED_BENCH_SECONDS:-3600}
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
. "$SRC/bench/lib.sh"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cat >"$WORK/real.json" <<'JSON'
{ "name": "merge-bench-source", "seed": 5,
  "targets": { "a": { "driver": "redfish", "sim": { "knobs": { "latency": { "median": "2ms", "p99": "9ms" } } } },
               "b": { "driver": "redfish", "sim": {} } },
  "workloads": [ { "name": "poll", "targets": ["a", "b"], "arrival": "poisson",
                   "op": { "get": "/redfish/v1/Systems/{first}" },
                   "rate": [ { "constant": 10, "for": "3s" } ] } ],
  "journal": { "requests": "aggregate" } }
JSON
"$ED" run "$WORK/real.json" --quiet --no-report --out "$WORK/real" >/dev/null 2>&1 ||
  [ -s "$WORK/real/journal.jsonl" ] || fail "the source run failed"
$PY "$SRC/bench/merge_synth.py" "$WORK/real" "$WORK/in" "$SHARDS" "$TARGETS" "$SECONDS_"
lines=$(cat "$WORK"/in/s*/journal.jsonl | wc -l)
bytes=$(du -cb "$WORK"/in/s*/journal.jsonl | tail -1 | cut -f1)
printf 'input: %d shards x %d targets x %d s: %d journal lines, %.1f MB\n' \
  "$SHARDS" "$TARGETS" "$SECONDS_" "$lines" "$(echo "$bytes / 1048576" | bc -l)"

measure() { # measure LABEL OUT [options]
  local label=$1 out=$2
  shift 2
  local rc=0
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$ED" merge "$WORK"/in/s* --out "$out" "$@" \
    >"$WORK/merge.out" 2>&1 || rc=$?
  [ "$rc" -le 1 ] || { cat "$WORK/merge.out" >&2; fail "merge exited $rc"; }
  read -r secs kb <"$WORK/time"
  printf '%-24s %6.2f s  peak RSS %6.1f MB\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
measure "merge (--no-report)" "$WORK/m1" --no-report
measure "merge with its report" "$WORK/m2"
$PY - "$WORK/m1/summary.json" "$SHARDS" "$TARGETS" "$SECONDS_" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
n, per, secs = map(int, sys.argv[2:5])
t = s["workloads"][0]["total"]
parts = s["shards"]["parts"]
assert len(parts) == n and sum(p["requests"] for p in parts) == t["requests"], "sums"
assert len(s["workloads"][0]["per_target"]) == n * per
print("merged: %d requests over %d targets, p99 %.2f ms, %d shards, verdict %s"
      % (t["requests"], n * per, t["latency_ms"]["p99"], len(parts),
         "PASS" if s["verdict"]["pass"] else "FAIL"))
PYEOF
echo "goals: <= 10 s and <= 500 MB for the merge"
