#!/usr/bin/env bash
# SIGINT in the middle of a run: it stops sending, waits for what is in
# flight, writes the summary marked interrupted, leaves a valid journal, and
# exits 3.
. "$(dirname "$0")/lib/common.sh"
"$EVENTDRILL" run "$SCEN/long.json" --plain --out "$WORK/r" >"$WORK/out" 2>&1 &
pid=$!
cleanup_hooks+=("kill $pid 2>/dev/null")
sleep 3
kill -INT $pid
start=$(date +%s%N)
status=0
wait $pid || status=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$WORK/out"
[ "$status" -eq 3 ] || fail "exit status $status after SIGINT, expected 3"
[ "$took" -lt 5000 ] || fail "took $took ms to stop after SIGINT"
grep -q "interrupted" "$WORK/out" || fail "no interruption message"
grep -q '"ev":"interrupt"' "$WORK/r/journal.jsonl" || fail "no interrupt event"
$PY "$ED_TESTS/lib/journal_check.py" "$WORK/r" --expect-interrupted || fail "journal check"
$PY - "$WORK/r/summary.json" <<'PYEOF' || fail "summary of an interrupted run"
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
# about 3 s of a 60 s run at 50/s: the summary covers what ran, no more
assert 100 <= t["requests"] <= 250, t
assert t["expected"] < 300, t
assert t["completed"] == t["requests"], t
assert s["elapsed_s"] < 10, s["elapsed_s"]
PYEOF
pass "interrupted run: exit 3 in $took ms, valid journal and summary"
