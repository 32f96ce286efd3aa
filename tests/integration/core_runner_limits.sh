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

# A limit that holds back many targets is one warning naming how many and
# the worst, not one per target (the summary keeps each target's counts).
expect_status 1 "$EVENTDRILL" run "$SCEN/cap-limit-fleet.json" --plain --out "$WORK/fleet" 2>"$WORK/fleet.err"
[ "$(grep -c "WARNING: in-flight cap" "$WORK/fleet.err")" -eq 1 ] || { cat "$WORK/fleet.err"; fail "not one cap warning for the fleet on the terminal"; }
$PY - "$WORK/fleet" <<'PYEOF' || fail "one cap warning for the fleet"
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
w = [x for x in s["runner"]["warnings"] if x.startswith("in-flight cap")]
assert len(w) == 1, w
assert "on 5 of 5 targets, workload poll" in w[0], w
targets = s["workloads"][0]["per_target"]
assert len(targets) == 5 and all(t["late"] + t["dropped"] > 0 for t in targets), targets
# the most held back is named with its own counts
share = lambda t: (t["late"] + t["dropped"]) / (t["requests"] + t["dropped"])
most = max(targets, key=share)
named = [t for t in targets if "(the most: %s, %d late and %d dropped of %d, max_in_flight 2)"
         % (t["target"], t["late"], t["dropped"], t["requests"] + t["dropped"]) in w[0]]
assert len(named) == 1 and share(named[0]) == share(most), (w, targets)
events = [json.loads(l) for l in open(sys.argv[1] + "/journal.jsonl")]
assert [e["message"] for e in events if e["ev"] == "warning"] == s["runner"]["warnings"], events[-3:]
PYEOF
pass "in-flight cap over a fleet reported once"

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
