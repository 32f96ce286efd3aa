#!/usr/bin/env bash
# inspect and watch read both generations of Redfish chassis resources, as
# DMTF's mockups publish them: Thermal/Power (public-bladed) and
# Sensors/PowerSubsystem (public-rackmount1, public-smartnic). In each, a
# simulated BMC serving the mockup (in-process, "sim": {"mockup": ...}) gets
# a power supply in Critical health, a fan at 0 and a temperature over its
# critical threshold planted; inspect must find each one (and call the fleet
# not ready), and watch must raise an alarm for each. Without the planted
# changes, nothing of the device is left unread.
. "$(dirname "$0")/lib/common.sh"
MOCKUPS="${ED_SHARED:-}/redfish-mockups"
if [ ! -d "$MOCKUPS/public-bladed" ]; then
  echo "SKIP: inspect_generations needs DMTF's mockups, and $MOCKUPS is absent"
  exit 0
fi

# plant NAME MOCKUP PSU_PATH PSU_PTR FAN_PATH FAN_PTR TEMP_PATH TEMP_PTR TEMP
plant() {
  local name=$1 mockup=$2
  cat >"$WORK/$name.json" <<JSON
{ "name": "$name",
  "devices": {
    "clean": { "driver": "redfish", "auth": "basic", "sim": { "mockup": "$MOCKUPS/$mockup" } },
    "planted": { "driver": "redfish", "auth": "basic", "sim": { "mockup": "$MOCKUPS/$mockup",
      "changes": [
        { "op": "patch", "path": "$3", "pointer": "$4", "value": "Critical" },
        { "op": "patch", "path": "$5", "pointer": "$6", "value": 0 },
        { "op": "patch", "path": "$7", "pointer": "$8", "value": $9 } ] } } } }
JSON
}

# expect NAME PSU_NAME FAN_NAME TEMP_NAME: inspect and watch of NAME.json
expect() {
  local name=$1 o=$WORK/$1
  local st=0
  "$EVENTDRILL" inspect "$WORK/$name.json" --out "$o" --quiet >"$o.out" 2>"$o.err" || st=$?
  [ $st -eq 1 ] || { cat "$o.err" >&2; fail "$name: inspect exited $st, expected 1 (not ready)"; }
  $PY - "$o/inspection.json" "$2" "$3" "$4" <<'PYEOF' || fail "$name: inspect findings"
import json, sys
d = json.load(open(sys.argv[1]))
psu, fan, temp = sys.argv[2:]
got = [(f["device"], f["rule"], f["detail"]) for f in d["findings"]]
def has(rule, *words):
    hit = [g for g in got if g[0] == "planted" and g[1] == rule
           and all(w in g[2] for w in words)]
    assert hit, "no %s finding with %s in %s" % (rule, words, got)
has("psu-failed", psu, "health Critical")
has("sensor-critical", fan, "the fan has stopped")
has("sensor-critical", temp, "threshold")
# the simulated BMC rolls the planted parts up into its chassis' health,
# in either generation, as a real one does
has("health-critical", "rollup Critical", "Chassis/")
assert not [g for g in got if g[0] == "clean" and g[1] == "health-critical"
            and "rollup Critical" in g[2]], got
snaps = {s["device"]: s for s in d["snapshots"]}
for dev in ("clean", "planted"):
    r = snaps[dev]["read"]
    assert r["health"] > 0 and r["power"] and r["sensors"] > 0, (dev, r)
    assert not snaps[dev].get("gaps"), (dev, snaps[dev]["gaps"])
# the clean device has none of the planted findings
assert not [g for g in got if g[0] == "clean" and fan in g[2] and "stopped" in g[2]], got
print("%s: inspect found the supply, the fan and the temperature; read %s"
      % (d["inventory"], snaps["planted"]["read"]))
PYEOF
}

