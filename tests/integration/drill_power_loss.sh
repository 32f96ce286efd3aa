#!/usr/bin/env bash
# "BMC 2 powers off during the surge", short: ForceOff at 3 s under load;
# the plan detects it through its check going red, powers bmc2 on and waits
# for PowerState On within the latency bound. Exit 0, the RTO measured and
# within target, every step passed, the journal tells the whole story.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
for f in "$ED_SRC"/scenarios/bmc-power-loss*.json; do
  "$EVENTDRILL" validate "$f" >/dev/null || fail "$f does not validate"
done
r=$WORK/r
drill_run "$r" rehearse "$SCEN/drill-power-loss.json"
drill_expect "$r" 0
grep -q "VERDICT: PASS" "$r.err" || fail "no VERDICT: PASS on the terminal"
journal_parses "$r"
$PY "$ED_TESTS/lib/journal_check.py" "$r" >/dev/null || fail "journal_check"
$PY - "$r" <<'PYEOF' || { drill_show "$r"; fail "summary/journal of the drill"; }
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
v = s["verdict"]
assert v["pass"] is True and v["reasons"] == [], v
assert v["counts"]["failed"] == 0 and v["items"], v
assert all(i["status"] != "failed" for i in v["items"]), v
assert any(i["kind"] == "recovery" and i["status"] == "passed"
           for i in v["items"]), v
f, = s["drill"]["faults"]
assert f["state"] == "recovered", f
assert f["rto_target_s"] == 8.0 and f["rto_met"] is True, f
# detection (a 250 ms check) + 300 ms delay + 500 ms power-on, at least
assert 0.8 <= f["rto_s"] <= f["rto_target_s"], f["rto_s"]
p, = s["drill"]["plans"]
assert p["outcome"] == "passed" and p["fault"] == "bmc2-power-loss", p
assert [st["name"] for st in p["steps"]] == ["detect", "power on"], p
for st in p["steps"]:
    assert st["outcome"] == "passed" and st["tries"] >= 1, st
    assert st["duration_s"] >= 0, st
kinds = [e["ev"] for e in ev]
for k in ("drill_start", "fault_start", "fault_end", "detected", "plan_start",
          "step_start", "step_try", "step_end", "plan_end", "rto", "drill_end"):
    assert k in kinds, "no %s event" % k
fs = next(e for e in ev if e["ev"] == "fault_start")
assert fs["target"] == "bmc2" and "ForceOff" in fs["action"], fs
pe = next(e for e in ev if e["ev"] == "plan_end")
assert pe["outcome"] == "passed", pe
rto = next(e for e in ev if e["ev"] == "rto")
assert abs(rto["rto_s"] - f["rto_s"]) < 1e-6, (rto, f)
# the device really went off and came back on, seen by bmc2's check
vals = [e.get("value") for e in ev if e["ev"] == "check"
        and e["check"] == "bmc2-on" and e["t"] > fs["t"]]
off = vals.index('"Off"') if '"Off"' in vals else vals.index('"PoweringOff"')
assert '"On"' in vals[off:], vals
# the undo is on_abort: not run
assert f["undo"]["state"].startswith("not run"), f["undo"]
assert "undo_start" not in kinds
end = next(e for e in ev if e["ev"] == "drill_end")
assert end["aborted"] is False, end
print("RTO %.2f s (target %.0f s), steps: %s" % (
    f["rto_s"], f["rto_target_s"],
    ", ".join("%s %d tr. %.2f s" % (x["name"], x["tries"], x["duration_s"])
              for x in p["steps"])))
PYEOF
pass "power loss rehearsed: exit 0 in $took_ms ms, RTO within target"
