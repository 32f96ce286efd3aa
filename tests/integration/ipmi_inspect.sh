#!/usr/bin/env bash
# eventdrill inspect of an IPMI BMC (OpenIPMI's ipmi_sim on loopback): the
# IPMI driver's own health collection reads power, the firmware revision,
# the sensors with their thresholds and the SEL, as ipmitool reads them;
# after `ipmitool chassis power off` the next inspection reads "off" and
# finds it.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/ipmi_lib.sh"
bmc_start
export IPMI_CREDS=admin:secret
cat >"$WORK/fleet.json" <<JSON
{ "name": "ipmi", "devices": {
  "bmc": { "driver": "ipmi", "host": "$BMC_HOST", "credentials": "env:IPMI_CREDS",
           "workarounds": ["opensesspriv"] } } }
JSON

# what ipmitool reads, to compare with
fw=$(ipmitool_bmc mc info | sed -n 's/^Firmware Revision *: *//p')
[ -n "$fw" ] || fail "ipmitool reads no firmware revision"
sel=$(ipmitool_bmc sel list | grep -c .)

expect_status 0 "$EVENTDRILL" inspect "$WORK/fleet.json" --out "$WORK/on" --quiet
$PY - "$WORK/on/inspection.json" "$fw" "$sel" <<'PYEOF' || fail "the powered-on BMC is not read as ipmitool reads it"
import json, sys
s = json.load(open(sys.argv[1]))["snapshots"][0]
assert s["driver"] == "ipmi" and s["reachable"] is True, s
assert s["power"] == "on", s
assert s["firmware"]["bmc"] == sys.argv[2], (s["firmware"], sys.argv[2])
t = [x for x in s["sensors"] if x["name"] == "MBTemp"]
assert len(t) == 1 and t[0]["kind"] == "temperature" and t[0]["reading"] == 40, t
assert t[0]["upper_critical"] == 144 and t[0]["upper_warning"] == 112, t
assert len(s["log"]) == int(sys.argv[3]), (s["log"], sys.argv[3])
assert s["read"] == {"power": "on", "sensors": 1}, s["read"]
assert s["latency_ms"]["samples"] >= 1 and s["requests"] >= 4, s
assert "gaps" not in s, s["gaps"]
PYEOF

ipmitool_bmc chassis power off >/dev/null || fail "ipmitool could not power off"
expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --out "$WORK/off" --quiet
$PY - "$WORK/off/inspection.json" <<'PYEOF' || fail "the powered-off BMC is not read as off"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["snapshots"][0]
assert s["power"] == "off", s
assert [f["rule"] for f in d["findings"]] == ["power-off"], d["findings"]
PYEOF
pass "inspect reads an IPMI BMC through the driver's collection: power, firmware, sensors, SEL"
