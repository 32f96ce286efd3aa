#!/usr/bin/env bash
# The IPMI driver against OpenIPMI's ipmi_sim (a real RMCP+ BMC on loopback),
# through `eventdrill verify|rehearse` with small scenarios, cross-checked
# with ipmitool and FreeIPMI's tools on the same BMC:
#  - power state, sensor reading and thresholds, SEL count and entries,
#    device id read by the driver equal what both tools read;
#  - verify refuses "power": the plan's step says "not sent: verify mode",
#    proven to be able to run (an admin session opens, the chassis answers);
#    and a user-level session cannot run it; ipmi_sim's chassis control was
#    never asked to set power;
#  - power off then on through the driver: ipmitool reads off, then on;
#  - power cycle through the driver: it reads off, then ipmitool reads on;
#  - wrong password, wrong user, no open-session-privilege workaround, a
#    port where no BMC listens: the run stops before it starts (exit 4, the
#    driver logs in at start like every driver), the journal's error names
#    the target and the class, within the configured session timeout, and
#    no secret in any output; a privilege too low for power: the power off
#    is refused by the BMC.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/ipmi_lib.sh"
. "$(dirname "$0")/drill_lib.sh"
bmc_start
export IPMI_CREDS=admin:secret
# scen NAME: the test's copy of a scenario, with the BMC's address
scen() {
  sed -e "s/@HOST@/$BMC_HOST/" "$SCEN/$1.json" >"$WORK/$1.json"
  echo "$WORK/$1.json"
}
cross=$(scen ipmi-crosscheck)
off=$(scen ipmi-power-off)

# ---- verify: every read, no power action ------------------------------
v=$WORK/verify
drill_run "$v" verify "$cross"
drill_expect "$v" 0
journal_parses "$v"
grep -q "set power" "$BMC_DIR/control.log" &&
  fail "verify: ipmi_sim was asked to set power: $(cat "$BMC_DIR/control.log")"
# the plan's power on was proven, not sent: an admin session opens and the
# chassis answers
grep -q "not sent: verify mode; would run: a session at privilege admin opens and the chassis answers" \
  "$v/summary.json" || { drill_show "$v"; fail "verify: the power step is not proven"; }
# a session privilege too low for chassis control: the step cannot run
vlow=$WORK/verify-low
sed -e 's/"workarounds"/"privilege": "user", "workarounds"/' "$cross" >"$vlow.json"
IPMI_CREDS=viewer:peek drill_run "$vlow" verify "$vlow.json"
drill_expect "$vlow" 1
grep -q 'cannot run power .*privilege \\"user\\" is below operator' "$vlow/summary.json" ||
  { drill_show "$vlow"; fail "verify: a user-level power step is not refused by the proof"; }
grep -q "set power" "$BMC_DIR/control.log" && fail "verify (user): ipmi_sim was asked to set power"

mkdir -m 700 "$WORK/sdrcache"
FI=$(freeipmi_opts)
ipmitool_bmc chassis power status >"$WORK/it.power"
ipmitool_bmc sdr list >"$WORK/it.sdr"
ipmitool_bmc sensor list >"$WORK/it.sensor"
ipmitool_bmc sel info >"$WORK/it.selinfo"
ipmitool_bmc sel list >"$WORK/it.sel"
ipmitool_bmc mc info >"$WORK/it.mc"
ipmi-power $FI --stat >"$WORK/fi.power"
ipmi-sensors $FI --sdr-cache-directory "$WORK/sdrcache" --quiet-cache \
  --comma-separated-output --no-header-output >"$WORK/fi.sensors"
ipmi-sel $FI --sdr-cache-directory "$WORK/sdrcache" --quiet-cache \
  --comma-separated-output --no-header-output >"$WORK/fi.sel"
bmc-info $FI --get-device-id >"$WORK/fi.mc"

$PY - "$v" "$WORK" <<'PYEOF' || { drill_show "$v"; fail "driver and tools disagree"; }
import json, re, sys
d, w = sys.argv[1], sys.argv[2]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
val = {}
for e in ev:
    if e["ev"] == "check" and e["by"] == "before":
        assert e["ok"], e
        val[e["check"]] = json.loads(e["value"])
rd = lambda n: open(w + "/" + n).read()
# power
it = re.search(r"Chassis Power is (\w+)", rd("it.power")).group(1)
fi = re.search(r": (\w+)\s*$", rd("fi.power")).group(1)
assert val["power"] == it == fi == "on", (val["power"], it, fi)
# sensors: reading, unit, state, thresholds
m = re.search(r"^MBTemp\s*\|\s*([-\d.]+) degrees C\s*\|\s*(\w+)", rd("it.sdr"), re.M)
it_reading, it_state = float(m.group(1)), m.group(2)
row = [c.strip() for c in next(l for l in rd("it.sensor").splitlines()
                               if l.startswith("MBTemp")).split("|")]
