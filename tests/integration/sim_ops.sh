#!/bin/bash
# The operator's commands end to end through eventdrill-sim: "changes" in
# the configuration applied at start, then POST /sensor, /sel, /patch and
# /clock on the control channel, read back by a Redfish client (health
# following thresholds, a drifting reading, SEL count, ETags, the
# manager's clock); refusals naming the key; a configuration whose changes
# are wrong; and the access log's fields for every request.
source "$(dirname "$0")/sim_lib.sh"
A=127.0.67.1
P=18067
B0=http://127.0.67.1:$P/redfish/v1
B1=http://127.0.67.2:$P/redfish/v1
B2=http://127.0.67.3:$P/redfish/v1
cat >"$D/fleet.json" <<JSON
{"bmcs": 3, "listen": {"address": "$A", "port": $P}, "access_log": true,
 "changes": [
   {"op": "sensor", "bmc": 1, "name": "Inlet Temp", "value": 41},
   {"op": "sel", "bmc": [1, 2], "severity": "Critical",
    "message": "PSU2 failure detected"},
   {"op": "patch", "bmc": 2, "path": "/redfish/v1/Managers/1",
    "pointer": "/FirmwareVersion", "value": "3.1.0"},
   {"op": "clock", "bmc": 2, "offset": "-90s"}
 ]}
JSON
sim_start --config "$D/fleet.json" --control 127.0.0.1:0
[ -n "$CONTROL" ] || fail "no control URL on the start line"

# get URL PYTHON-EXPR: GET with credentials; prints the expression of the
# parsed body j.
get() {
  curl -sS -u admin:password "$1" | $PY -c "import json,sys; j=json.load(sys.stdin); print($2)"
}
sensor() { # sensor BASE ARRAY NAME: "reading health"
  get "$1/Chassis/1/Thermal" "' '.join(str(x) for x in [(e.get('ReadingCelsius', e.get('Reading'))) for e in j['$2'] if e['Name'] == '$3'] + [e['Status']['Health'] for e in j['$2'] if e['Name'] == '$3'])"
}
rollup() { get "$1" "j['Status']['HealthRollup']"; }
count() { get "$1/Managers/1/LogServices/SEL/Entries" "j['Members@odata.count']"; }

# ---- changes at start ----
expect_eq "start: Inlet Temp of BMC 1" "$(sensor $B1 Temperatures 'Inlet Temp')" "41 Warning"
expect_eq "start: Inlet Temp of BMC 0" "$(sensor $B0 Temperatures 'Inlet Temp')" "24 OK"
expect_eq "start: chassis rollup of BMC 1" "$(rollup $B1/Chassis/1)" Warning
expect_eq "start: system rollup of BMC 1" "$(rollup $B1/Systems/1)" Warning
expect_eq "start: SEL of BMC 0" "$(count $B0)" 1
expect_eq "start: SEL of BMC 2" "$(count $B2)" 2
expect_eq "start: firmware of BMC 2" "$(get $B2/Managers/1 "j['FirmwareVersion']")" 3.1.0
expect_eq "start: firmware of BMC 0" "$(get $B0/Managers/1 "j['FirmwareVersion']")" 3.2.0

# clock_skew BASE OFFSET_S: seconds between the manager's clock and
# now + offset, as an integer.
clock_skew() {
  curl -sS -u admin:password "$1/Managers/1" | $PY -c "
import json, sys, datetime
j = json.load(sys.stdin)
assert j['DateTimeLocalOffset'] == '+00:00', j
t = datetime.datetime.fromisoformat(j['DateTime'])
assert t.utcoffset() == datetime.timedelta(0), j['DateTime']
now = datetime.datetime.now(datetime.timezone.utc)
print(round((t - now).total_seconds() - $2))"
}
skew_ok() { # skew_ok WHAT BASE OFFSET_S: within 2 s
  local s
  s=$(clock_skew "$2" "$3")
  [ "$s" -ge -2 ] && [ "$s" -le 2 ] || fail "$1: clock off by $s s"
  echo "ok: $1 within 2 s ($s)"
}
skew_ok "start: clock of BMC 2 (-90s)" $B2 -90
skew_ok "start: clock of BMC 0 (true)" $B0 0

# ---- each op on the control channel ----
ok() { # ok PATH JSON: the command must be accepted
  local r
  r=$(ctl POST "$1" "$2")
  [ "$r" = '{"ok":true}' ] || fail "POST $1 $2: $r"
}
ok /sensor '{"bmc": 0, "name": "CPU1 Temp", "value": 88}'
expect_eq "sensor value" "$(sensor $B0 Temperatures 'CPU1 Temp')" "88 Warning"
ok /sensor '{"bmc": 0, "name": "CPU1 Temp", "jump": 5}'
expect_eq "sensor jump" "$(sensor $B0 Temperatures 'CPU1 Temp')" "93 Critical"
expect_eq "rollup follows" "$(rollup $B0/Systems/1)" Critical
ok /sensor '{"bmc": 0, "name": "CPU1 Temp", "value": 46}'
expect_eq "back to OK" "$(rollup $B0/Chassis/1)" OK
ok /sensor '{"bmc": "all", "name": "Fan2", "value": 1200}'
expect_eq "fan under its lower threshold" "$(sensor $B2 Fans Fan2)" "1200 Warning"

