#!/usr/bin/env bash
# Device text is data, never control: a simulated BMC whose sensor name
# sets the terminal's title and clears its screen (ESC ] 0 ; x BEL ESC [ 2 J)
# and holds <script>, whose power supply and firmware strings do too, is
# inspected. The terminal output and inspection.md hold no raw ESC or BEL
# byte and no raw <script>; they show the text escaped; inspection.html
# keeps it HTML-escaped; inspection.json keeps the exact string.
source "$(dirname "$0")/lib/common.sh"
SIM="$ED_BIN/eventdrill-sim"

cat >"$WORK/sim.json" <<'JSON'
{
  "bmcs": 1,
  "listen": { "mode": "ports", "address": "127.0.0.1", "port": 0 },
  "user": "admin",
  "password_env": "SIM_PW",
  "control": "127.0.0.1:0",
  "changes": [
    { "op": "sensor", "bmc": 0, "name": "CPU1 Temp", "value": 80 },
    { "op": "patch", "bmc": 0, "path": "/redfish/v1/Chassis/1/Thermal",
      "pointer": "/Temperatures/0/Name",
      "value": "CPU1 \u001b]0;x\u0007\u001b[2J<script>alert(1)</script> | *x*" },
    { "op": "patch", "bmc": 0, "path": "/redfish/v1/Chassis/1/Power",
      "pointer": "/PowerSupplies/1/Name", "value": "PSU2 \u001b[31m\u009b2J<b>" },
    { "op": "patch", "bmc": 0, "path": "/redfish/v1/Chassis/1/Power",
      "pointer": "/PowerSupplies/1/Status/Health", "value": "Critical" }
  ]
}
JSON
export SIM_PW=sim-escape-pw
"$SIM" --config "$WORK/sim.json" >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
cleanup_hooks+=("kill $SIM_PID 2>/dev/null; wait $SIM_PID 2>/dev/null")
for _ in $(seq 1 100); do
  grep -q serving "$WORK/sim.out" 2>/dev/null && break
  sleep 0.1
done
grep -q serving "$WORK/sim.out" || fail "the simulator did not start: $(cat "$WORK/sim.err")"
CONTROL=$(grep -o 'control http://[0-9.:]*' "$WORK/sim.out" | cut -d' ' -f2)
URL=$(curl -fsS "$CONTROL/status" | $PY -c 'import json,sys; print(json.load(sys.stdin)["bmcs"][0]["url"])')
export SIM_CRED="admin:$SIM_PW"
cat >"$WORK/fleet.json" <<JSON
{ "name": "hostile-fleet",
  "devices": { "bmc0": { "driver": "redfish", "url": "$URL", "auth": "basic",
                         "credentials": "env:SIM_CRED", "timeout": "3s" } } }
JSON

# The simulator serves the hostile names as they are (the test's premise).
curl -fsS -u "$SIM_CRED" "$URL/redfish/v1/Chassis/1/Thermal" >"$WORK/thermal.json"
grep -qi 'u001b]0;x' "$WORK/thermal.json" ||
  fail "the simulator does not serve the planted sensor name"

status=0
"$EVENTDRILL" inspect "$WORK/fleet.json" --out "$WORK/out" \
  >"$WORK/inspect.out" 2>"$WORK/inspect.err" || status=$?
[ "$status" -eq 1 ] || fail "inspect exited $status: $(cat "$WORK/inspect.err")"

$PY - "$WORK" <<'PY' || fail "device text reached an output raw"
import json, sys
w = sys.argv[1]
name = "CPU1 \x1b]0;x\x07\x1b[2J<script>alert(1)</script> | *x*"
psu = "PSU2 \x1b[31m\u009b2J<b>"
d = json.load(open(w + "/out/inspection.json"))
sensors = [s["name"] for snap in d["snapshots"] for s in snap.get("sensors", [])]
assert name in sensors, ("inspection.json lost the exact name", sensors)
raw = {"terminal": open(w + "/inspect.out", "rb").read() +
                   open(w + "/inspect.err", "rb").read(),
       "inspection.md": open(w + "/out/inspection.md", "rb").read()}
for what, b in raw.items():
    for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\x9b"):
        assert bad not in b, (what, bad, b[:2000])
md = raw["inspection.md"].decode()
assert "<script" not in md and "<b>" not in md, "raw markup in inspection.md"
assert r"CPU1 \x1b\]0;x\x07\x1b\[2J&lt;script&gt;alert(1)&lt;/script&gt; \| \*x\*" in md, md
assert r"PSU2 \x1b\[31m\u009b2J&lt;b&gt;" in md, md
term = raw["terminal"].decode()
assert r"CPU1 \x1b]0;x\x07\x1b[2J<script>" in term, term
html = open(w + "/out/inspection.html").read()
assert "<script" not in html and "&lt;script&gt;" in html, "HTML not escaped"
print("terminal and inspection.md: the planted text shown escaped, never raw")
PY
pass "inspect shows device text escaped on the terminal and in inspection.md"