it_th = dict(zip(["lnr", "lc", "lnc", "unc", "uc", "unr"], row[4:10]))
it_th = {k: float(x) for k, x in it_th.items() if x != "na"}
fi_row = next(l.split(",") for l in rd("fi.sensors").splitlines() if ",MBTemp," in l)
fi_reading = float(fi_row[3])
assert val["temp"] == it_reading == fi_reading, (val["temp"], it_reading, fi_reading)
s, = [x for x in val["sensors"] if x["name"] == "MBTemp"]
assert s["reading"] == it_reading and s["type"] == "Temperature" == fi_row[2], s
assert s["unit"] == "degrees C" and s["state"] == it_state == "ok", s
assert {k: float(x) for k, x in s["thresholds"].items()} == it_th, (s, it_th)
assert val["temperatures"] == [s], val["temperatures"]
# SEL
it_count = int(re.search(r"Entries\s*:\s*(\d+)", rd("it.selinfo")).group(1))
it_lines = [l for l in rd("it.sel").splitlines() if l.strip()]
fi_lines = [l for l in rd("fi.sel").splitlines() if l.strip()]
assert val["sel-count"] == it_count == len(it_lines) == len(fi_lines) == len(val["sel-list"]), \
    (val["sel-count"], it_count, it_lines, fi_lines)
for mine, theirs in zip(val["sel-list"], it_lines):
    c = [x.strip() for x in theirs.split("|")]
    assert int(c[0], 16) == mine["id"], (mine, c)
    assert c[3] == "%s #0x%02x" % (mine["sensor_type"], mine["sensor_number"]), (mine, c)
    assert c[5] == ("Asserted" if mine["direction"] == "assertion" else "Deasserted"), (mine, c)
# device id
mc = rd("it.mc")
g = lambda k: re.search(r"^%s\s*:\s*(\S+)" % k, mc, re.M).group(1)
dv = val["device"]
assert dv["device_id"] == int(g("Device ID")), dv
assert dv["device_revision"] == int(g("Device Revision")), dv
assert dv["firmware_revision"] == g("Firmware Revision"), dv
assert dv["ipmi_version"] == g("IPMI Version"), dv
assert dv["manufacturer_id"] == int(g("Manufacturer ID")), dv
assert dv["product_id"] == int(g("Product ID")), dv
fm = rd("fi.mc")
assert dv["firmware_revision"] == re.search(r"Firmware Revision\s*:\s*(\S+)", fm).group(1)
assert "(%d)" % dv["manufacturer_id"] in fm and re.search(r"Product ID\s*:\s*%d\b" % dv["product_id"], fm)
# verify left the power action out
s = json.load(open(d + "/summary.json"))
st, = s["drill"]["plans"][0]["steps"]
assert st.get("action", "").startswith("not sent: verify mode; would run: "), st
assert s["drill"]["faults"] == [], s["drill"]["faults"]
print("driver = ipmitool = FreeIPMI: power %s, MBTemp %g %s %s, thresholds %s, "
      "SEL %d, fw %s" % (val["power"], val["temp"], s and "degrees C", it_state,
                         it_th, val["sel-count"], dv["firmware_revision"]))
PYEOF

# ---- power off through the driver, ipmitool reads off -----------------
r=$WORK/off
drill_run "$r" rehearse "$off"
drill_expect "$r" 0
grep -q "set power 0" "$BMC_DIR/control.log" || fail "no power off reached ipmi_sim"
[ "$(ipmitool_bmc chassis power status)" = "Chassis Power is off" ] ||
  fail "ipmitool does not read off after the driver's power off"
ipmi-power $FI --stat | grep -q ": off" || fail "ipmi-power does not read off"

# ---- rehearse: the fault powers off, the plan powers on ---------------
r=$WORK/rehearse
drill_run "$r" rehearse "$cross"
drill_expect "$r" 0
[ "$(ipmitool_bmc chassis power status)" = "Chassis Power is on" ] ||
  fail "ipmitool does not read on after the plan's power on"
[ "$(grep "set power" "$BMC_DIR/control.log" | tail -n 2 | tr '\n' ,)" = \
  "0x20 set power 0,0x20 set power 1," ] ||
  fail "the plan's power on did not reach ipmi_sim: $(cat "$BMC_DIR/control.log")"
pass "power off/on through the driver seen by ipmitool and ipmi-power"