ok /sel '{"bmc": 0, "severity": "Warning", "message": "Fan2 below threshold"}'
expect_eq "sel add" "$(count $B0)" 2
expect_eq "sel entry" "$(get $B0/Managers/1/LogServices/SEL/Entries/2 "j['Severity'] + '|' + j['Message'] + '|' + j['EntryType']")" "Warning|Fan2 below threshold|SEL"
get $B0/Managers/1/LogServices/SEL/Entries/2 "j['Created']" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00$' ||
  fail "sel entry Created is not ISO 8601 with an offset"
ok /sel '{"bmc": 0, "clear": true}'
expect_eq "sel clear" "$(count $B0)" 0

etag() { curl -sS -u admin:password -o /dev/null -D - "$1" | tr -d '\r' | sed -n 's/^ETag: //Ip'; }
e1=$(etag $B1/Chassis/1/Power)
ok /patch '{"bmc": 1, "path": "/redfish/v1/Chassis/1/Power", "pointer": "/PowerSupplies/1/Status/Health", "value": "Critical"}'
e2=$(etag $B1/Chassis/1/Power)
[ -n "$e1" ] && [ "$e1" != "$e2" ] || fail "patch: the ETag did not change ($e1, $e2)"
echo "ok: patch changed the ETag"
expect_eq "patched PSU" "$(get $B1/Chassis/1/Power "j['PowerSupplies'][1]['Status']['Health']")" Critical
expect_eq "failed PSU rolls up" "$(rollup $B1/Chassis/1)" Critical
ok /patch '{"bmc": 1, "path": "/redfish/v1/Chassis/1/Power", "pointer": "/Redundancy/0/Status/Health", "value": "Warning"}'
expect_eq "redundancy" "$(get $B1/Chassis/1/Power "j['Redundancy'][0]['Status']['Health']")" Warning

ok /clock '{"bmc": 1, "offset": "90s"}'
skew_ok "clock +90s" $B1 90
ok /clock '{"bmc": 1, "offset": 0}'
skew_ok "clock put right" $B1 0

# Drift: 10 a second from 50; the reading after ~0.5 s lies between what
# the client's own timings allow.
$PY - "$CONTROL" "$B0" <<'PY' || fail "drift"
import base64, json, sys, time, urllib.request
ctl, base = sys.argv[1], sys.argv[2]
auth = "Basic " + base64.b64encode(b"admin:password").decode()
def post(path, doc):
    r = urllib.request.Request(ctl + path, json.dumps(doc).encode(), method="POST")
    return json.load(urllib.request.urlopen(r, timeout=5))
def reading():
    r = urllib.request.Request(base + "/Chassis/1/Thermal", headers={"Authorization": auth})
    j = json.load(urllib.request.urlopen(r, timeout=5))
    return [t for t in j["Temperatures"] if t["Name"] == "Exhaust Temp"][0]
t0 = time.monotonic()
assert post("/sensor", {"bmc": 0, "name": "Exhaust Temp", "value": 50, "drift": 10}) == {"ok": True}
t1 = time.monotonic()
time.sleep(0.5)
t2 = time.monotonic()
v = reading()["ReadingCelsius"]
t3 = time.monotonic()
lo, hi = 50 + 10 * (t2 - t1) - 0.02, 50 + 10 * (t3 - t0) + 0.02
assert lo <= v <= hi, (v, lo, hi)
print("ok: drift reading %.3f after %.3f s (bounds %.3f..%.3f)" % (v, t2 - t1, lo, hi))
# Past the thresholds as time goes by (Exhaust: 65 Warning, 70 Critical).
assert post("/sensor", {"bmc": 0, "name": "Exhaust Temp", "value": 64.5, "drift": 2}) == {"ok": True}
time.sleep(0.4)
assert reading()["Status"]["Health"] == "Warning"
assert post("/sensor", {"bmc": 0, "name": "Exhaust Temp", "value": 38, "drift": 0}) == {"ok": True}
assert reading()["Status"]["Health"] == "OK"
PY

# ---- refusals ----
refused() { # refused PATH JSON WANT: status 400 and a message holding WANT
  local code
  code=$(curl -s -o "$D/r" -w '%{http_code}' -d "$2" "$CONTROL$1")
  [ "$code" = 400 ] || fail "POST $1 $2: status $code"
  grep -qF "$3" "$D/r" || fail "POST $1 $2: $(cat "$D/r") does not say $3"
  echo "ok: refused: $3"
}
refused /sensor '{"name": "CPU9 Temp", "value": 1}' "name: no sensor named 'CPU9 Temp'"
refused /sensor '{"name": "CPU1 Temp"}' "value: missing"
refused /sel '{"severity": "Fatal", "message": "x"}' 'severity: expected'
refused /patch '{"path": "/redfish/v1/Chassis/1/Power", "pointer": "/PowerSupplies/4/Status", "value": 1}' \
  'pointer: /PowerSupplies/4: no such element (the array has 2)'
