#!/usr/bin/env bash
# After checks wait for the steady state: a fault powers a simulated BMC
# off until the end of the drill, its undo powers it on, and the BMC takes
# 3 s to be On. The after check "power is On" is asked again each second
# within its settle window (default 30 s): it passes ("ok after N tries"),
# and the journal shows it judged after the undo. With "settle": "0s" the
# same check is judged once, right after the undo, and fails the verdict.
# A check that never settles fails at the end of its window with the
# reason; Ctrl-C during the window ends it at once.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"

scenario() { # scenario NAME SETTLE_JSON WANT
  cat >"$WORK/$1.json" <<JSON
{ "name": "settle-$1",
  "targets": { "bmc": { "driver": "redfish", "auth": "basic", "rehearsal": true,
                        "sim": { "power": { "on": "3s", "off": "0ms" } } } },
  "workloads": [ { "name": "poll", "targets": ["bmc"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "constant": 5, "for": "2s" } ] } ],
  "checks": {
    "power-on": { "target": "bmc", "mode": "after" $2,
                  "op": { "get": { "path": "/redfish/v1/Systems/1", "pointer": "/PowerState" } },
                  "expect": { "equals": "$3" } } },
  "faults": [ { "name": "off", "at": "500ms", "target": "bmc",
                "action": { "reset": "ForceOff" },
                "undo": { "action": { "reset": "On" }, "when": "always" } } ] }
JSON
}

scenario settles "" On
drill_run "$WORK/settles" rehearse "$WORK/settles.json"
drill_expect "$WORK/settles" 0
$PY - "$WORK/settles" <<'PYEOF' || { drill_show "$WORK/settles"; fail "settles"; }
import json, re, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
undo = next(e for e in ev if e["ev"] == "undo_end")
c, = [e for e in ev if e["ev"] == "check" and e["check"] == "power-on"]
assert c["ok"] and re.match(r"ok after \d+ tries \(\d+\.\d s to settle\)", c["reason"]), c
assert c["t"] >= undo["t"] + 2.0, (undo["t"], c["t"])  # the BMC took ~3 s
print("after check: %s, %.1f s after the undo" % (c["reason"], c["t"] - undo["t"]))
PYEOF

scenario once ', "settle": "0s"' On
drill_run "$WORK/once" rehearse "$WORK/once.json"
drill_expect "$WORK/once" 1
grep -q '"check":"power-on","by":"after","ok":false' "$WORK/once/journal.jsonl" ||
  { drill_show "$WORK/once"; fail "settle 0s: the check was not judged once and failed"; }

scenario never ', "settle": "3s"' Off
drill_run "$WORK/never" rehearse "$WORK/never.json"
drill_expect "$WORK/never" 1
grep -q '"check":"power-on","by":"after","ok":false,"reason":"value \\"[A-Za-z]*\\", expected \\"Off\\" (still, after [0-9]* tries in [0-9.]* s of settling)"' \
  "$WORK/never/journal.jsonl" || { drill_show "$WORK/never"; fail "never: no reason with the tries"; }

# a "settle" on a check that is not an after check is refused at load
scenario bad ', "settle": "5s", "every": "1s"' On
sed -i 's/"mode": "after"/"mode": "continuous"/' "$WORK/bad.json"
expect_status 2 "$EVENTDRILL" validate "$WORK/bad.json" 2>"$WORK/bad.err"
grep -q 'checks.power-on.settle: "settle" only applies to "after" checks' "$WORK/bad.err" ||
  fail "settle on a continuous check: $(cat "$WORK/bad.err")"

# Ctrl-C while an after check settles: it is asked once more, at once
scenario sig ', "settle": "60s"' Off
"$EVENTDRILL" rehearse "$WORK/sig.json" --plain --out "$WORK/sig" >"$WORK/sig.out" 2>"$WORK/sig.err" &
pid=$!
cleanup_hooks+=("kill -9 $pid 2>/dev/null")
journal_wait "$WORK/sig/journal.jsonl" '"ev":"undo_end"' || fail "sig: the undo never ran"
sleep 1
kill -INT $pid
st=0
wait $pid || st=$?
[ $st -eq 3 ] || { tail -5 "$WORK/sig.err"; fail "Ctrl-C while settling: exit $st, expected 3"; }
$PY - "$WORK/sig/journal.jsonl" <<'PYEOF' || fail "Ctrl-C while settling"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
intr = next(e for e in ev if e["ev"] in ("interrupt", "abort"))
c = next(e for e in ev if e["ev"] == "check" and e["check"] == "power-on")
assert not c["ok"] and c["t"] - intr["t"] < 10, (intr, c)
PYEOF
pass "after checks settle within their window: passed once the BMC is back, failed with the tries when never, cut by Ctrl-C"
