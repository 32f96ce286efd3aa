#!/usr/bin/env bash
# eventdrill inspect against a fleet of simulated BMCs, some made unhealthy
# on purpose, plus one OpenIPMI ipmi_sim: each planted problem is found with
# its severity, nothing is found on the healthy BMCs, and the simulator's
# access log shows that no request could change state.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/ipmi_lib.sh"
SIM="$ED_BIN/eventdrill-sim"

# BMC i of the simulator; the planted problems go in at start ("changes").
cat >"$WORK/sim.json" <<'JSON'
{
  "bmcs": 9,
  "listen": { "mode": "ports", "address": "127.0.0.1", "port": 0 },
  "user": "admin",
  "password_env": "SIM_PW",
  "control": "127.0.0.1:0",
  "access_log": true,
  "per_bmc": { "6": { "latency": "300ms" } },
  "changes": [
    { "op": "sensor", "bmc": 2, "name": "CPU1 Temp", "value": 80 },
    { "op": "patch", "bmc": 3, "path": "/redfish/v1/Chassis/1/Power",
      "pointer": "/PowerSupplies/1/Status/Health", "value": "Critical" },
    { "op": "patch", "bmc": 4, "path": "/redfish/v1/Managers/1",
      "pointer": "/FirmwareVersion", "value": "2.9.0" },
    { "op": "sel", "bmc": 5, "severity": "Critical",
      "message": "PSU2 failure detected" },
    { "op": "down", "bmc": 7 },
    { "op": "clock", "bmc": 8, "offset": "-120s" }
  ]
}
JSON
export SIM_PW=sim-secret-pw
"$SIM" --config "$WORK/sim.json" >"$WORK/sim.out" 2>"$WORK/access.log" &
SIM_PID=$!
cleanup_hooks+=("kill $SIM_PID 2>/dev/null; wait $SIM_PID 2>/dev/null")
for _ in $(seq 1 100); do
  grep -q serving "$WORK/sim.out" 2>/dev/null && break
  sleep 0.1
done
grep -q serving "$WORK/sim.out" || fail "the simulator did not start"
CONTROL=$(grep -o 'control http://[0-9.:]*' "$WORK/sim.out" | cut -d' ' -f2)
curl -fsS "$CONTROL/status" >"$WORK/status.json"

bmc_start
export BMC_CRED="admin:${BMC_ADMIN_PW:-secret}"
export SIM_CRED="admin:$SIM_PW"