refused /patch '{"path": "/redfish/v1/Nope", "pointer": "/Name", "value": 1}' 'path: no resource at /redfish/v1/Nope'
refused /clock '{"bmc": 3, "offset": "1s"}' 'bmc: expected a BMC index below 3'
refused /clock '{"offset": "later"}' 'offset: expected a duration'
refused /sel '{"op": "sel", "message": "x"}' 'without \"op\"'
expect_eq "GET /patch" "$(curl -s -o /dev/null -w '%{http_code}' $CONTROL/patch)" 405
curl -s $CONTROL/nothing | grep -q '/sensor, /sel, /patch, /clock' || fail "404 lists the ops"

# ---- access log ----
# Known traffic: 6 GETs to BMC 0, 2 to BMC 2, one POST (a login) to BMC 2,
# one malformed request to BMC 1 and one cut short by its BMC going down.
sleep 0.2
n0=$(wc -l <"$D/sim.err")
for _ in 1 2 3 4 5 6; do curl -s -o /dev/null -u admin:password $B0/Systems/1; done
curl -s -o /dev/null $B2
curl -s -o /dev/null $B2/Systems
curl -s -o /dev/null -H 'Content-Type: application/json' \
  -d '{"UserName": "admin", "Password": "password"}' $B2/SessionService/Sessions
$PY -c '
import socket
s = socket.create_connection(("127.0.67.2", '"$P"'))
s.sendall(b"NOT HTTP\r\n\r\n")
assert s.recv(4096).startswith(b"HTTP/1.1 400")'
ok /knobs '{"bmc": 1, "latency": "2s"}'
curl -s -m 5 -o /dev/null $B1 &
cpid=$!
sleep 0.3
ok /down '{"bmc": 1}'
wait $cpid || true
ok /up '{"bmc": 1}'
ok /knobs '{"bmc": 1, "clear": true}'
sleep 0.2
tail -n +$((n0 + 1)) "$D/sim.err" >"$D/access.log"
$PY - "$D/access.log" <<'PY' || fail "access log"
import collections, json, sys, time
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert len(lines) == 11, lines
for l in lines:
    for k in ("ts", "bmc", "method", "path", "status", "ms", "fault"):
        assert k in l, (k, l)
    assert abs(l["ts"] - time.time()) < 60, l
    assert isinstance(l["bmc"], int) and isinstance(l["status"], int), l
per_bmc = collections.Counter(l["bmc"] for l in lines)
assert per_bmc == {0: 6, 2: 3, 1: 2}, per_bmc
per_sec = collections.Counter((l["bmc"], int(l["ts"])) for l in lines)
assert sum(n for (b, _), n in per_sec.items() if b == 0) == 6, per_sec
changing = [l for l in lines if l["method"] in ("POST", "PATCH", "PUT", "DELETE")]
assert [(l["bmc"], l["path"], l["status"]) for l in changing] == \
    [(2, "/redfish/v1/SessionService/Sessions", 201)], changing
assert all(l["method"] == "GET" for l in lines if l["bmc"] == 0), lines
bad = [l for l in lines if l["status"] == 400]
assert len(bad) == 1 and bad[0]["bmc"] == 1 and bad[0]["method"] == "?", bad
gone = [l for l in lines if l["fault"] == "aborted"]
assert len(gone) == 1 and gone[0]["bmc"] == 1 and gone[0]["status"] == 0, gone
assert not any("password" in json.dumps(l) for l in lines)
print("ok: access log: %d lines, per BMC %s" % (len(lines), dict(per_bmc)))
PY
sim_stop

# ---- a configuration whose changes are wrong: exit 2, the place named ----
cat >"$D/bad.json" <<JSON
{"bmcs": 2, "listen": {"address": "$A", "port": $P},
 "changes": [
   {"op": "sensor", "bmc": 0, "name": "CPU1 Temp", "value": 70},
   {"op": "sel", "bmc": 1, "message": "fine"},
   {"op": "patch", "bmc": 1, "path": "/redfish/v1/Chassis/1/Power",
    "pointer": "/PowerSupplies/2/Status/Health", "value": "Critical"}
 ]}
JSON
rc=0
"$SIM" --config "$D/bad.json" >/dev/null 2>"$D/bad.err" || rc=$?
expect_eq "bad changes: exit status" "$rc" 2
expect_eq "bad changes: message" "$(head -1 "$D/bad.err")" \
  "eventdrill-sim: $D/bad.json: changes[2].pointer: /PowerSupplies/2: no such element (the array has 2)"
echo PASS
