#!/usr/bin/env bash
# RTO target too tight: power-on takes 3 s, the target is 1 s. The plan
# passes, the verdict fails on RTO alone (exit 1), and the measured RTO is
# the time from the fault to the moment the steady state turned green
# again (traceable to the journal's check events), not the plan's own
# retry cadence.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
r=$WORK/r
drill_run "$r" rehearse "$SCEN/drill-tight-rto.json"
drill_expect "$r" 1
grep -q "OVER TARGET" "$r.err" || fail "no OVER TARGET on the terminal"
journal_parses "$r"
$PY "$ED_TESTS/lib/journal_check.py" "$r" >/dev/null || fail "journal_check"
$PY - "$r" <<'PYEOF' || { drill_show "$r"; fail "summary/journal of the tight RTO"; }
import json, re, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
v = s["verdict"]
assert v["pass"] is False and len(v["reasons"]) == 1, v
m = re.fullmatch(r"fault bmc2-power-loss: RTO (\d+\.\d) s is over its target "
                 r"of 1\.0 s", v["reasons"][0])
assert m, v["reasons"]
f, = s["drill"]["faults"]
assert f["state"] == "recovered" and f["rto_met"] is False, f
assert f["rto_target_s"] == 1.0 and f["rto_s"] >= 3.0, f
assert m.group(1) == "%.1f" % f["rto_s"], (m.group(1), f["rto_s"])
p, = s["drill"]["plans"]
assert p["outcome"] == "passed", p
assert all(st["outcome"] == "passed" for st in p["steps"]), p
# RTO = from fault_start to the check result that turned the steady state
# green for good (bmc2-on's last red -> green before the rto event)
fs = next(e for e in ev if e["ev"] == "fault_start")
rto = next(e for e in ev if e["ev"] == "rto")
green = None
prev = None
for e in ev:
    if e is rto:
        break
    if e["ev"] == "check" and e["check"] == "bmc2-on":
        if e["ok"] and prev is False:
            green = e["t"]
        prev = e["ok"]
assert green is not None
assert abs((green - fs["t"]) - rto["rto_s"]) < 0.05, (green, fs["t"], rto)
print("RTO %.2f s, steady state green at t=%.2f, rto event at t=%.2f" %
      (rto["rto_s"], green, rto["t"]))
PYEOF
pass "tight RTO: exit 1 in $took_ms ms, reason RTO over target"
