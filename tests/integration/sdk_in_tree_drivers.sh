#!/usr/bin/env bash
# eventdrill-driver-test passes the in-tree drivers against real peers on
# loopback: Redfish against eventdrill-sim, IPMI against OpenIPMI's
# ipmi_sim, SSH against a throwaway OpenSSH sshd. Each read-only operation
# runs 20 times and must succeed (--expect-ok); each state-changing one is
# proven with op_check and never sent, which the peers confirm (power still
# on, no file written). Each driver's health collection answers once with a
# reachable device's snapshot, and once more, cancelled, when target_stop
# comes during it. Each run is repeated under valgrind (5 requests).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/sdk_lib.sh"
. "$(dirname "$0")/ipmi_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"

# collect_ok NAME [no-stop]: the harness judged NAME's collect, its cancel
# by target_stop and a collect on the stopped target, all passed (no-stop:
# a driver without target_stop, such as IPMI's, has only the first).
collect_ok() {
  grep -q "^  ok   collect  .*done called once.*: reachable" "$WORK/$1.out" ||
    { cat "$WORK/$1.out"; fail "$1: collect not passed"; }
  if [ "${2:-}" = no-stop ]; then
    grep -q "^  skip collect + stop .*the driver has no target_stop" "$WORK/$1.out" ||
      { cat "$WORK/$1.out"; fail "$1: the stop check not skipped"; }
  else
    grep -q "^  ok   collect + stop .*done called once" "$WORK/$1.out" ||
      { cat "$WORK/$1.out"; fail "$1: collect cut short by target_stop not passed"; }
    grep -q "^  ok   collect (stopped) .*cancelled" "$WORK/$1.out" ||
      { cat "$WORK/$1.out"; fail "$1: collect on a stopped target not cancelled"; }
  fi
  grep "^  .... collect" "$WORK/$1.out"
}

# 1. Redfish, eventdrill-sim in ports mode
SIM="$ED_BIN/eventdrill-sim"
RF_PORT=$(free_port)
export EDSIM_PW="sim-$RANDOM-$RANDOM"
"$SIM" --mode ports --address 127.0.0.1 --port "$RF_PORT" --user admin \
  --password-env EDSIM_PW >"$WORK/sim.out" 2>&1 &
SIM_PID=$!
cleanup_hooks+=('kill "$SIM_PID" 2>/dev/null')
for _ in $(seq 200); do grep -q '^eventdrill-sim:' "$WORK/sim.out" && break; sleep 0.05; done
grep -q '^eventdrill-sim:' "$WORK/sim.out" || { cat "$WORK/sim.out"; fail "eventdrill-sim did not start"; }
export RF_CREDS="admin:$EDSIM_PW"
cat >"$WORK/redfish.json" <<JSON
{ "name": "bmc", "options": { "url": "http://127.0.0.1:$RF_PORT" },
  "credentials": "env:RF_CREDS",
  "operations": {
    "get": { "path": "/redfish/v1/Systems/{first}", "pointer": "/PowerState" },
    "reset": "ForceOff" } }
JSON
harness_pass redfish --expect-ok "$DRIVERS/redfish.so" "$WORK/redfish.json"
collect_ok redfish
grep -q '^  ok   op_check reset .*20 ok.*would run: ResetType ForceOff' "$WORK/redfish.out" ||
  { cat "$WORK/redfish.out"; fail "redfish: reset not proven"; }
state=$(curl -sS -u "admin:$EDSIM_PW" "http://127.0.0.1:$RF_PORT/redfish/v1/Systems" |
  $PY -c 'import json,sys; print(json.load(sys.stdin)["Members"][0]["@odata.id"])')
power=$(curl -sS -u "admin:$EDSIM_PW" "http://127.0.0.1:$RF_PORT$state" |
  $PY -c 'import json,sys; print(json.load(sys.stdin)["PowerState"])')
[ "$power" = On ] || fail "redfish: the system is $power: op_check sent the reset"
# A wrong password: the harness names the refusal, and the secret stays out.
RF_CREDS="admin:wrong-$EDSIM_PW" harness_fails redfish-auth "session login refused: HTTP 401" \
  "$DRIVERS/redfish.so" "$WORK/redfish.json"
! grep -qF "$EDSIM_PW" "$WORK/redfish.out" "$WORK/redfish-auth.out" ||
  fail "redfish: the password is in the harness's report"

# 2. IPMI, ipmi_sim (a blocking driver: on the thread pool)
bmc_start
export IPMI_CREDS=admin:secret
cat >"$WORK/ipmi.json" <<JSON
{ "name": "bmc",
  "options": { "host": "$BMC_HOST", "workarounds": ["opensesspriv"],
               "session_timeout": "3s", "retransmission_timeout": "500ms" },
  "credentials": "env:IPMI_CREDS",
  "operations": { "sensors": "MBTemp", "power": "off" } }
JSON
harness_pass ipmi --expect-ok "$DRIVERS/ipmi.so" "$WORK/ipmi.json"
collect_ok ipmi no-stop
for op in "op power_status" "op sensors" "op sel_count" "op sel_list" "op device_id" \
  "op_check power" "op_check sel_clear"; do
  grep -q "^  ok   $op .*20 ok" "$WORK/ipmi.out" || { cat "$WORK/ipmi.out"; fail "ipmi: $op"; }
done
! grep -q "set power" "$BMC_DIR/control.log" ||
  fail "ipmi: op_check changed the power: $(cat "$BMC_DIR/control.log")"
[ "$(ipmitool_bmc chassis power status)" = "Chassis Power is on" ] ||
  fail "ipmi: the chassis is not on after the harness"

# 3. SSH, sshd on 127.0.0.1
sshd_start
cat >"$WORK/ssh.json" <<JSON
{ "name": "host",
  "options": { "host": "127.0.0.1", "port": $SSH_PORT, "user": "$SSH_USER",
               "auth": "key", "key_file": "$SSHD/client_key",
               "known_hosts": "$SSHD/known_hosts", "connect_timeout": "5s" },
  "operations": { "check": "echo 42",
                  "run": "touch $WORK/ran",
                  "upload": { "path": "$WORK/uploaded", "content": "x" } } }
JSON
harness_pass ssh --expect-ok "$DRIVERS/ssh.so" "$WORK/ssh.json"
collect_ok ssh
for op in "op check" "op_check run" "op_check upload" "close in flight"; do
  grep -q "^  ok   $op " "$WORK/ssh.out" || { cat "$WORK/ssh.out"; fail "ssh: $op"; }
done
[ ! -e "$WORK/ran" ] && [ ! -e "$WORK/uploaded" ] ||
  fail "ssh: a state-changing operation was sent"