# The inventory: the 9 simulated BMCs and the IPMI one.
$PY - "$WORK/status.json" "$BMC_HOST" >"$WORK/fleet.json" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
roles = ["db", "db", "web", "web", "web", "db", "web", "db", "web"]
devices = {}
for b in status["bmcs"]:
    i = b["index"]
    devices["bmc%d" % i] = {
        "driver": "redfish", "url": b["url"], "auth": "basic",
        "credentials": "env:SIM_CRED", "timeout": "3s",
        "labels": {"site": "lab", "rack": "r%d" % (i // 3), "role": roles[i]}}
devices["ipmi1"] = {
    "driver": "ipmi", "host": sys.argv[2], "credentials": "env:BMC_CRED",
    "workarounds": ["opensesspriv"], "labels": {"site": "lab", "role": "db"}}
print(json.dumps({"name": "lab-fleet", "devices": devices}, indent=1))
PY

expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --out "$WORK/out" \
  >"$WORK/inspect.out" 2>"$WORK/inspect.err"
cat "$WORK/inspect.out"
grep -q "report: $WORK/out/inspection.html" "$WORK/inspect.out" ||
  fail "the report's path is not printed"

$PY - "$WORK/out/inspection.json" <<'PY' || fail "inspection.json"
import json, sys
d = json.load(open(sys.argv[1]))
found = {(f["device"], f["rule"]): f["severity"] for f in d["findings"]}
planted = {
    ("bmc2", "sensor-margin"): "warning",
    ("bmc3", "psu-failed"): "critical",
    ("bmc3", "psu-redundancy"): "high",
    ("bmc3", "health-critical"): "critical",  # the chassis' rollup
    ("bmc4", "firmware-outlier"): "warning",
    ("bmc5", "log-critical"): "high",
    ("bmc6", "slow-device"): "warning",
    ("bmc7", "unreachable"): "critical",
    ("bmc8", "clock-drift"): "warning",
}
bad = []
for k, sev in planted.items():
    if found.get(k) != sev:
        bad.append("%s %s: expected %s, got %s" % (k[0], k[1], sev, found.get(k)))
for f in d["findings"]:
    if f["device"] in ("bmc0", "bmc1"):
        bad.append("finding on a healthy BMC: %s" % f)
    if (f["device"], f["rule"]) not in planted and f["severity"] != "notice":
        bad.append("unexpected finding: %s" % f)
snaps = {s["device"]: s for s in d["snapshots"]}
ipmi = snaps["ipmi1"]
if not ipmi["reachable"] or ipmi.get("power") != "on":
    bad.append("ipmi1 not read: %s" % ipmi)
if not ipmi.get("sensors"):
    bad.append("ipmi1: no sensor read")
if abs(snaps["bmc8"]["clock_offset_s"] + 120) > 3:
    bad.append("bmc8 clock offset %s" % snaps["bmc8"]["clock_offset_s"])
if d["counts"]["critical"] < 3:
    bad.append("counts: %s" % d["counts"])
if bad:
    print("\n".join(bad)); sys.exit(1)
print("PASS: %d findings as planted" % len(d["findings"]))
PY

# What ipmitool reads from the same BMC: the same sensor names.
ipmitool_bmc sdr list full 2>/dev/null | cut -d'|' -f1 |
  sed 's/ *$//' | sort >"$WORK/ipmitool.sensors"
$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
s=[x for x in d["snapshots"] if x["device"]=="ipmi1"][0]
print("\n".join(sorted(x["name"] for x in s["sensors"] if x["upper_critical"] is not None or x["reading"] is not None)))' \
  "$WORK/out/inspection.json" >"$WORK/driver.sensors"
[ -s "$WORK/ipmitool.sensors" ] || fail "ipmitool read no sensor"
while read -r name; do
  grep -qx "$name" "$WORK/driver.sensors" || fail "sensor $name read by ipmitool, not by inspect"
done <"$WORK/ipmitool.sensors"

# Read-only: the simulator saw only GET and HEAD.
$PY - "$WORK/access.log" <<'PY' || fail "a state-changing request reached the simulator"
import json, sys
n = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    e = json.loads(line)
    if "method" not in e:
        continue
    n += 1
    if e["method"] not in ("GET", "HEAD"):
        print("state-changing request:", e); sys.exit(1)
if n == 0:
    print("empty access log"); sys.exit(1)
print("PASS: %d requests, all read-only" % n)
PY

# The report: verdict, the ranked findings, the measures, each device.
md="$WORK/out/inspection.md"
grep -q "Device Health Check Report: lab-fleet" "$md" || fail "report title"
grep -q "not ready: " "$md" || fail "report verdict"
grep -q "Measures before the event" "$md" || fail "measures section"
grep -q "Replace the power supply" "$md" || fail "PSU measure"
grep -q "Device bmc7" "$md" || fail "per-device detail"
[ "$(grep -n 'critical' "$md" | head -1 | cut -d: -f1)" -lt \
  "$(grep -n '| warning' "$md" | head -1 | cut -d: -f1)" ] ||
  fail "findings are not ranked by risk"
grep -q "<h1>" "$WORK/out/inspection.html" || fail "HTML report"
if grep -q "$SIM_PW\|${BMC_ADMIN_PW:-secret-not-set}" "$WORK/out"/*; then
  fail "a password is in the evidence"
fi

# The terminal ends with the verdict; piped, it carries no colour.
tail -1 "$WORK/inspect.out" | grep -Eq '^Verdict: not ready: [0-9]+ critical, [0-9]+ high, [0-9]+ warning, [0-9]+ notice$' ||
  fail "the terminal's last line is not the verdict: $(tail -1 "$WORK/inspect.out" | od -c | head -3)"
grep -q $'\e' "$WORK/inspect.out" && fail "colour on a pipe"
pass "the terminal's last line is the verdict, uncoloured on a pipe"

# Clocks: a whole-second DateTime is known to +-0.5 s plus half the round
# trip; the BMCs in sync read so (never a false -0.9 s), bmc8 (-120 s) not.
$PY - "$WORK/out/inspection.json" "$md" <<'PY' || fail "clock offsets"
import json, re, sys
d = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
for s in d["snapshots"]:
    name = s["device"]
    if not name.startswith("bmc") or not s["reachable"]:
        continue
    off, unc = s["clock_offset_s"], s["clock_uncertainty_s"]
    assert 0.5 <= unc < 2, (name, unc)
    row = [l for l in md.split("\n") if l.startswith("| %s |" % name)]
    assert len(row) == 1, (name, row)
    if name == "bmc8":
        assert abs(off + 120) <= unc + 0.5, (name, off, unc)
        assert re.search(r"\| -1[12][0-9] s \(± [01]\.[0-9] s\) \|", row[0]), row[0]
    else:
        assert abs(off) <= unc, "%s: %+.3f s off, uncertainty %.3f s" % (name, off, unc)
        assert "| in sync (to the second) |" in row[0], row[0]
print("PASS: clocks in sync to the second; bmc8 %+.1f s" %
      [s for s in d["snapshots"] if s["device"] == "bmc8"][0]["clock_offset_s"])
PY

# Findings link to their device's section (HTML and Markdown); names never
# break; severities coloured in HTML with the word kept.
$PY - "$WORK/out/inspection.html" "$md" <<'PY' || fail "report links and colours"
import re, sys
html, md = open(sys.argv[1]).read(), open(sys.argv[2]).read()
ids = set(re.findall(r'<h2 id="([^"]+)">Device ', html))
assert "device-bmc3" in ids and "device-ipmi1" in ids, ids
hrefs = re.findall(r'<td class="name"><a href="#([^"]+)">([^<]+)</a></td>', html)
assert hrefs, "no finding links to its device"
for target, name in hrefs:
    assert target == "device-" + name and target in ids, (target, name)
assert re.search(r"td\.name\{white-space:nowrap\}", html), "device names may wrap"
for sev, word in (("critical", "critical"), ("high", "high"), ("warning", "warning")):
    assert '<td class="sev-%s">%s</td>' % (sev, word) in html, sev
assert re.search(r"\.sev-critical\{background:#c62828", html), "critical not red"
assert re.search(r"\.sev-high\{background:#ef6c00", html), "high not orange"
assert re.search(r"\.sev-warning\{background:#fdd835", html), "warning not yellow"
mdl = re.findall(r"\| \[([^\]]+)\]\(#([^)]+)\) \|", md)
assert mdl, "no Markdown finding links to its device"
for name, target in mdl:
    assert target == "device-" + name, (name, target)
    assert '<a id="%s"></a>\n\n## Device %s' % (target, name) in md, name
print("PASS: %d HTML and %d Markdown links to device sections" % (len(hrefs), len(mdl)))
PY

# Colour when asked for (--color always), the verdict line alone on stdout
# with --quiet.
expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --label role=web \
  --out "$WORK/web-color" --quiet --color always >"$WORK/color.out" 2>/dev/null
[ "$(wc -l <"$WORK/color.out")" = 1 ] || fail "--quiet printed $(wc -l <"$WORK/color.out") lines"
grep -q $'^\e\\[1m\e\\[1;31mVerdict: not ready: .*\e\\[0m$' "$WORK/color.out" ||
  fail "the verdict is not red with --color always: $(od -c "$WORK/color.out" | head -3)"
pass "the verdict in red with --color always; --quiet prints it alone"

# A label filter reads only those devices.
expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --label role=web \
  --out "$WORK/web" --quiet
$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
names=sorted(s["device"] for s in d["snapshots"])
assert names==["bmc2","bmc3","bmc4","bmc6","bmc8"], names' \
  "$WORK/web/inspection.json" || fail "--label role=web"
pass "inspect finds every planted problem, read-only"
