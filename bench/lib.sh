# Shared by the bench scripts that start their own peer (sourced): a work
# folder removed at exit with the peers' cleanup hooks, and a timing loop.
PY=/usr/bin/python3
WORK=$(mktemp -d)
cleanup_hooks=()
fail() { echo "bench: $*" >&2; exit 1; }
cleanup() {
  for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# time_runs N CMD...: run CMD N times, one after the other; print
# "runs/s p50_ms p99_ms" of the wall-clock time of each run.
time_runs() {
  local n=$1 t0 t1
  shift
  : >"$WORK/times"
  for _ in $(seq 1 "$n"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || fail "$1 failed"
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) >>"$WORK/times"
  done
  $PY - "$WORK/times" <<'PYEOF'
import math, sys
v = sorted(int(x) for x in open(sys.argv[1]))
pct = lambda p: v[min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1)] / 1000
print("%.2f %.2f %.2f" % (len(v) / (sum(v) / 1e6), pct(50), pct(99)))
PYEOF
}
