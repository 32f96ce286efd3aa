#!/bin/bash
# The simulator frees what a hang holds: requests held by the hang knob
# whose clients give up are closed (no socket left in CLOSE_WAIT, the
# descriptor count comes back to where it was); turning the hang off lets
# go of the held requests still open; and at its descriptor limit
# (prlimit) it refuses new connections with a 503 or a close, says so in
# its status and on stderr, and serves again once clients leave.
source "$(dirname "$0")/sim_lib.sh"
command -v prlimit >/dev/null || fail "prlimit (util-linux) is not installed"
A=127.0.62.1

# start_sim [PRLIMIT-ARGS...] -- SIM-ARGS...: like sim_start, under prlimit.
start_sim() {
  local pre=()
  while [ "$1" != -- ]; do pre+=("$1"); shift; done
  shift
  prlimit "${pre[@]}" "$SIM" "$@" >"$D/sim.out" 2>"$D/sim.err" &
  SIM_PID=$!
  for _ in $(seq 1 200); do
    grep -q "serving" "$D/sim.out" 2>/dev/null && break
    kill -0 "$SIM_PID" 2>/dev/null || fail "eventdrill-sim exited at start"
    sleep 0.05
  done
  grep -q "serving" "$D/sim.out" || fail "no readiness line within 10 s"
  CONTROL=$(grep -o 'control http://[0-9.:]*' "$D/sim.out" | cut -d' ' -f2)
  URL=$(ctl GET /status | $PY -c 'import json,sys; print(json.load(sys.stdin)["bmcs"][0]["url"])')
  PORT=${URL##*:}
}
fds() { ls "/proc/$SIM_PID/fd" | wc -l; }
# close_wait: the simulator's sockets in CLOSE_WAIT on the BMC's port.
close_wait() {
  $PY - "$PORT" <<'PY'
import sys
port = int(sys.argv[1])
n = 0
for f in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        rows = open(f).read().splitlines()[1:]
    except OSError:
        continue
    for r in rows:
        c = r.split()
        if int(c[1].split(":")[1], 16) == port and c[3] == "08":
            n += 1
print(n)
PY
}
# wait_fds MAX: until the simulator holds at most MAX descriptors (10 s).
wait_fds() {
  for _ in $(seq 1 200); do
    [ "$(fds)" -le "$1" ] && return 0
    sleep 0.05
  done
  return 1
}
status() { ctl GET /status | $PY -c "import json,sys; s=json.load(sys.stdin); print($1)"; }

# ---- hang on: clients that give up leave nothing behind -----------------
start_sim --nofile=4096:4096 -- --bmcs 1 --address $A --port 0 \
  --control 127.0.0.1:0 --seed 1
curl -sf -o /dev/null "$URL/redfish/v1" || fail "no answer before the hang"
sleep 0.3
base=$(fds)
ctl POST /knobs '{"hang": true}' >/dev/null
$PY - $A "$PORT" <<'PY' || fail "the hung clients"
import socket, sys, time
addr = (sys.argv[1], int(sys.argv[2]))
for rnd in range(3):
    socks = []
    for i in range(100):
        s = socket.create_connection(addr, timeout=5)
        s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    time.sleep(0.3)
    for s in socks:
        s.settimeout(0.01)
        try:
            got = s.recv(100)
            assert not got, "a hung request was answered: %r" % got
        except socket.timeout:
            pass
        s.close()  # the client gives up
print("300 clients sent a request that hung, and gave up")
PY
wait_fds $((base + 2)) || fail "descriptors: $base before, $(fds) after 300 hung clients gave up"
[ "$(close_wait)" -eq 0 ] || fail "$(close_wait) sockets left in CLOSE_WAIT"
hangs=$(status 's["bmcs"][0]["hangs"]')
[ "$hangs" -ge 300 ] || fail "only $hangs hangs counted"
expect_eq "requests in flight once the clients left" "$(status 's["bmcs"][0]["in_flight"]')" 0
echo "ok: $hangs hung requests, descriptors $base before and $(fds) after"

# ---- hang off: what is still held is let go ----------------------------
$PY - $A "$PORT" "$CONTROL" <<'PY' || fail "held requests after the hang ended"
import socket, sys, time, urllib.request
addr = (sys.argv[1], int(sys.argv[2]))
socks = []
for i in range(20):
    s = socket.create_connection(addr, timeout=5)
    s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
time.sleep(0.3)
req = urllib.request.Request(sys.argv[3] + "/knobs", data=b'{"hang": false}',
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=5).read()
for s in socks:
    s.settimeout(5)
    got = s.recv(100)  # the simulator closed its side: EOF
    assert got == b"" or got.startswith(b"HTTP/1.1 "), got
    s.close()
print("20 held requests let go when the hang ended")
PY
wait_fds $((base + 2)) || fail "descriptors: $base before, $(fds) after the hang ended"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/redfish/v1")
expect_eq "an answer once the hang is off" "$code" 200
sim_stop

# ---- a low descriptor limit: refused, not dead ---------------------------
start_sim --nofile=100:100 -- --bmcs 1 --address $A --port 0 \
  --control 127.0.0.1:0 --seed 1
limit=$(status 's["connections"]["limit"]')
[ "$limit" -gt 0 ] && [ "$limit" -lt 100 ] || fail "connection limit $limit"
$PY - $A "$PORT" "$limit" "$CONTROL" <<'PY' || fail "refusal at the limit"
import json, socket, sys, time, urllib.request
addr, limit, control = (sys.argv[1], int(sys.argv[2])), int(sys.argv[3]), sys.argv[4]
socks = [socket.create_connection(addr, timeout=5) for _ in range(limit + 30)]
time.sleep(0.5)
refused = 0
for s in socks:
    s.settimeout(0.05)
    try:
        got = s.recv(200)
        assert got == b"" or got.startswith(b"HTTP/1.1 503"), got
        refused += 1
    except socket.timeout:
        pass          # accepted, waiting for a request
    except ConnectionResetError:
        refused += 1  # closed at once
st = json.load(urllib.request.urlopen(control + "/status", timeout=5))
c = st["connections"]
assert c["at_limit"] and c["open"] == limit, c
assert c["refused"] >= 30 and refused >= 30, (c, refused)
assert st["bmcs"][0]["refused"] == c["refused"], st["bmcs"][0]
for s in socks:
    s.close()
print("%d connections kept, %d refused (status: %s)" % (limit, refused, c))
PY
grep -q "refusing new ones with 503" "$D/sim.err" || fail "nothing said on stderr"
kill -0 "$SIM_PID" || fail "the simulator died at its limit"
for _ in $(seq 1 100); do
  [ "$(status 's["connections"]["open"]')" -eq 0 ] && break
  sleep 0.05
done
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/redfish/v1")
expect_eq "served again once clients left" "$code" 200
expect_eq "at the limit after they left" "$(status 's["connections"]["at_limit"]')" False
sim_stop
echo "sim_hang_fds: ok"
