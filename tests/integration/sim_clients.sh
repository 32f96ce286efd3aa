#!/usr/bin/env bash
# Third-party Redfish clients from Debian against eventdrill-sim, as against
# a real BMC: redfishtool (basic auth and sessions, list, get, reset) and
# python3-sushy (session, system, reset_system, power state transitions).
set -euo pipefail

: "${ED_BIN:?ED_BIN must name the folder of eventdrill-sim}"
SIM="$ED_BIN/eventdrill-sim"
PY=/usr/bin/python3 # Debian's: sushy is installed for it only
ADDR=127.0.1.1
READY_S=10
[ "${ED_SANITIZE:-OFF}" = "ON" ] && READY_S=40
export ED_TEST_PW="drill-$$-pw" # a throwaway password for this run only
RT_TIMEOUT=60

for tool in redfishtool curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done
"$PY" -c 'import sushy' || { echo "FAIL: python3-sushy is not installed" >&2; exit 1; }

D=$(mktemp -d)
SIM_PID=
cleanup() {
  if [ -n "$SIM_PID" ]; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap cleanup EXIT

free_port() {
  "$PY" -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0));
print(s.getsockname()[1]); s.close()' "$ADDR"
}

# Short power delays, so transitions are seen in a test's time.
cat >"$D/sim.json" <<JSON
{"power": {"on": "1500ms", "off": "1500ms"}}
JSON

start_sim() {
  local try
  for try in 1 2 3; do
    PORT=$(free_port)
    "$SIM" --config "$D/sim.json" --bmcs 1 --address "$ADDR" --port "$PORT" \
      --user admin --password-env ED_TEST_PW >"$D/out" 2>"$D/err" &
    SIM_PID=$!
    local waited=0
    while [ $waited -lt $((READY_S * 10)) ]; do
      grep -q '^eventdrill-sim:' "$D/out" && return 0
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
      waited=$((waited + 1))
    done
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
    cat "$D/err" >&2
  done
  echo "FAIL: eventdrill-sim never became ready" >&2
  exit 1
}

fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

rft() { # redfishtool with this BMC's address and credentials
  timeout "$RT_TIMEOUT" redfishtool -r "$ADDR:$PORT" -u admin -p "$ED_TEST_PW" \
    -S Never "$@"
}

power_state() {
  curl -sf -u "admin:$ED_TEST_PW" "http://$ADDR:$PORT/redfish/v1/Systems/1" |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["PowerState"])'
}

session_count() {
  curl -sf -u "admin:$ED_TEST_PW" \
    "http://$ADDR:$PORT/redfish/v1/SessionService/Sessions" |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["Members@odata.count"])'
}

start_sim
echo "simulator: $(cat "$D/out")"

# --- redfishtool, basic auth ---
if rft Systems >"$D/rt1" 2>&1 && grep -q '"/redfish/v1/Systems/1"' "$D/rt1"; then
  ok "redfishtool Systems lists /redfish/v1/Systems/1"
else bad "redfishtool Systems"; cat "$D/rt1" >&2; fi

if rft Systems -F get >"$D/rt2" 2>&1 && grep -q '"PowerState": "On"' "$D/rt2"; then
  ok "redfishtool Systems -F get shows PowerState On"
else bad "redfishtool Systems -F get"; cat "$D/rt2" >&2; fi

if timeout "$RT_TIMEOUT" redfishtool -r "$ADDR:$PORT" -u admin \
  -p wrong-password -S Never Systems >"$D/rt3" 2>&1; then
  bad "redfishtool with a wrong password succeeded"
else ok "redfishtool with a wrong password is refused"; fi

if rft Systems -I 1 reset ForceOff >"$D/rt4" 2>&1; then
  st=$(power_state)
  if [ "$st" = "Off" ]; then ok "redfishtool reset ForceOff -> PowerState Off"
  else bad "after ForceOff PowerState is $st"; fi
else bad "redfishtool Systems -I 1 reset ForceOff"; cat "$D/rt4" >&2; fi

if rft Systems -I 1 reset On >"$D/rt5" 2>&1; then
  st=$(power_state)
  if [ "$st" = "PoweringOn" ]; then ok "redfishtool reset On -> PoweringOn"
  else bad "right after On PowerState is $st, not PoweringOn"; fi
  sleep 1.7
  st=$(power_state)
  if [ "$st" = "On" ]; then ok "then On after the configured delay"
  else bad "1.7 s after On PowerState is $st"; fi
else bad "redfishtool reset On"; cat "$D/rt5" >&2; fi

# --- redfishtool, Redfish session (needs Location and Id) ---
if rft -A Session Systems -F get >"$D/rt6" 2>&1 &&
  grep -q '"Id": "1"' "$D/rt6"; then
  ok "redfishtool -A Session Systems -F get"
else bad "redfishtool -A Session"; cat "$D/rt6" >&2; fi
n=$(session_count)
if [ "$n" = "0" ]; then ok "redfishtool's session was deleted at its end"
else bad "$n sessions left after redfishtool -A Session"; fi

# --- python3-sushy: session auth, system, reset_system ---
if "$PY" - "http://$ADDR:$PORT/redfish/v1" >"$D/sushy" 2>&1 <<'PYEOF'
import os, sys, time
import sushy
from sushy import auth

url = sys.argv[1]
pw = os.environ["ED_TEST_PW"]
s = sushy.Sushy(url, auth=auth.SessionAuth(username="admin", password=pw))
sessions = s.get_session_service().sessions.get_members()
assert len(sessions) == 1, "expected sushy's own session, got %d" % len(sessions)
system = s.get_system("/redfish/v1/Systems/1")
values = sorted(v.value for v in system.get_allowed_reset_system_values())
print("allowed resets:", values)
assert "ForceOff" in values and "On" in values

def state():
    system.refresh()
    return system.power_state.value

def wait_for(want, limit_s):
    t0 = time.monotonic()
    seen = [state()]
    while seen[-1] != want and time.monotonic() - t0 < limit_s:
        time.sleep(0.1)
        seen.append(state())
    return seen

assert state() == "On", state()
system.reset_system(sushy.ResetType.FORCE_OFF)
assert state() == "Off", state()
system.reset_system(sushy.ResetType.ON)
seen = wait_for("On", 10)
print("after On:", " -> ".join(dict.fromkeys(seen)))
assert seen[0] == "PoweringOn" and seen[-1] == "On", seen
system.reset_system(sushy.ResetType.GRACEFUL_SHUTDOWN)
seen = wait_for("Off", 10)
print("after GracefulShutdown:", " -> ".join(dict.fromkeys(seen)))
assert seen[0] == "PoweringOff" and seen[-1] == "Off", seen
print("sushy ok")
PYEOF
then ok "sushy: $(tr '\n' ';' <"$D/sushy")"
else bad "sushy"; cat "$D/sushy" >&2; fi

# The password and tokens never reach the simulator's output.
if grep -q -- "$ED_TEST_PW" "$D/out" "$D/err"; then
  bad "the password appears in the simulator's output"
else ok "no secret in the simulator's output"; fi

kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
SIM_PID=
echo "sim_clients: $fails failed"
[ $fails -eq 0 ]
