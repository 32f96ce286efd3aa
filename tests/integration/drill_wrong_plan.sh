#!/usr/bin/env bash
# A wrong plan: its "power on" step powers on bmc1 instead of bmc2. bmc2
# never comes back; the verdict fails (exit 1) naming the fault, the plan,
# the step and the check with what it saw; no RTO is claimed; the undo
# (when: always) powers bmc2 on at the end.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
r=$WORK/r
drill_run "$r" rehearse "$SCEN/drill-wrong-plan.json"
drill_expect "$r" 1
grep -q "VERDICT: FAIL" "$r.err" || fail "no VERDICT: FAIL on the terminal"
want='fault bmc2-power-loss: plan power-restore failed: step "power on" failed: check bmc2-on: value "Off", expected "On"'
grep -qF -- "$want" "$r.err" || { drill_show "$r"; fail "the terminal does not give the reason"; }
journal_parses "$r"
$PY "$ED_TESTS/lib/journal_check.py" "$r" >/dev/null || fail "journal_check"
$PY - "$r" "$want" <<'PYEOF' || { drill_show "$r"; fail "summary/journal of the wrong plan"; }
import json, sys
d, want = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
v = s["verdict"]
# the plan's failure, and bmc2 left Off: its steady-state check is red at
# the end of the drill
end = 'check bmc2-on is red at the end of the drill: value "Off", expected "On"'
assert v["pass"] is False and sorted(v["reasons"]) == sorted([want, end]), v
f, = s["drill"]["faults"]
assert f["state"] == "not recovered" and "rto_s" not in f, f
p, = s["drill"]["plans"]
assert p["outcome"] == "failed", p
det, on = p["steps"]
assert det["outcome"] == "passed", det
assert on["outcome"] == "failed" and on["tries"] >= 2, on
assert 'check bmc2-on: value "Off", expected "On"' in on["reason"], on
kinds = [e["ev"] for e in ev]
assert "rto" not in kinds, "an RTO was claimed"
# the wrong plan really went to bmc1 (its action ok), bmc2 stayed off
tries = [e for e in ev if e["ev"] == "check" and e["by"] == "step power on"]
assert tries and all(e["value"] == '"Off"' for e in tries), tries
# the undo restored bmc2 at the end
ue = [e for e in ev if e["ev"] == "undo_end"]
assert len(ue) == 1 and ue[0]["ok"] is True, ue
assert f["undo"]["state"] == "done", f
PYEOF
pass "wrong plan: exit 1 in $took_ms ms with the step's reason"