# watch_planted MOCKUP PSU_PATH PSU_PTR FAN_PATH FAN_PTR TEMP_PATH TEMP_PTR
# TEMP PSU_NAME FAN_NAME TEMP_NAME: the watch alarms on news, so the three
# faults are planted in a running eventdrill-sim (control channel) after
# the watch's first poll; each must raise its alarm.
watch_planted() {
  local m=$1 o=$WORK/watch-$1 port try
  for try in 1 2 3; do
    port=$(free_port)
    "$ED_BIN/eventdrill-sim" --bmcs 1 --mode ports --address 127.0.0.1 --port "$port" \
      --mockup "$MOCKUPS/$m" --control 127.0.0.1:0 >"$o.sim.out" 2>"$o.sim.err" &
    sim_pid=$!
    for _ in $(seq 200); do
      grep -q serving "$o.sim.out" 2>/dev/null && break
      kill -0 $sim_pid 2>/dev/null || break
      sleep 0.05
    done
    grep -q serving "$o.sim.out" && break
    kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null || true
  done
  grep -q serving "$o.sim.out" || fail "$m: eventdrill-sim did not start: $(cat "$o.sim.err")"
  cleanup_hooks+=("kill $sim_pid 2>/dev/null")
  local control
  control=$(grep -o 'control http://[0-9.:]*' "$o.sim.out" | cut -d' ' -f2)
  cat >"$o.fleet.json" <<JSON
{ "name": "watch-$m", "devices": { "planted": { "driver": "redfish", "auth": "basic",
  "url": "http://127.0.0.1:$port", "credentials": "env:ED_GEN_CREDS" } } }
JSON
  echo '{ "sensor": { "hold": "0ms" } }' >"$o.rules.json"
  ED_GEN_CREDS=admin:password "$EVENTDRILL" watch "$o.fleet.json" --json --no-report \
    --budget 500 --interval 500ms --rules "$o.rules.json" --out "$o" >"$o.out" 2>"$o.err" &
  local wpid=$!
  cleanup_hooks+=("kill -9 $wpid 2>/dev/null")
  for _ in $(seq 600); do
    grep -q '"ev":"poll"' "$o/journal.jsonl" 2>/dev/null && break
    sleep 0.05
  done
  curl -sS -f -d "{\"bmc\": 0, \"path\": \"$2\", \"pointer\": \"$3\", \"value\": \"Critical\"}" "$control/patch" >/dev/null
  curl -sS -f -d "{\"bmc\": 0, \"path\": \"$4\", \"pointer\": \"$5\", \"value\": 0}" "$control/patch" >/dev/null
  curl -sS -f -d "{\"bmc\": 0, \"path\": \"$6\", \"pointer\": \"$7\", \"value\": $8}" "$control/patch" >/dev/null
  planted_names=("$9" "${10}" "${11}")
  # raised quiet|say: every planted fault has its alarm (a subject naming it)
  raised() {
    $PY - "$o/journal.jsonl" "${planted_names[@]}" "$1" <<'PYEOF'
import json, sys
names, out = sys.argv[2:5], sys.argv[5]
lines = open(sys.argv[1]).read().split("\n")[:-1]  # complete lines only
raised = [e for e in map(json.loads, lines) if e["ev"] == "alarm_raise"]
missing = [n for n in names if not any(n in e["subject"] for e in raised)]
if out == "say":
    print("alarms raised: %s; missing: %s"
          % ([e["subject"] + ": " + e["text"] for e in raised], missing))
sys.exit(1 if missing else 0)
PYEOF
  }
  for _ in $(seq 600); do
    raised quiet && break
    sleep 0.05
  done
  kill -TERM $wpid
  wait $wpid || true
  kill $sim_pid 2>/dev/null
  wait $sim_pid 2>/dev/null || true
  raised say || fail "$m: the watch did not raise an alarm for each planted fault"
}

plant bladed public-bladed \
  /redfish/v1/Chassis/MultiBladeEncl/Power /PowerSupplies/0/Status/Health \
  /redfish/v1/Chassis/Blade1/Thermal /Fans/0/Reading \
  /redfish/v1/Chassis/Blade1/Thermal /Temperatures/0/ReadingCelsius 95
expect bladed "Power Supply 0" "CPU Fan" "CPU Temp"
watch_planted public-bladed \
  /redfish/v1/Chassis/MultiBladeEncl/Power /PowerSupplies/0/Status/Health \
  /redfish/v1/Chassis/Blade1/Thermal /Fans/0/Reading \
  /redfish/v1/Chassis/Blade1/Thermal /Temperatures/0/ReadingCelsius 95 \
  "Power Supply 0" "CPU Fan" "CPU Temp"
for m in rackmount1 smartnic; do
  plant "$m" "public-$m" \
    /redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/Bay1 /Status/Health \
    /redfish/v1/Chassis/1U/Sensors/CPUFan1 /Reading \
    /redfish/v1/Chassis/1U/Sensors/CPU1Temp /Reading 47
  expect "$m" "Power Supply Bay 1" "CPU #1 Fan Speed" "CPU #1 Temperature"
  watch_planted "public-$m" \
    /redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/Bay1 /Status/Health \
    /redfish/v1/Chassis/1U/Sensors/CPUFan1 /Reading \
    /redfish/v1/Chassis/1U/Sensors/CPU1Temp /Reading 47 \
    "Power Supply Bay 1" "CPU #1 Fan Speed" "CPU #1 Temperature"
done
pass "inspect and watch find a failed supply, a stopped fan and an overheating CPU in both generations of Redfish resources"
