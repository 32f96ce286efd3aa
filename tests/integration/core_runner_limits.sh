#!/usr/bin/env bash
# When the runner cannot keep the schedule, the summary and the terminal say
# so plainly: (1) the in-flight cap, (2) the runner's own CPU. A run whose
# device was not offered the load asked (requests dropped) is not green.
. "$(dirname "$0")/lib/common.sh"

expect_status 1 "$EVENTDRILL" run "$SCEN/cap-limit.json" --plain --out "$WORK/cap" 2>"$WORK/cap.err"
grep -q "WARNING: in-flight cap" "$WORK/cap.err" || { cat "$WORK/cap.err"; fail "no cap warning on the terminal"; }
$PY - "$WORK/cap/summary.json" <<'PYEOF' || fail "cap warning in the summary"
import json, sys
s = json.load(open(sys.argv[1]))
r = s["runner"]
assert r["limited"] is True, r
assert any("in-flight cap" in w and "slow" in w for w in r["warnings"]), r
t = s["workloads"][0]["total"]
# 2 slots of 100 ms each give at most ~20 req/s of the 100 asked
assert t["late"] + t["dropped"] > 100, t
assert t["completed_rate"] < 30, t
v = s["verdict"]
assert v["pass"] is False, v
r, = [i for i in v["items"] if i["kind"] == "runner"]
assert r["status"] == "failed" and r["dropped"] == t["dropped"] > 0, r
assert any(x.startswith("runner limit: workload poll sent") for x in v["reasons"]), v
PYEOF
$PY "$ED_TESTS/lib/journal_check.py" "$WORK/cap" || fail "journal check (cap)"
pass "in-flight cap reported"

status=0
"$EVENTDRILL" run "$SCEN/cpu-limit.json" --plain --out "$WORK/cpu" 2>"$WORK/cpu.err" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail "cpu-limit run exited $status"
grep -q "WARNING: runner limit" "$WORK/cpu.err" || { tail -20 "$WORK/cpu.err"; fail "no runner-limit warning on the terminal"; }
$PY - "$WORK/cpu/summary.json" <<'PYEOF' || fail "runner warning in the summary"
import json, sys
s = json.load(open(sys.argv[1]))
r = s["runner"]
assert r["limited"] is True and r["send_lag_p99_ms"] > 5, r
assert any(w.startswith("runner limit") for w in r["warnings"]), r
PYEOF
pass "runner CPU limit reported"
