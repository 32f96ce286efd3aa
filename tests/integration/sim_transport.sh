#!/bin/bash
# The simulator's HTTP/1.1 transport: keep-alive, pipelining order,
# Content-Length, HEAD, OData-Version and Date, malformed and oversized
# requests, ports mode.
source "$(dirname "$0")/sim_lib.sh"
A=127.0.61.1
sim_start --bmcs 2 --address $A --port 18001 --control 127.0.0.1:0 --seed 1
U=http://$A:18001/redfish/v1

# Keep-alive: three requests, one connection.
n=$(curl -s -w '%{num_connects}\n' -o /dev/null -o /dev/null -o /dev/null $U $U $U | paste -sd,)
expect_eq "connections opened for 3 requests" "$n" "1,0,0"

# Headers of an answer.
curl -sS -D "$D/h" -o "$D/b" $U
grep -qi '^OData-Version: 4.0' "$D/h" || fail "no OData-Version"
grep -qi '^Date: ' "$D/h" || fail "no Date"
cl=$(grep -i '^Content-Length:' "$D/h" | tr -dc 0-9)
expect_eq "Content-Length matches the body" "$cl" "$(stat -c %s "$D/b")"
$PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$D/b" || fail "body is not JSON"

# HEAD: same Content-Length, no body.
hl=$(curl -sS -I $U | grep -i '^Content-Length:' | tr -dc 0-9)
expect_eq "HEAD Content-Length" "$hl" "$cl"

# Pipelining: the first request is slow (latency knob), the next two are
# fast, yet the answers come back in request order on one connection.
ctl POST /knobs '{"bmc": 0, "latency": "300ms"}' >/dev/null
$PY - $A 18001 <<'PY' || fail "pipelining"
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /redfish/v1/NoSuchThing HTTP/1.1\r\nHost: x\r\n\r\n"
          b"HEAD /redfish/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
t = time.time(); data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
# Walk the answers by their Content-Length (HEAD has no body).
st, i = [], 0
for head_req in (False, False, True):
    j = data.index(b"\r\n\r\n", i)
    hdr = data[i:j].decode()
    st.append(int(hdr.split()[1]))
    cl = int([l for l in hdr.split("\r\n") if l.lower().startswith("content-length")][0].split(":")[1])
    i = j + 4 + (0 if head_req else cl)
assert i == len(data), ("trailing bytes", len(data) - i)
assert st[0] == 200 and st[2] == 200 and st[1] in (401, 404), st
assert time.time() - t >= 0.29
print("ok: pipelined answers in order:", st)
PY
ctl POST /knobs '{"bmc": 0, "latency": 0}' >/dev/null

# A malformed request gets 400 and the connection closes.
$PY - $A 18001 <<'PY' || fail "malformed request"
import socket, sys
def ask(raw):
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    s.sendall(raw); data = b""
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
    return data.split(b"\r\n")[0]
assert ask(b"NOT HTTP AT ALL\r\n\r\n") == b"HTTP/1.1 400 Bad Request"
big = b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
assert ask(big).startswith(b"HTTP/1.1 431"), ask(big)
body = b"POST /redfish/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n" + b"x" * 2000000
assert ask(body).startswith(b"HTTP/1.1 413")
print("ok: 400, 431, 413")
PY

# The second BMC answers on its own address.
expect_eq "BMC 1 answers" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.61.2:18001/redfish/v1)" 200
sim_stop

# Ports mode: consecutive ports of one address.
sim_start --bmcs 3 --mode ports --address 127.0.0.1 --port 18011
grep -q "http://127.0.0.1:18011 ... http://127.0.0.1:18013" "$D/sim.out" || fail "ports line"
expect_eq "third port answers" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18013/redfish/v1)" 200
sim_stop
echo PASS
