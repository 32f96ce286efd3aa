# Helpers of the drill_* integration tests (sourced after lib/common.sh).

# drill_run OUT_DIR MODE SCENARIO [ARGS...]: run eventdrill, stdout+stderr
# to OUT_DIR.out / OUT_DIR.err; sets $status and $took_ms.
drill_run() {
  local out=$1 mode=$2 scen=$3; shift 3
  local t0; t0=$(date +%s%N)
  status=0
  "$EVENTDRILL" "$mode" "$scen" --plain --out "$out" "$@" \
    >"$out.out" 2>"$out.err" || status=$?
  took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# drill_show OUT_DIR: what a failing test prints to explain itself.
drill_show() {
  grep -v '^{"ts"' "$1.err" | tail -n 40 >&2 || true
  tail -n 25 "$1.out" >&2 || true
}

# drill_expect OUT_DIR WANT: the exit status of the last drill_run.
drill_expect() {
  if [ "$status" -ne "$2" ]; then
    drill_show "$1"
    fail "$(basename "$1"): exit status $status, expected $2"
  fi
}

# journal_parses OUT_DIR: every line of journal.jsonl is a JSON object with
# "ev" and "t", the first is run_start, the last run_end, t never goes
# back by more than a few ms (events are written as they happen).
journal_parses() {
  $PY - "$1/journal.jsonl" <<'PYEOF' || fail "journal of $1 does not parse"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "the journal does not end with a newline"
evs = []
for n, line in enumerate(lines[:-1], 1):
    e = json.loads(line)
    assert isinstance(e, dict) and "ev" in e and "t" in e, "line %d: %r" % (n, line)
    evs.append(e)
assert evs[0]["ev"] == "run_start", evs[0]["ev"]
assert evs[-1]["ev"] == "run_end", evs[-1]["ev"]
PYEOF
}

# journal_wait FILE PATTERN [TENTHS]: wait until FILE (a journal being
# written) holds a line matching PATTERN (grep), up to TENTHS tenths of a
# second (300 by default); 1 when it never did.
journal_wait() {
  local i
  for i in $(seq "${3:-300}"); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
