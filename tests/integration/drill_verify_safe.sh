#!/usr/bin/env bash
# verify never changes state: the same scenario, with the simulator's access
# log on, run with `verify` then with `rehearse`. Under verify every request
# the BMCs received is GET or HEAD and the journal has no fault or undo;
# under rehearse the reset (a POST) reached the BMC and bmc2 went Off, then On.
# The targets use basic auth (a session login would be a POST). The
# dry runs and a verify with session authentication send only what
# docs/safety.md lists for them.
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
# what docs/safety.md says of the other ways to send nothing harmful:
# `run --dry-run` reaches no BMC at all; the preflight (`rehearse
# --dry-run`) with basic auth sends GETs only (the credentials check, the
# proofs of the resets); with
# the default session authentication, `verify` sends one session POST and
# one DELETE of that session per BMC, and nothing else that is not a GET
$PY - "$scen" "$WORK/session.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s["targets"].values():
    del t["auth"]
json.dump(s, open(sys.argv[2], "w"))
PYEOF
drill_run "$WORK/plan" run "$scen" --dry-run
drill_expect "$WORK/plan" 0
grep -q '^{"ts"' "$WORK/plan.err" && fail "run --dry-run reached a BMC"
drill_run "$WORK/pre" rehearse "$scen" --dry-run
drill_expect "$WORK/pre" 0
drill_run "$WORK/sess" verify "$WORK/session.json"
drill_expect "$WORK/sess" 0
$PY - "$WORK/pre" "$WORK/sess" <<'PYEOF' || fail "the preflight or session verify sent more than the doc says"
import collections, json, sys
def reqs(d):
    return [json.loads(l) for l in open(d + ".err") if l.startswith('{"ts"')]
pre = reqs(sys.argv[1])
# the credentials check of each BMC, and the GETs that prove the fault's
# and the plan's resets: nothing else
assert [r for r in pre if r["method"] not in ("GET", "HEAD")] == [], pre
assert sum(r["path"] == "/redfish/v1/Systems" for r in pre) >= 2, pre
sess = reqs(sys.argv[2])
other = [r for r in sess if r["method"] not in ("GET", "HEAD")]
count = collections.Counter((r["method"], r["path"].rsplit("/", 1)[0]) for r in other)
assert count == {("POST", "/redfish/v1/SessionService"): 2,
                 ("DELETE", "/redfish/v1/SessionService/Sessions"): 2}, other
posts = [r for r in other if r["method"] == "POST"]
assert all(r["path"] == "/redfish/v1/SessionService/Sessions" for r in posts), posts
print("preflight: %d GETs; verify with sessions: %d requests, %s"
      % (len(pre), len(sess), dict(count)))
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
