#!/usr/bin/env bash
# eventdrill inspect on bad input: an invalid inventory and an invalid rules
# file are reported with file, line:column and path, all at once, exit 2,
# before any device is contacted; tuned and added rules take effect.
source "$(dirname "$0")/lib/common.sh"

cat >"$WORK/bad-fleet.json" <<'JSON'
{
  "name": "bad fleet",
  "devices": {
    "b1": { "driver": "redfsh", "url": "http://127.0.0.1:9" },
    "b2": { "driver": "redfish", "url": "http://127.0.0.1:9", "password": "x" }
  },
  "devcies": {}
}
JSON
expect_status 2 "$EVENTDRILL" inspect "$WORK/bad-fleet.json" --out "$WORK/o1" \
  2>"$WORK/err1"
cat "$WORK/err1"
grep -q 'bad-fleet.json:2:11: name: ' "$WORK/err1" || fail "bad name"
grep -q 'bad-fleet.json:4:23: devices.b1.driver: unknown driver "redfsh" (did you mean "redfish"?)' "$WORK/err1" || fail "driver typo"
grep -q 'devices.b2.password: secrets never go' "$WORK/err1" || fail "secret"
grep -q 'devcies: unknown key "devcies" (did you mean "devices"?)' "$WORK/err1" || fail "unknown key"
[ ! -e "$WORK/o1" ] || fail "a results folder was made for invalid input"

cat >"$WORK/fleet.json" <<'JSON'
{ "name": "one", "devices": { "s1": { "driver": "redfish", "auth": "basic", "sim": {} } } }
JSON
cat >"$WORK/bad-rules.json" <<'JSON'
{
  "rules": {
    "clock-drfit": { "max_s": 1 },
    "slow-device": { "p50_ms": "fast", "severity": "urgent" }
  },
  "add": [ { "id": "x", "title": "t", "measure": "m", "pointer": "power" } ]
}
JSON
expect_status 2 "$EVENTDRILL" inspect "$WORK/fleet.json" --rules "$WORK/bad-rules.json" \
  --out "$WORK/o2" 2>"$WORK/err2"
cat "$WORK/err2"
grep -q 'bad-rules.json:3:5: rules.clock-drfit: unknown rule "clock-drfit" (did you mean "clock-drift"?)' "$WORK/err2" || fail "rule typo"
grep -q 'bad-rules.json:4:32: rules.slow-device.p50_ms: expected a number, got a string' "$WORK/err2" || fail "param type"
grep -q 'rules.slow-device.severity: expected one of notice, warning, high, critical, got urgent' "$WORK/err2" || fail "severity"
grep -q 'add\[0\].pointer: a JSON pointer starts with /' "$WORK/err2" || fail "pointer"
grep -q 'add\[0\]: write exactly one comparison' "$WORK/err2" || fail "comparison"

# Tuned and added rules: the healthy simulated BMC now has two findings.
cat >"$WORK/rules.json" <<'JSON'
{
  "rules": { "sensor-margin": { "margin_pct": 60, "severity": "high" } },
  "add": [ { "id": "bmc-firmware-pinned", "severity": "critical",
             "title": "BMC firmware is not the pinned one",
             "measure": "Flash the pinned version.",
             "pointer": "/firmware/bmc", "not_equals": "9.9.9" } ]
}
JSON
expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --rules "$WORK/rules.json" \
  --out "$WORK/o3" --quiet
$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
rules={(f["rule"],f["severity"]) for f in d["findings"]}
assert ("bmc-firmware-pinned","critical") in rules, rules
assert ("sensor-margin","high") in rules, rules' "$WORK/o3/inspection.json" ||
  fail "tuned and added rules"

# Without rules, the same healthy BMC has no finding: exit 0.
expect_status 0 "$EVENTDRILL" inspect "$WORK/fleet.json" --out "$WORK/o4" --quiet
# validate knows an inventory from a scenario.
"$EVENTDRILL" validate "$ED_SRC/scenarios/lab-fleet.json" >"$WORK/v.out" ||
  fail "validate lab-fleet.json"
grep -q "ok (inventory lab-fleet: 6 devices)" "$WORK/v.out" || fail "validate output"
expect_status 2 "$EVENTDRILL" validate "$WORK/bad-fleet.json" 2>"$WORK/v.err"
grep -q 'devices.b1.driver: unknown driver "redfsh"' "$WORK/v.err" ||
  fail "validate an invalid inventory"

# The lab fleet shipped in scenarios/: its three planted problems, no more.
expect_status 1 "$EVENTDRILL" inspect "$ED_SRC/scenarios/lab-fleet.json" \
  --out "$WORK/lab" --quiet
$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
got=sorted({(f["device"],f["rule"]) for f in d["findings"]})
want=[("db-02","sensor-margin"),("web-01","health-critical"),
      ("web-01","psu-failed"),("web-01","psu-redundancy"),
      ("web-03","firmware-outlier")]
assert got==want, got' "$WORK/lab/inspection.json" || fail "scenarios/lab-fleet.json"
pass "inspect reports bad input precisely and applies its rules"

# A BMC whose reads are all refused (auth "none" against a simulated BMC
# that needs credentials; only the service root answers) is never called
# ready: each refused part and each part that returned nothing is a
# critical "unread" finding, and the report says what was read.
cat >"$WORK/refused.json" <<'JSON'
{ "name": "refused", "devices": { "s1": { "driver": "redfish", "auth": "none", "sim": {} } } }
JSON
expect_status 1 "$EVENTDRILL" inspect "$WORK/refused.json" --out "$WORK/refused-out" --quiet
$PY - "$WORK/refused-out/inspection.json" <<'PYEOF' || fail "refused reads called ready"
import json, sys
d = json.load(open(sys.argv[1]))
un = [f for f in d["findings"] if f["rule"] == "unread"]
assert un and all(f["severity"] == "critical" for f in un), d["findings"]
assert any("auth 401" in f["detail"] for f in un), un
for part in ("health", "power", "sensors"):
    assert any(f["detail"] == part + ": nothing read" for f in un), (part, un)
s, = d["snapshots"]
assert s["read"] == {"health": None, "power": None, "sensors": None}, s["read"]
assert d["counts"]["critical"] >= 4, d["counts"]
PYEOF
grep -q "not ready" "$WORK/refused-out/inspection.md" || fail "the report does not say not ready"
grep -q -- "- read: health none, power none, sensors none" "$WORK/refused-out/inspection.md" ||
  fail "the report does not say what was read"
pass "refused reads: not ready, each unread part a critical finding"
