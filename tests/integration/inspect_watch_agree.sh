#!/usr/bin/env bash
# inspect and watch agree on DMTF's mockups, in every generation of Redfish
# resources each one publishes: public-bladed (Thermal/Power only),
# public-rackmount1 (both: Thermal/Power and Sensors/PowerSubsystem/
# ThermalSubsystem) and public-smartnic (the newer ones only, and a
# processor's EnvironmentMetrics), each served
# by eventdrill-sim --mockup. While `watch --json --duration` polls the BMC,
# a power supply in Critical health, a fan at 0 and a temperature over its
# critical threshold are planted in each generation through the simulator's
# control channel; every one must be an alarm of the watch (a JSON line on
# its stdout) and then a finding of `inspect` of the same BMC, with the same
# device and subject (the supply's or sensor's name). Before the planting,
# inspect finds none of them; and a chassis that lists its supplies in both
# generations is never short of redundancy for counting them twice.
. "$(dirname "$0")/lib/common.sh"
MOCKUPS="${ED_SHARED:-}/redfish-mockups"
for m in public-bladed public-rackmount1 public-smartnic; do
  if [ ! -d "$MOCKUPS/$m" ]; then
    echo "SKIP: inspect_watch_agree needs DMTF's mockups, and $MOCKUPS/$m is absent"
    exit 0
  fi
done
command -v curl >/dev/null || fail "curl is not installed (scripts/install-deps.sh)"

# sim_up MOCKUP: an eventdrill-sim serving it on a free port, with its
# control channel; sets $port, $control, $sim_pid.
sim_up() {
  local m=$1 o=$WORK/$1 try
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
  control=$(grep -o 'control http://[0-9.:]*' "$o.sim.out" | cut -d' ' -f2)
}

# check MOCKUP PLANTS: PLANTS is a JSON list of [generation, what, path,
# pointer, value, subject]: what is "psu", "fan" or "temperature".
check() {
  local m=$1 plants=$2 o=$WORK/$1
  echo "$plants" >"$o.plants.json"
  sim_up "$m"
  cat >"$o.fleet.json" <<JSON
{ "name": "agree-$m", "devices": { "bmc": { "driver": "redfish", "auth": "basic",
  "url": "http://127.0.0.1:$port", "credentials": "env:ED_AGREE_CREDS" } } }
JSON
  export ED_AGREE_CREDS=admin:password
  # before: none of the faults is there yet
  local st=0
  "$EVENTDRILL" inspect "$o.fleet.json" --out "$o.before" --quiet >"$o.before.out" 2>"$o.before.err" ||
    st=$?
  [ $st -le 1 ] || { cat "$o.before.err" >&2; fail "$m: inspect before the planting exited $st"; }
  echo '{ "sensor": { "hold": "0ms" }, "psu": { "hold": "0ms" } }' >"$o.rules.json"
  "$EVENTDRILL" watch "$o.fleet.json" --json --no-report --duration 120s --budget 500 \
    --interval 500ms --rules "$o.rules.json" --out "$o.watch" >"$o.watch.out" 2>"$o.watch.err" &
  local wpid=$!
  cleanup_hooks+=("kill -9 $wpid 2>/dev/null")
  for _ in $(seq 600); do
    grep -q '"ev":"poll"' "$o.watch/journal.jsonl" 2>/dev/null && break
    sleep 0.05
  done
  grep -q '"ev":"poll"' "$o.watch/journal.jsonl" || fail "$m: the watch never polled: $(cat "$o.watch.err")"
  $PY - "$o.plants.json" <<'PYEOF' | while read -r body; do
import json, sys
for gen, what, path, ptr, value, subject in json.load(open(sys.argv[1])):
    print(json.dumps({"bmc": 0, "path": path, "pointer": ptr, "value": value}))
PYEOF
    curl -sS -f -d "$body" "$control/patch" >/dev/null || fail "$m: control patch $body refused"
  done
  # alarms MODE: every planted subject has its critical alarm on bmc
  alarms() {
    $PY - "$o.watch.out" "$o.plants.json" "$1" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]  # complete lines only
plants = json.load(open(sys.argv[2]))
kind = {"psu": "psu", "fan": "sensor", "temperature": "sensor"}
# raised critical, or raised for a lesser fault present from the first
# poll (a supply already in Warning) and then updated to critical
ev = [e for e in map(json.loads, lines)
      if e.get("ev") in ("alarm_raise", "alarm_update")]
missing = [p for p in plants
           if not any(e["device"] == "bmc" and e["kind"] == kind[p[1]]
                      and e["severity"] == "critical" and e["subject"] == p[5]
                      for e in ev)]
if sys.argv[3] == "say":
    print("alarms: %s" % [(e["device"], e["kind"], e["subject"]) for e in ev])
    for p in missing:
        print("missing: no critical %s alarm on bmc with subject %r (%s, %s)"
              % (kind[p[1]], p[5], p[0], p[1]))
sys.exit(1 if missing else 0)
PYEOF
  }
  for _ in $(seq 1200); do
    alarms quiet && break
    kill -0 $wpid 2>/dev/null || break
    sleep 0.05
  done
  kill -TERM $wpid 2>/dev/null || true
  st=0
  wait $wpid || st=$?
  [ $st -le 1 ] || { tail -5 "$o.watch.err" >&2; fail "$m: watch exited $st"; }
  alarms say || fail "$m: the watch did not raise an alarm for each planted fault"
  # after: inspect of the same BMC finds each one, same device and subject
  st=0
  "$EVENTDRILL" inspect "$o.fleet.json" --out "$o.after" --quiet >"$o.after.out" 2>"$o.after.err" ||
    st=$?
  [ $st -eq 1 ] || { cat "$o.after.err" >&2; fail "$m: inspect after the planting exited $st, expected 1"; }
  kill $sim_pid 2>/dev/null
  wait $sim_pid 2>/dev/null || true
  $PY - "$m" "$o.plants.json" "$o.before/inspection.json" "$o.after/inspection.json" <<'PYEOF' ||
