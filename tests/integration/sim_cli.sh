#!/bin/bash
# eventdrill-sim's command line: --help, bad configurations (exit 2, the
# file and key named), no password on the command line, password from the
# environment, access log, clean stop on SIGINT.
source "$(dirname "$0")/sim_lib.sh"
A=127.0.64.1
"$SIM" --help | grep -q -- "--password-env" || fail "--help"

run2() { # run2 ARGS...: must exit 2; stderr in $D/err
  local rc=0
  "$SIM" "$@" >/dev/null 2>"$D/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "'$*' exited $rc, want 2"
}
echo '{"bmcs": 2, "listen": {"mode": "addresses", "colour": "red"}}' > "$D/bad.json"
run2 --config "$D/bad.json"
grep -q "bad.json: unknown key 'listen.colour'" "$D/err" || fail "$(cat "$D/err")"
echo '{"knobs": {"latency": {"median": "20ms"}}}' > "$D/bad2.json"
run2 --config "$D/bad2.json"
grep -q "bad2.json: knobs.latency" "$D/err" || fail "$(cat "$D/err")"
echo '{"bmcs": 2,' > "$D/bad3.json"
run2 --config "$D/bad3.json"
grep -q "bad3.json: line" "$D/err" || fail "$(cat "$D/err")"
run2 --password secret
grep -q "password-env" "$D/err" || fail "--password should be refused"
run2 --address 0.0.0.0
grep -q "listen.address" "$D/err" || fail "non-loopback address accepted"
run2 --password-env ED_SIM_TEST_UNSET_VAR
grep -q "ED_SIM_TEST_UNSET_VAR" "$D/err" || fail "$(cat "$D/err")"
echo "ok: bad configurations exit 2 naming file and key"

# Password from the environment; config file with per-BMC knobs; access log.
cat > "$D/fleet.json" <<JSON
{"bmcs": 2, "listen": {"address": "$A", "port": 18004},
 "user": "root", "password_env": "ED_SIM_TEST_PW",
 "per_bmc": {"1": {"error_rate": 1, "error_status": 500}},
 "access_log": true, "seed": 3}
JSON
ED_SIM_TEST_PW=s3cret sim_start --config "$D/fleet.json"
expect_eq "right password" "$(curl -s -o /dev/null -w '%{http_code}' -u root:s3cret http://$A:18004/redfish/v1/Systems)" 200
expect_eq "wrong password" "$(curl -s -o /dev/null -w '%{http_code}' -u root:nope http://$A:18004/redfish/v1/Systems)" 401
expect_eq "per_bmc knobs" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.64.2:18004/redfish/v1)" 500
sleep 0.2
$PY - "$D/sim.err" <<'PY' || fail "access log"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert len(lines) == 3, lines
assert lines[0]["path"] == "/redfish/v1/Systems" and lines[0]["status"] == 200
assert lines[2]["bmc"] == 1 and lines[2]["fault"] == "error"
assert not any("s3cret" in json.dumps(l) for l in lines)
print("ok: access log lines", len(lines))
PY
# SIGINT stops it cleanly too.
kill -INT "$SIM_PID"
rc=0; wait "$SIM_PID" || rc=$?; SIM_PID=
expect_eq "exit status after SIGINT" "$rc" 0
echo PASS
