#!/usr/bin/env bash
# Every mockup loads and serves: for the default mockup and for each DMTF
# mockup under $ED_SHARED/redfish-mockups/, start eventdrill-sim on it, walk
# every @odata.id reachable from /redfish/v1 (basic auth) and require 200 +
# a JSON object for each. Prints how many resources each walk reached.
# Then a copy of the default mockup with integers wider than 64 bits:
# served, walked, and judged by eventdrill's Redfish driver.
set -euo pipefail

: "${ED_BIN:?ED_BIN must name the folder of eventdrill-sim}"
SIM="$ED_BIN/eventdrill-sim"
PY=/usr/bin/python3 # Debian's: the one whose packages the tests rely on
MOCKUPS="${ED_SHARED:-}/redfish-mockups"
READY_S=10
[ "${ED_SANITIZE:-OFF}" = "ON" ] && READY_S=40

D=$(mktemp -d)
SIM_PID=
cleanup() {
  if [ -n "$SIM_PID" ]; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap cleanup EXIT

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1]); s.close()'
}

# start_sim MOCKUP: runs the simulator on a free port of 127.0.0.1 and
# waits for its readiness line; sets SIM_PID and PORT.
start_sim() {
  local mockup=$1 try
  for try in 1 2 3; do # a free port can be taken between probe and bind
    PORT=$(free_port)
    ED_TEST_PW=drill-pw-$$ "$SIM" --bmcs 1 --mode ports --address 127.0.0.1 \
      --port "$PORT" --mockup "$mockup" --user admin \
      --password-env ED_TEST_PW >"$D/out" 2>"$D/err" &
    SIM_PID=$!
    local waited=0
    while [ $waited -lt $((READY_S * 10)) ]; do
      if grep -q '^eventdrill-sim:' "$D/out"; then
        return 0
      fi
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
      waited=$((waited + 1))
    done
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
    echo "start $try on port $PORT failed:" >&2
    cat "$D/err" >&2
  done
  echo "FAIL: eventdrill-sim --mockup $mockup never became ready" >&2
  exit 1
}

stop_sim() {
  kill "$SIM_PID"
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=
}

# walk NAME MIN: prints the number of resources reached; fails on any
# non-200, non-JSON answer, or fewer than MIN resources.
walk() {
  "$PY" - "http://127.0.0.1:$PORT" "drill-pw-$$" "$1" "$2" <<'PYEOF'
import base64, json, sys, urllib.error, urllib.request

base, pw, name, least = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
auth = "Basic " + base64.b64encode(("admin:" + pw).encode()).decode()

def get(path, with_auth=True):
    req = urllib.request.Request(base + path)
    if with_auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()

def links(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "@odata.id" and isinstance(v, str):
                yield v
            else:
                yield from links(v)
    elif isinstance(o, list):
        for v in o:
            yield from links(v)

def norm(u):
    u = u.split("#")[0]
    return u.rstrip("/") if len(u) > 1 else u

bad = []
seen, todo = set(), ["/redfish/v1"]
while todo:
    p = todo.pop()
    if p in seen:
        continue
    seen.add(p)
    st, ctype, body = get(p)
    if st != 200 or "application/json" not in ctype:
        bad.append("%s: %s %s" % (p, st, ctype))
        continue
    try:
        doc = json.loads(body)
    except ValueError as e:
        bad.append("%s: invalid JSON (%s)" % (p, e))
        continue
    if not isinstance(doc, dict):
        bad.append("%s: not a JSON object" % p)
        continue
    for l in links(doc):
        l = norm(l)
        if l.startswith("/redfish/v1") and l not in seen:
            todo.append(l)

# Credentials are really enforced on this tree (the root excepted).
if get("/redfish/v1/Systems", with_auth=False)[0] != 401:
    bad.append("/redfish/v1/Systems without credentials: not 401")
if get("/redfish/v1", with_auth=False)[0] != 200:
    bad.append("/redfish/v1 without credentials: not 200")
for b in bad[:20]:
    print("  bad:", b)
print("mockup %s: walked %d resources, %d bad" % (name, len(seen), len(bad)))
sys.exit(1 if bad or len(seen) < least else 0)
PYEOF
}

fails=0
total=0
check() { # check MOCKUP NAME MIN
  start_sim "$1"
  if walk "$2" "$3"; then
    total=$((total + 1))
  else
    echo "FAIL: mockup $2" >&2
    fails=$((fails + 1))
  fi
  stop_sim
}

check default default 25

if [ ! -d "$MOCKUPS" ]; then
  echo "SKIP: DMTF mockups not walked because $MOCKUPS is absent"
else
  found=0
  for dir in "$MOCKUPS"/*/; do
    dir=${dir%/}
    [ -f "$dir/index.json" ] || [ -f "$dir/redfish/v1/index.json" ] || continue
    found=$((found + 1))
    check "$dir" "$(basename "$dir")" 10
  done
  if [ $found -eq 0 ]; then
    echo "FAIL: no mockup folder under $MOCKUPS" >&2
    fails=$((fails + 1))
  fi
fi

# A resource holding integers wider than 64 bits (valid JSON that real
# services and DMTF's mockups send) loads, is walked like any other, and
# eventdrill's Redfish driver reads the body and judges the wide value.
wide="$D/wide"
cp -r "${ED_SRC:?}/sim/mockups/default" "$wide"
"$PY" - "$wide/Systems/1/index.json" <<'PYEOF'
import sys
p = sys.argv[1]
text = open(p).read().rstrip()
assert text.endswith("}")
open(p, "w").write(text[:-1].rstrip() +
                   ',\n  "Oem": {"Counter": 18446744073709551616,'
                   ' "Serial": 340282366920938463463374607431768211455,'
                   ' "Small": 7}\n}\n')
PYEOF
start_sim "$wide"
if walk wide 25; then
  total=$((total + 1))
  cat >"$D/wide.json" <<JSON
{ "name": "wide-integers",
  "targets": { "bmc": { "driver": "redfish", "url": "http://127.0.0.1:$PORT",
                        "credentials": "env:ED_WIDE_CREDS" } },
  "checks": {
    "counter": { "target": "bmc", "mode": "before", "steady": false,
                 "op": { "get": { "path": "/redfish/v1/Systems/1", "pointer": "/Oem/Counter" } },
                 "expect": { "status": 200, "min": 1.8e19, "max": 1.9e19 } },
    "small": { "target": "bmc", "mode": "before", "steady": false,
               "op": { "get": { "path": "/redfish/v1/Systems/1", "pointer": "/Oem/Small" } },
               "expect": { "status": 200, "equals": 7 } } } }
JSON
  st=0
  ED_WIDE_CREDS="admin:drill-pw-$$" "$ED_BIN/eventdrill" run "$D/wide.json" \
    --plain --out "$D/wide-run" >"$D/wide-run.out" 2>"$D/wide-run.err" || st=$?
  if [ $st -ne 0 ] ||
    [ "$(grep -c '"ev":"check".*"ok":true' "$D/wide-run/journal.jsonl")" -ne 2 ]; then
    echo "FAIL: wide integers: eventdrill exited $st or a check failed:" >&2
    grep '"ev":"check"' "$D/wide-run/journal.jsonl" >&2 || cat "$D/wide-run.err" >&2
    fails=$((fails + 1))
  else
    echo "wide integers: served, walked and judged by the Redfish driver"
  fi
else
  echo "FAIL: mockup with wide integers" >&2
  fails=$((fails + 1))
fi
stop_sim

echo "sim_mockups: $total mockups walked, $fails failed"
[ $fails -eq 0 ]
