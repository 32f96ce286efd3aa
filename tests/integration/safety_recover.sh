#!/usr/bin/env bash
# A runner killed with SIGKILL right after powering a simulated BMC off:
# the journal stays readable, and `eventdrill recover` runs the undo it owed
# (after asking; --yes) and powers the BMC back on, which the simulator
# confirms. A second recover has nothing left to do.
. "$(dirname "$0")/lib/common.sh"
SIM="$ED_BIN/eventdrill-sim"
PORT=$(free_port)
export EDSIM_PW="pw-$RANDOM$RANDOM"
export BMC_CREDS="admin:$EDSIM_PW"
printf '{"power": {"on": "200ms", "off": "200ms"}}' >"$WORK/sim.json"
"$SIM" --config "$WORK/sim.json" --mode ports --address 127.0.0.1 --port "$PORT" \
  --user admin --password-env EDSIM_PW >"$WORK/sim.out" 2>&1 &
sim_pid=$!
cleanup_hooks+=("kill $sim_pid")
for _ in $(seq 100); do grep -q '^eventdrill-sim:' "$WORK/sim.out" && break; sleep 0.05; done
power() {
  curl -sf -u "admin:$EDSIM_PW" "http://127.0.0.1:$PORT/redfish/v1/Systems/1" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["PowerState"])'
}
[ "$(power)" = On ] || fail "the BMC is not On at the start"

cat >"$WORK/kill.json" <<JSON
{ "name": "killed-mid-fault",
  "targets": { "bmc": { "driver": "redfish", "url": "http://127.0.0.1:$PORT",
                        "auth": "basic", "credentials": "env:BMC_CREDS",
                        "rehearsal": true } },
  "workloads": [ { "name": "poll", "targets": ["bmc"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "steady", "constant": 5, "for": "60s" } ] } ],
  "faults": [ { "name": "power-loss", "at": "1s", "target": "bmc",
                "action": { "reset": "ForceOff" },
                "undo": { "action": { "reset": "On" }, "when": "always" } } ] }
JSON
"$EVENTDRILL" rehearse "$WORK/kill.json" --plain --out "$WORK/r" >"$WORK/run.out" 2>&1 &
run_pid=$!
cleanup_hooks+=("kill -9 $run_pid 2>/dev/null")
for _ in $(seq 100); do
  grep -q '"ev":"fault_end"' "$WORK/r/journal.jsonl" 2>/dev/null && break
  sleep 0.1
done
kill -9 $run_pid
wait $run_pid 2>/dev/null || true
grep -q '"ev":"fault_start".*"undo_pending":true' "$WORK/r/journal.jsonl" ||
  fail "the pending undo was not journaled before the fault"
grep -q '"ev":"undo_end"' "$WORK/r/journal.jsonl" && fail "the undo ran before the kill"
sleep 0.5
[ "$(power)" = Off ] || fail "the fault did not power the BMC off"
# Every complete line of the journal of the killed run is JSON.
$PY - "$WORK/r/journal.jsonl" <<'PYEOF' || fail "journal not readable"
import json, sys
data = open(sys.argv[1]).read()
lines = data.split("\n")
complete = lines[:-1] if not data.endswith("\n") else lines[:-1]
for l in complete:
    json.loads(l)
assert json.loads(complete[0])["ev"] == "run_start"
PYEOF

# Without a terminal and without --yes it asks, gets no answer, does nothing.
expect_status 2 "$EVENTDRILL" recover "$WORK/r" </dev/null >"$WORK/rec0.out" 2>&1
grep -q "fault power-loss .*undo: reset" "$WORK/rec0.out" || { cat "$WORK/rec0.out"; fail "recover did not show the undo"; }
[ "$(power)" = Off ] || fail "recover acted without a yes"

expect_status 0 "$EVENTDRILL" recover "$WORK/r" --yes >"$WORK/rec1.out" 2>&1
grep -q "undo of power-loss done" "$WORK/rec1.out" || { cat "$WORK/rec1.out"; fail "recover output"; }
state=""
for _ in $(seq 40); do state=$(power); [ "$state" = On ] && break; sleep 0.1; done
[ "$state" = On ] || fail "the simulator does not confirm the power is back On ($state)"
grep -q '"ev":"undo_end".*"ok":true.*"by":"recover"' "$WORK/r/journal.jsonl" ||
  fail "recover did not journal the undo"
# recover's events carry the run's time (after the fault, not t 0.0).
$PY - "$WORK/r/journal.jsonl" <<'PYEOF' || fail "recover's events do not carry the run's time"
import json, sys
ev = []
for l in open(sys.argv[1]):
    try:
        ev.append(json.loads(l))
    except ValueError:
        pass
fs, = [e for e in ev if e["ev"] == "fault_start"]
rec = [e for e in ev if e.get("by") == "recover" or e["ev"] == "undo_start"]
assert rec and all(e["t"] > fs["t"] for e in rec), (fs, rec)
PYEOF
expect_status 0 "$EVENTDRILL" recover "$WORK/r" --yes >"$WORK/rec2.out" 2>&1
grep -q "nothing to do" "$WORK/rec2.out" || fail "a second recover found work"
grep -q "$EDSIM_PW" "$WORK"/rec*.out "$WORK/run.out" "$WORK/r"/* && fail "the secret leaked"
pass "killed run recovered"
