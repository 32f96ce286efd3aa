#!/usr/bin/env bash
# verify proves each state-changing step could run, without running it:
# scenarios/bmc-power-loss.json with the simulators' access logs on, and
# variants of its plan step. The unchanged plan passes ("would run", the
# ResetType allowed by the BMC); a reset aimed at a system that does not
# exist, a ResetType the BMC does not allow, and a PATCH of a property the
# resource does not have each fail the verdict with the reason; a PATCH
# with if_match "auto" is proven with the resource's ETag. In every run the
# BMCs received only GET and HEAD. rehearse proves the steps at its start
# as well: a step that could not run is a warning before the fault.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"

# variant NAME PYTHON: the scenario with access logs, the plan's step
# changed by PYTHON (st: the step)
variant() {
  $PY - "$ED_SRC/scenarios/bmc-power-loss.json" "$WORK/$1.json" "$2" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s["targets"].values():
    t["sim"]["access_log"] = True
st = s["plans"]["power-restore"]["steps"][0]
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], "w"))
PYEOF
}

# verify_as NAME STATUS ACTION_REGEX: verify NAME.json, exit STATUS, the
# step's action note matches, only GET/HEAD reached the BMCs
verify_as() {
  drill_run "$WORK/$1" verify "$WORK/$1.json"
  drill_expect "$WORK/$1" "$2"
  $PY - "$WORK/$1" "$3" "$2" <<'PYEOF' || { drill_show "$WORK/$1"; fail "$(basename "$1")"; }
import json, re, sys
d, rx, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
reqs = [json.loads(l) for l in open(d + ".err") if l.startswith('{"ts"')]
assert reqs, "no access log"
bad = [r for r in reqs if r["method"] not in ("GET", "HEAD")]
assert not bad, bad
s = json.load(open(d + "/summary.json"))
st = s["drill"]["plans"][0]["steps"][0]
text = st.get("action", "") + " | " + st.get("reason", "")
assert re.search(rx, text), (rx, st)
assert s["verdict"]["pass"] is (status == 0), s["verdict"]
print("%s: %s" % (d.rsplit("/", 1)[1], text))
PYEOF
}

variant plain ""
verify_as plain 0 "not sent: verify mode; would run: ResetType On is allowed by the action's AllowableValues"

variant missing 'st["action"] = {"reset": {"type": "On", "system": "/redfish/v1/Systems/NOPE"}}'
verify_as missing 1 "cannot run reset .*GET /redfish/v1/Systems/NOPE: .*404"

variant forceon 'st["action"] = {"reset": "ForceOn"}'
verify_as forceon 1 "cannot run reset .*ResetType ForceOn is not allowed by the action's AllowableValues: it allows On, ForceOff"

variant patch 'st["action"] = {"patch": {"path": "/redfish/v1/Systems/{first}", "body": {"AssetTag": "x", "Boot": {"NoSuchSetting": 1}}}}'
verify_as patch 1 "cannot run patch .*has no property /Boot/NoSuchSetting"

variant patchok 'st["action"] = {"patch": {"path": "/redfish/v1/Systems/{first}", "body": {"AssetTag": "x"}, "if_match": "auto"}}'
verify_as patchok 0 "would run: .* has every property the PATCH sets and sends an ETag"

# rehearse proves the steps at its start too: the reset aimed at a system
# that does not exist is a warning before the fault, in the journal and on
# the terminal (the drill still runs, and its plan then fails)
# shorter: 8 s of load, the fault at 2 s
short() {
  $PY - "$WORK/$1.json" "$WORK/$2.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["workloads"][0]["rate"] = [{"name": "baseline", "constant": 30, "for": "2s"},
                             {"name": "surge", "constant": 60, "for": "6s"}]
s["faults"][0]["at"] = "2s"
json.dump(s, open(sys.argv[2], "w"))
PYEOF
}
short missing rmissing
short plain rplain
drill_run "$WORK/rmissing" rehearse "$WORK/rmissing.json"
[ "$status" -ne 0 ] || fail "rehearse with a missing system passed"
grep -q 'warning: plan power-restore, step "power on" may not run: GET /redfish/v1/Systems/NOPE' \
  "$WORK/rmissing.err" || { drill_show "$WORK/rmissing"; fail "rehearse: no warning at the start"; }
$PY - "$WORK/rmissing/journal.jsonl" <<'PYEOF' || fail "rehearse: proof"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["ev"] for e in ev]
p, = [e for e in ev if e["ev"] == "proof" and e.get("step") == "power on"]
assert p["ok"] is False and p["provable"] is True and "404" in p["reason"], p
assert ev.index(p) < kinds.index("fault_start"), kinds
# the fault's own reset (ForceOff on a system that exists) is proven too
f, = [e for e in ev if e["ev"] == "proof" and e.get("fault") and not e.get("undo")]
assert f["fault"] == "bmc2-power-loss" and f["ok"] is True, f
assert ev.index(f) < kinds.index("fault_start"), kinds
PYEOF
drill_run "$WORK/rplain" rehearse "$WORK/rplain.json"
drill_expect "$WORK/rplain" 0
grep -q '"ev":"proof".*"ok":true' "$WORK/rplain/journal.jsonl" ||
  fail "rehearse: the unchanged plan's step was not proven at the start"
grep -q "may not run" "$WORK/rplain.err" && fail "rehearse: a warning for a step that can run"

pass "verify proves each step could run (reset, ResetType, PATCH), refuses what could not, and sends only GET/HEAD"
