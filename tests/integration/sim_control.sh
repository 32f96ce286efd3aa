#!/bin/bash
# The control channel and the fault knobs, end to end: status, errors with
# Retry-After, resets, hangs, a BMC down then back, capacity queueing.
source "$(dirname "$0")/sim_lib.sh"
A=127.0.63.1
U=http://$A:18003/redfish/v1
sim_start --bmcs 3 --address $A --port 18003 --control 127.0.0.1:0 --seed 5
[ -n "$CONTROL" ] || fail "no control URL on the start line"

st=$(ctl GET /status)
expect_eq "status count" "$(echo "$st" | $PY -c 'import json,sys; print(json.load(sys.stdin)["count"])')" 3
expect_eq "status url of BMC 2" "$(echo "$st" | $PY -c 'import json,sys; print(json.load(sys.stdin)["bmcs"][2]["url"])')" "http://127.0.63.3:18003"

# All errors, 503 with Retry-After, on BMC 0 only.
ctl POST /knobs '{"bmc": 0, "error_rate": 1}' | grep -q '"ok"' || fail "knobs"
curl -s -D "$D/h" -o /dev/null $U
head -1 "$D/h" | grep -q " 503 " || fail "expected 503, got $(head -1 "$D/h")"
grep -qi '^Retry-After: ' "$D/h" || fail "503 without Retry-After"
expect_eq "BMC 1 unaffected" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.63.2:18003/redfish/v1)" 200
# 20% errors with status 500 over 400 requests: within 4.5 sigma (+-36).
ctl POST /knobs '{"bmc": 0, "error_rate": 0.2, "error_status": 500}' >/dev/null
n500=$(for i in $(seq 400); do echo "url = \"$U\""; echo "-o /dev/null"; done |
  curl -s -K - -w '%{http_code}\n' | grep -c '^500$' || true)
[ "$n500" -ge 44 ] && [ "$n500" -le 116 ] || fail "20% errors: $n500 of 400"
echo "ok: $n500 of 400 answers were 500 (20% configured)"
ctl POST /knobs '{"bmc": "all", "clear": true}' >/dev/null

# Resets: the connection is reset instead of answered (curl exit 56).
ctl POST /knobs '{"bmc": 1, "reset_rate": 1}' >/dev/null
rc=0; curl -s -o /dev/null http://127.0.63.2:18003/redfish/v1 || rc=$?
expect_eq "reset (curl exit)" "$rc" 56

# Hangs: accepted, never answered (curl times out, exit 28).
ctl POST /knobs '{"bmc": 1, "reset_rate": 0, "hang": true}' >/dev/null
rc=0; curl -s -m 1 -o /dev/null http://127.0.63.2:18003/redfish/v1 || rc=$?
expect_eq "hang (curl exit)" "$rc" 28
ctl POST /knobs '{"bmc": 1, "hang": false}' >/dev/null

# Down for 1 s: connection refused (exit 7), then back with its state.
ctl POST /down '{"bmc": 2, "for": "1s"}' | grep -q '"ok"' || fail "down"
rc=0; curl -s -o /dev/null http://127.0.63.3:18003/redfish/v1 || rc=$?
expect_eq "down (curl exit)" "$rc" 7
up=$(ctl GET /status | $PY -c 'import json,sys; print(json.load(sys.stdin)["bmcs"][2]["up"])')
expect_eq "status says down" "$up" False
sleep 1.3
expect_eq "back after 1 s" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.63.3:18003/redfish/v1)" 200
# Down until "up".
ctl POST /down '{"bmc": 2}' >/dev/null
rc=0; curl -s -o /dev/null http://127.0.63.3:18003/redfish/v1 || rc=$?
expect_eq "down until up" "$rc" 7
ctl POST /up '{"bmc": 2}' >/dev/null
expect_eq "up again" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.63.3:18003/redfish/v1)" 200

# Capacity: 1 worker, 200 ms each; 4 parallel requests take ~800 ms and
# the last one waits ~600 ms in the queue.
ctl POST /knobs '{"bmc": 0, "capacity": 1, "latency": "200ms"}' >/dev/null
$PY - $A 18003 "$CONTROL" <<'PY' || fail "capacity queueing"
import socket, sys, time, threading, json, urllib.request
times = []
def one():
    t = time.time()
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while s.recv(65536): pass
    times.append(time.time() - t)
th = [threading.Thread(target=one) for _ in range(4)]
for x in th: x.start()
time.sleep(0.1)
st = json.load(urllib.request.urlopen(sys.argv[3] + "/status"))["bmcs"][0]
assert st["busy"] == 1 and st["queued"] == 3, st
for x in th: x.join()
times.sort()
print("ok: response times", [round(x, 2) for x in times])
assert 0.18 <= times[0] <= 0.35 and 0.75 <= times[-1] <= 1.0, times
PY

# Bad commands are refused with the key named.
ctl POST /knobs '{"bmc": 0, "error_rate": 2}' | grep -q 'error_rate' || fail "bad knob"
ctl POST /knobs '{"bmc": 9}' | grep -q 'bmc' || fail "bad bmc"
ctl POST /knobs '{"jitter": 1}' | grep -q "jitter" || fail "unknown key"
expect_eq "unknown path" "$(curl -s -o /dev/null -w '%{http_code}' $CONTROL/nope)" 404
sim_stop
echo PASS
