#!/usr/bin/env bash
# verify never changes state: the same scenario, with the simulator's access
# log on, run with `verify` then with `rehearse`. Under verify every request
# the BMCs received is GET or HEAD and the journal has no fault or undo;
# under rehearse the reset (a POST) reached the BMC and bmc2 went Off, then On.
# The targets use basic auth (a session login would be a POST).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
scen=$SCEN/drill-verify-safe.json
v=$WORK/verify
drill_run "$v" verify "$scen"
drill_expect "$v" 0
journal_parses "$v"
$PY - "$v" <<'PYEOF' || { drill_show "$v"; fail "verify sent something unsafe"; }
import json, sys
d = sys.argv[1]
reqs = [json.loads(l) for l in open(d + ".err") if l.startswith('{"ts"')]
assert len(reqs) >= 4, "the access log shows only %d requests" % len(reqs)
bad = [r for r in reqs if r["method"] not in ("GET", "HEAD")]
assert not bad, bad
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
kinds = [e["ev"] for e in ev]
for k in ("fault_start", "fault_end", "fault_skipped", "undo_start", "undo_end"):
    assert k not in kinds, "verify journaled %s" % k
assert "plan_end" in kinds and "step_end" in kinds, kinds
s = json.load(open(d + "/summary.json"))
assert s["drill"]["mode"] == "verify" and s["drill"]["faults"] == [], s["drill"]
on = next(st for st in s["drill"]["plans"][0]["steps"] if st["name"] == "power on")
assert on.get("action", "").startswith("not sent: verify mode; would run: ResetType On is allowed"), on
assert s["verdict"]["pass"] is True, s["verdict"]
print("verify: %d requests, all GET/HEAD" % len(reqs))
PYEOF
r=$WORK/rehearse
drill_run "$r" rehearse "$scen"
drill_expect "$r" 0
journal_parses "$r"
$PY "$ED_TESTS/lib/journal_check.py" "$r" >/dev/null || fail "journal_check"
$PY - "$r" <<'PYEOF' || { drill_show "$r"; fail "rehearse did not change state"; }
import json, sys
d = sys.argv[1]
reqs = [json.loads(l) for l in open(d + ".err") if l.startswith('{"ts"')]
posts = [r for r in reqs if r["method"] == "POST"]
assert all(r["path"].endswith("/Actions/ComputerSystem.Reset") for r in posts), posts
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
# every reset the journal says was sent to bmc2 is in the access log: the
# fault, each try of "power on", the undo (always)
tries = sum(1 for e in ev if e["ev"] == "step_try" and e["step"] == "power on")
undos = sum(1 for e in ev if e["ev"] == "undo_end" and e["ok"])
assert len(posts) == 1 + tries + undos, (len(posts), tries, undos)
assert all(200 <= r["status"] < 300 for r in posts), posts
fs = next(e for e in ev if e["ev"] == "fault_start")
assert fs["target"] == "bmc2", fs
vals = [e.get("value") for e in ev if e["ev"] == "check" and
        e["check"] == "bmc2-on" and e["t"] > fs["t"]]
assert '"Off"' in vals and '"On"' in vals[vals.index('"Off"'):], vals
print("rehearse: %d POST resets (fault, %d tries, %d undo), bmc2 Off then On"
      % (len(posts), tries, undos))
PYEOF
pass "verify sent only GET/HEAD; rehearse reset bmc2 (Off, then On)"