# ---- power cycle through the driver: ipmi_sim powers off, on 1 s later --
f=$WORK/cycle.json
sed -e "s/@HOST@/$BMC_HOST/" -e 's/"power": "off"/"power": "cycle"/' \
  "$SCEN/ipmi-power-off.json" >"$f"
r=$WORK/cycle
drill_run "$r" rehearse "$f"
drill_expect "$r" 0
for _ in $(seq 1 25); do
  [ "$(ipmitool_bmc chassis power status)" = "Chassis Power is on" ] && break
  sleep 0.2
done
[ "$(ipmitool_bmc chassis power status)" = "Chassis Power is on" ] ||
  fail "power cycle: ipmitool does not read on again within 5 s"
[ "$(grep "set power" "$BMC_DIR/control.log" | tail -n 2 | tr '\n' ,)" = \
  "0x20 set power 0,0x20 set power 1," ] ||
  fail "power cycle: ipmi_sim did not see off then on: $(cat "$BMC_DIR/control.log")"
pass "power cycle through the driver: read off, then on again (ipmitool)"

# ---- classified errors ------------------------------------------------
# bad NAME EXPECT_CLASS DETAIL_REGEX SED...: verify a variant of the
# crosscheck scenario; its target must fail to start (exit 4, nothing run)
# with that class, in time (judged from the journal's own clock).
bad() {
  local name=$1 cls=$2 rx=$3; shift 3
  local f=$WORK/$name.json
  sed -e "s/@HOST@/$BMC_HOST/" "$@" "$SCEN/ipmi-crosscheck.json" >"$f"
  local o=$WORK/$name
  drill_run "$o" verify "$f"
  drill_expect "$o" 4
  $PY - "$o" "$cls" "$rx" <<'PYEOF' || { drill_show "$o"; fail "$name"; }
import json, re, sys
d, cls, rx = sys.argv[1:]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
e = next(e for e in ev if e["ev"] == "error" and e.get("target") == "bmc")
assert re.search(r"could not start: %s: %s" % (cls, rx), e["message"]), e["message"]
assert not [x for x in ev if x["ev"] == "check"], "a check ran after a failed start"
# no answer: FreeIPMI gives up after about 1.5 x session_timeout (1 s here)
assert cls != "connect" or e["t"] < 2.5, e
print("%s at %.2f s: %s" % (cls, e["t"], e["message"]))
PYEOF
  grep -rq "Wr0ngPa55" "$o" "$o.out" "$o.err" && fail "$name: the password leaked"
  grep -q "could not start: $cls" "$o.err" || { drill_show "$o"; fail "$name: the terminal does not say why"; }
  return 0
}
IPMI_CREDS=admin:Wr0ngPa55 bad wrong-password auth "password refused"
IPMI_CREDS=nobody:Wr0ngPa55 bad wrong-user auth "user name refused|password refused"
# ipmi_sim needs the opensesspriv workaround for any IPMI 2.0 session
bad no-workaround auth "insufficient privilege: level \"admin\" cannot be obtained.*opensesspriv" \
  -e 's/"workarounds": \["opensesspriv"\]/"workarounds": []/'
# No answer: the session the driver opens at start never opens.
dead=$(free_udp_port)
bad wrong-port connect "no answer" -e "s/$BMC_HOST/127.0.0.1:$dead/" \
  -e 's/"session_timeout": "3s"/"session_timeout": "1s"/' \
  -e 's/"retransmission_timeout": "500ms"/"retransmission_timeout": "250ms"/'
bad no-bmc-at-address connect "no answer" -e "s/$BMC_HOST/127.0.0.2:$BMC_PORT/" \
  -e 's/"session_timeout": "3s"/"session_timeout": "1s"/' \
  -e 's/"retransmission_timeout": "500ms"/"retransmission_timeout": "250ms"/'
# privilege too low for chassis control: a user-level session powers off
f=$WORK/low.json
sed -e "s/@HOST@/$BMC_HOST/" -e 's/"workarounds"/"privilege": "user", "workarounds"/' \
  "$SCEN/ipmi-power-off.json" >"$f"
o=$WORK/low
IPMI_CREDS=viewer:peek drill_run "$o" rehearse "$f"
[ "$status" -ne 0 ] || fail "a user-level power off passed"
grep -rhq "insufficient privilege" "$o/journal.jsonl" "$o.err" ||
  { drill_show "$o"; fail "power with privilege user: no insufficient privilege"; }
[ "$(ipmitool_bmc chassis power status)" = "Chassis Power is on" ] ||
  fail "a user-level session changed the power state"
pass "ipmi crosscheck: reads equal ipmitool and FreeIPMI, verify sends no power, errors classified"