import json, sys
m, plants = sys.argv[1], json.load(open(sys.argv[2]))
before, after = (json.load(open(f)) for f in sys.argv[3:5])
rule = {"psu": "psu-failed", "fan": "sensor-critical", "temperature": "sensor-critical"}
def found(d, p):
    # a finding's detail starts with the subject: "NAME: health Critical…",
    # "NAME reads …" (a supply in Warning is a psu-failed finding too, and
    # two of these mockups have one before the planting)
    return [f for f in d["findings"] if f["device"] == "bmc" and f["rule"] == rule[p[1]]
            and (f["detail"].startswith(p[5] + ": health Critical")
                 or f["detail"].startswith(p[5] + " reads"))]
bad = []
for p in plants:
    if found(before, p):
        bad.append("before the planting: %s" % found(before, p))
    if not found(after, p):
        bad.append("no %s finding for %r (%s %s)" % (rule[p[1]], p[5], p[0], p[1]))
# one set of supplies published in both generations is not counted twice
# (public-rackmount1 lists one present supply in each, both in Warning)
bad += ["before the planting: %s" % f["detail"] for f in before["findings"]
        if "no redundancy left" in f["detail"]]
snap = {s["device"]: s for s in after["snapshots"]}["bmc"]
if snap.get("gaps"):
    bad.append("parts not read: %s" % snap["gaps"])
if bad:
    print("%s: %s\nfindings: %s" % (m, "\n".join(bad),
          [(f["device"], f["rule"], f["detail"]) for f in after["findings"]]))
    sys.exit(1)
gens = sorted({p[0] for p in plants})
print("%s: %d planted faults in %s found by watch and inspect alike; read %s"
      % (m, len(plants), " and ".join(gens), snap["read"]))
PYEOF
    fail "$m: inspect and watch do not agree"
  pass "$m: inspect and watch agree on every planted fault"
}

check public-bladed '[
 ["older", "psu", "/redfish/v1/Chassis/MultiBladeEncl/Power", "/PowerSupplies/0/Status/Health", "Critical", "Power Supply 0"],
 ["older", "fan", "/redfish/v1/Chassis/Blade1/Thermal", "/Fans/0/Reading", 0, "CPU Fan (Blade1)"],
 ["older", "temperature", "/redfish/v1/Chassis/Blade1/Thermal", "/Temperatures/0/ReadingCelsius", 95, "CPU Temp (Blade1)"]]'

# newer CPU_FAN_NAME: the plants of the newer generation; the CPU fan's
# sensor name is qualified by its chassis where two chassis have one (the
# smartnic's card has a "CPU #1 Fan Speed" too).
newer() {
  cat <<JSON
 ["newer", "psu", "/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/Bay1", "/Status/Health", "Critical", "Power Supply Bay 1"],
 ["newer", "fan", "/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Bay1", "/SpeedPercent/SpeedRPM", 0, "Fan Bay 1"],
 ["newer", "fan", "/redfish/v1/Chassis/1U/Sensors/CPUFan1", "/Reading", 0, "$1"],
 ["newer", "temperature", "/redfish/v1/Chassis/1U/Sensors/CPU1Temp", "/Reading", 47, "CPU #1 Temperature"]
JSON
}

check public-rackmount1 '[
 ["older", "psu", "/redfish/v1/Chassis/1U/Power", "/PowerSupplies/0/Status/Health", "Critical", "Power Supply Bay"],
 ["older", "fan", "/redfish/v1/Chassis/1U/Thermal", "/Fans/0/Reading", 0, "BaseBoard System Fan"],
 ["older", "temperature", "/redfish/v1/Chassis/1U/Thermal", "/Temperatures/0/ReadingCelsius", 50, "CPU1 Temp"],'"$(newer "CPU #1 Fan Speed")"']'

# and a processor's EnvironmentMetrics whose fan reading is its own (no
# DataSourceUri: not a copy of a Sensor) and stopped
check public-smartnic "[$(newer "CPU #1 Fan Speed (1U)"),
 [\"environment\", \"fan\", \"/redfish/v1/Systems/437XR1138R2/Processors/CPU1/EnvironmentMetrics\",
  \"/FanSpeedsPercent\", [{\"DeviceName\": \"CPU #1 Fan Speed\", \"Reading\": 0}], \"CPU #1 Fan Speed\"]]"
pass "inspect and watch find the same planted faults in every generation of each mockup"
