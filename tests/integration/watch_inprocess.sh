#!/usr/bin/env bash
# The watch over devices simulated inside eventdrill (scenarios/lab-fleet.json:
# "sim" targets, no simulator process): it ends on --duration, SIGINT and
# SIGTERM like any other watch, with watch_end in its journal and its report
# written. Each run is bounded (60 s) so a watch that never ends fails the
# test instead of hanging it.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
FLEET="$ED_SRC/scenarios/lab-fleet.json"

# ended DIR REASON STATUS: the watch exited 0, journaled watch_end with
# REASON last, and wrote its report.
ended() {
  [ "$3" -eq 0 ] || { tail -5 "$1.err" >&2; fail "$2: exit status $3"; }
  tail -n 1 "$1/journal.jsonl" | grep -q "\"ev\":\"watch_end\".*\"reason\":\"$2\"" ||
    fail "$2: the journal does not end with watch_end ($2)"
  grep -q '"ev":"poll"' "$1/journal.jsonl" || fail "$2: no device was polled"
  [ -s "$1/report.html" ] || fail "$2: no report.html"
  grep -q "report: $1/report.html" "$1.err" || fail "$2: the report is not named"
}

d=$WORK/duration
st=0
timeout 60 "$EVENTDRILL" watch "$FLEET" --duration 2s --json --out "$d" \
  >"$d.out" 2>"$d.err" || st=$?
ended "$d" duration $st

for sig in INT TERM; do
  d=$WORK/sig$sig
  timeout 60 "$EVENTDRILL" watch "$FLEET" --json --out "$d" >"$d.out" 2>"$d.err" &
  pid=$!
  cleanup_hooks+=("kill -9 $pid 2>/dev/null")
  journal_wait "$d/journal.jsonl" '"ev":"poll"' || true
  kill -"$sig" $pid
  st=0
  wait $pid || st=$?
  ended "$d" "SIG$sig" $st
done
pass "watch over in-process simulated devices ends on --duration, SIGINT and SIGTERM, with its report"
