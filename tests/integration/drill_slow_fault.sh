#!/usr/bin/env bash
# A drill without workloads waits for the answer of its last fault before
# it ends: from 1 s on, the simulated BMC takes 3 s to answer every request
# (a fault on the simulator's latency knob, undone at the end of the
# drill), and the drill's own length is over long before the ForceOff sent
# at 1.5 s is answered. The drill must not end under it (its end runs the
# undos, then stops the targets: "cancelled: target stopped"): the answer
# is journaled (fault_end ok, at least 2.5 s after fault_start), the end's
# undo comes after it, the fault's verification sees the BMC Off, and the
# verdict passes.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"

cat >"$WORK/slow.json" <<'JSON'
{ "name": "slow-fault",
  "targets": { "bmc": { "driver": "redfish", "auth": "basic", "rehearsal": true,
                        "sim": { "power": { "on": "0ms", "off": "0ms" } } } },
  "checks": {
    "off": { "target": "bmc", "mode": "after",
             "op": { "get": { "path": "/redfish/v1/Systems/1", "pointer": "/PowerState" } },
             "timeout": "20s",
             "expect": { "equals": "Off" } } },
  "faults": [
    { "name": "slow", "at": "1s", "target": "bmc", "sim": { "latency": "3s" } },
    { "name": "off", "at": "1500ms", "target": "bmc",
      "action": { "reset": "ForceOff" }, "verify": ["off"] } ] }
JSON

drill_run "$WORK/slow" rehearse "$WORK/slow.json"
grep -q "target stopped" "$WORK/slow.err" "$WORK/slow/journal.jsonl" &&
  { drill_show "$WORK/slow"; fail "the fault was cancelled with its target"; }
drill_expect "$WORK/slow" 0
journal_parses "$WORK/slow"
$PY - "$WORK/slow" <<'PYEOF' || { drill_show "$WORK/slow"; fail "the fault's answer"; }
import json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
def one(kind, **kw):
    got = [e for e in ev if e["ev"] == kind and all(e.get(k) == v for k, v in kw.items())]
    assert len(got) == 1, (kind, kw, got)
    return got[0]
start = one("fault_start", fault="off")
end = one("fault_end", fault="off")
assert end["ok"] is True, end
assert end["t"] - start["t"] >= 2.5, ("answered too soon", start["t"], end["t"])
undo = one("undo_start", fault="slow")
assert undo["why"] == "end of the drill" and undo["t"] >= end["t"], \
    ("the drill ended before the fault's answer", undo, end)
ver = one("fault_verified", fault="off")
assert ver["ok"] is True, ver
assert one("drill_end")["t"] >= end["t"]
s = json.load(open(d + "/summary.json"))
f = next(f for f in s["drill"]["faults"] if f["name"] == "off")
assert f["state"] == "recovered", f
assert s["verdict"]["pass"] is True, s["verdict"]
print("fault answered %.1f s after it was sent; the drill ended %.1f s later"
      % (end["t"] - start["t"], undo["t"] - end["t"]))
PYEOF
pass "a drill without workloads waits for its slow fault's answer and journals it"
