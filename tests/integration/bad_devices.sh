# Bad devices: the Redfish driver, through `eventdrill run`, against peers
# that misbehave (bad_peer.py): hang after accept, a trickle of one byte per
# second, a reset mid-answer, invalid JSON with a pointer asked, a 100 MB
# body (with and without Content-Length), a Content-Length longer and
# shorter than the body, HTTP/1.0 without keep-alive, a chunked body, a
# "100 Continue" before the answer, bytes past the answer, a keep-alive
# connection closed as the next request arrives (also over TLS), a TLS
# handshake that fails, a certificate for the wrong name. Each row: the run ends by itself
# (exit 0 or 1, never a crash or a signal), within the request timeout plus
# the run's length, summary.json counts every request and classifies its
# errors as expected, and eventdrill's maximum RSS stays bounded.
. "$(dirname "$0")/lib/common.sh"
PEER="$ED_TESTS/bad_peer.py"
RUN_S=2        # length of each run
TIMEOUT_S=2    # the driver's per-request timeout
MAX_ELAPSED=9  # run + timeout + start and teardown
MAX_RSS_KB=$((100 * 1024))
MAX_BODY=1048576
peers=()
cleanup_hooks+=('for p in "${peers[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done')

port() { free_port; }
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  fail "nothing listens on port $1"
}

# Certificates: a CA, a leaf for DNS:bmc.example only, signed by it, and
# one for IP:127.0.0.1, which the driver accepts.
. "$ED_SRC/scripts/lib/certs.sh"
C="$WORK/certs"
certs_ca "$C" bad-ca
certs_leaf "$C" wrong bmc.example DNS:bmc.example
certs_leaf "$C" good 127.0.0.1 IP:127.0.0.1

# row NAME MODE SCHEME WANT_CLASS [ALSO_ALLOWED]: start a peer in MODE, run a
# scenario of RUN_S seconds at 2 req/s against it, check the outcome.
# WANT_CLASS "ok" means every request succeeds.
row() {
  local name=$1 mode=$2 scheme=$3 want=$4 also=${5:-}
  local p d extra=""
  p=$(port)
  if [ "$mode" = tls ]; then
    $PY "$PEER" "$p" tls "$C/wrong.pem" "$C/wrong.key" &
  elif [ "$mode" = tls_stale ]; then
    $PY "$PEER" "$p" tls_stale "$C/good.pem" "$C/good.key" &
  else
    $PY "$PEER" "$p" "$mode" &
  fi
  peers+=($!)
  wait_port "$p"
  [ "$scheme" = https ] && extra="\"ca_file\": \"$C/ca.pem\","
  d="$WORK/$name"
  mkdir -p "$d"
  cat >"$d/s.json" <<JSON
{ "name": "bad-$name",
  "targets": { "dev": { "driver": "redfish", "url": "$scheme://127.0.0.1:$p",
    "auth": "none", $extra "timeout": "${TIMEOUT_S}s",
    "connect_timeout": "${TIMEOUT_S}s", "max_body": $MAX_BODY,
    "rehearsal": true } },
  "workloads": [ { "name": "get", "targets": ["dev"],
    "op": { "get": { "path": "/redfish/v1/Systems/1", "pointer": "/PowerState" } },
    "timeout": "${TIMEOUT_S}s",
    "rate": [ { "constant": 2, "for": "${RUN_S}s" } ] } ],
  "journal": { "requests": "all" } }
JSON
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$d/time.txt" "$EVENTDRILL" run "$d/s.json" --quiet \
    --out "$d/r" >"$d/stdout" 2>"$d/stderr" || rc=$?
  t1=$(date +%s.%N)
  kill "${peers[-1]}" 2>/dev/null || true
  local elapsed rss
  elapsed=$($PY -c "print(round($t1 - $t0, 2))")
  rss=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$d/time.txt")
  if grep -qE 'AddressSanitizer|runtime error|Segmentation|Aborted|core dumped' \
    "$d/stderr" "$d/time.txt"; then
    cat "$d/stderr" >&2
    fail "$name: eventdrill crashed"
  fi
  [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || {
    cat "$d/stderr" >&2
    fail "$name: eventdrill exited $rc"
  }
  $PY -c "import sys; sys.exit(0 if $elapsed <= $MAX_ELAPSED else 1)" ||
    fail "$name: run took ${elapsed}s, more than ${MAX_ELAPSED}s"
  if [ "${ED_SANITIZE:-OFF}" != ON ] && [ -n "$rss" ] && [ "$rss" -gt "$MAX_RSS_KB" ]; then
    fail "$name: max RSS ${rss} kB over ${MAX_RSS_KB} kB"
  fi
  local classes
  classes=$($PY - "$d/r/summary.json" "$want" "$also" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
want, also = sys.argv[2], set(filter(None, sys.argv[3].split(",")))
t = s["workloads"][0]["total"]
errs = {k: v for k, v in t["errors"].items() if v}
assert t["requests"] == t["expected"] > 0, t
assert t["completed"] == t["requests"], ("request(s) never completed", t)
if want == "ok":
    assert t["ok"] == t["completed"] and not errs, t
else:
    assert want in errs, ("no %s among %s" % (want, errs))
    other = set(errs) - {want} - also
    assert not other, ("unexpected classes %s" % other)
print(",".join("%s=%d" % kv for kv in sorted(errs.items())) or "ok=%d" % t["ok"])
PYEOF
  ) || fail "$name: summary (see $d/r/summary.json)"
  pass "$name: $classes in ${elapsed}s, max RSS ${rss:-?} kB"
}

# The matrix: NAME MODE SCHEME CLASS [ALSO_ALLOWED]. BAD_ROWS="a b" runs
# only those rows.
while read -r name mode scheme want also <&3; do
  [ -z "${BAD_ROWS:-}" ] || [[ " $BAD_ROWS " == *" $name "* ]] || continue
  row "$name" "$mode" "$scheme" "$want" "$also"
done 3<<'ROWS'
control         ok         http  ok
hang            hang       http  timeout
trickle         trickle    http  timeout
reset           reset      http  protocol
invalid_json    badjson    http  bad_json
body_100mb      huge       http  too_large
body_100mb_eof  huge_close http  too_large
length_longer   longer     http  protocol
length_shorter  shorter    http  bad_json  protocol
http10_close    http10     http  ok
chunked_body    chunked    http  ok
interim_100     interim    http  ok
trailing_bytes  trailing   http  ok
stale_keepalive stale      http  ok
tls_stale       tls_stale  https ok
tls_handshake   notls      https tls
tls_wrong_name  tls        https tls
ROWS
