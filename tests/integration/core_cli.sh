#!/usr/bin/env bash
# The command line without devices: validate, dry run, plugins, usage errors.
. "$(dirname "$0")/lib/common.sh"
expect_status 0 "$EVENTDRILL" validate "$ED_SRC/scenarios/quickstart.json"
"$EVENTDRILL" run "$ED_SRC/scenarios/quickstart.json" --dry-run >"$WORK/dry" || fail "dry run"
grep -q "expected requests in all: 38400" "$WORK/dry" || { cat "$WORK/dry"; fail "dry-run total"; }
grep -q "surge-ramp .*ramp 50 -> 380 req/s" "$WORK/dry" || fail "dry-run phase line"
[ ! -e results ] || [ -z "$(ls -A results 2>/dev/null)" ] || true
# a bad file: exit 2 and the file:line:col: path: message form
printf '{\n  "name": "x",\n  "targets": {},\n  "workloads": 3\n}\n' >"$WORK/bad.json"
expect_status 2 "$EVENTDRILL" validate "$WORK/bad.json" 2>"$WORK/err"
grep -q "bad.json:4:16: workloads: " "$WORK/err" || { cat "$WORK/err"; fail "error position"; }
expect_status 2 "$EVENTDRILL" run "$WORK/bad.json" --dry-run
# a simulated target's settings are checked by validate and --dry-run too,
# at the key that is wrong (a knob; a "changes" entry naming no sensor)
cat >"$WORK/badsim.json" <<'JSON'
{ "name": "bad-sim",
  "targets": {
    "bmc1": { "driver": "redfish", "sim": { "knobs": { "latency": "fast" } } },
    "bmc2": { "driver": "redfish",
              "sim": { "changes": [ { "op": "sensor", "name": "Nope", "value": 3 } ] } },
    "bmc3": { "driver": "redfish", "sim": { "per_bmc": { "0": { "error_rate": 0.5 } } } } },
  "workloads": [ { "name": "w", "targets": ["bmc3"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "constant": 1, "for": "1s" } ] } ] }
JSON
expect_status 2 "$EVENTDRILL" validate "$WORK/badsim.json" 2>"$WORK/err"
grep -qF "$WORK/badsim.json:3:67: targets.bmc1.sim.knobs.latency: expected a duration" "$WORK/err" ||
  { cat "$WORK/err"; fail "sim knob error"; }
grep -qF "$WORK/badsim.json:5:63: targets.bmc2.sim.changes[0].name: no sensor named 'Nope'" "$WORK/err" ||
  { cat "$WORK/err"; fail "sim changes error"; }
grep -q "bmc3" "$WORK/err" && { cat "$WORK/err"; fail "a good sim object reported"; }
grep -qF "$WORK/badsim.json: 2 errors" "$WORK/err" || { cat "$WORK/err"; fail "sim error count"; }
expect_status 2 "$EVENTDRILL" run "$WORK/badsim.json" --dry-run
expect_status 2 "$EVENTDRILL" run
expect_status 2 "$EVENTDRILL" frobnicate
expect_status 2 "$EVENTDRILL" run "$ED_SRC/scenarios/quickstart.json" --seed -4
"$EVENTDRILL" plugins >"$WORK/plugins" || fail "plugins"
grep -q "^redfish " "$WORK/plugins" || fail "redfish driver not listed"
grep -q "get: GET a resource" "$WORK/plugins" || fail "operations not listed"
"$EVENTDRILL" plugins --json | $PY -c 'import json,sys; d=json.load(sys.stdin); assert any(x["name"]=="redfish" for x in d["drivers"])' || fail "plugins --json"
"$EVENTDRILL" --help | grep -q "exit status" || fail "help"
pass "command line"
