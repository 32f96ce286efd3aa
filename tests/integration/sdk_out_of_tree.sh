#!/usr/bin/env bash
# A third party's route, with the installed SDK only: `cmake --install` into
# a temporary prefix, then the out-of-tree example driver (a TCP connect
# probe) copied from <prefix>/share is built twice, with find_package
# (eventdrill) and with `pkg-config --cflags --libs eventdrill-driver`.
# Each build exports the descriptor alone; the installed eventdrill loads it
# through EVENTDRILL_PLUGIN_PATH and runs a short scenario against a TCP
# listener on loopback (which counts the connections), the report and an
# inspection show the target's address, and the installed
# eventdrill-driver-test passes both.
. "$(dirname "$0")/lib/common.sh"
P=$WORK/prefix
cmake --install "$ED_BUILD" --prefix "$P" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log"; fail "cmake --install"; }
DT="$P/bin/eventdrill-driver-test"
. "$(dirname "$0")/sdk_lib.sh"

# 1. what the SDK installs
for f in include/eventdrill/driver.h include/eventdrill/json_wide.h \
  bin/eventdrill-driver-test lib/pkgconfig/eventdrill-driver.pc \
  lib/cmake/eventdrill/eventdrillConfig.cmake \
  lib/cmake/eventdrill/eventdrillConfigVersion.cmake \
  share/eventdrill/examples/example/example.c \
  share/eventdrill/examples/out-of-tree-driver/CMakeLists.txt \
  share/eventdrill/examples/out-of-tree-driver/tcpprobe.c \
  share/doc/eventdrill/writing-a-driver.md; do
  [ -f "$P/$f" ] || fail "not installed: $f"
done
export PKG_CONFIG_PATH=$P/lib/pkgconfig
pcdir=$(pkg-config --variable=driversdir eventdrill-driver)
[ "$(realpath "$pcdir")" = "$(realpath "$P/lib/eventdrill/drivers")" ] ||
  fail "pkg-config driversdir is $pcdir"
pkg-config --libs eventdrill-driver | grep -q -- "-luv" ||
  fail "pkg-config --libs lacks libuv: $(pkg-config --libs eventdrill-driver)"
pass "SDK installed: header, pkg-config, CMake package, harness, examples, docs"

# 2. the example, copied out of the install: nothing from the source tree
SRC=$WORK/tcpprobe
cp -r "$P/share/eventdrill/examples/out-of-tree-driver" "$SRC"
cmake -S "$SRC" -B "$WORK/cm" -DCMAKE_PREFIX_PATH="$P" >"$WORK/cm.log" 2>&1 ||
  { cat "$WORK/cm.log"; fail "cmake configure with find_package(eventdrill)"; }
cmake --build "$WORK/cm" >>"$WORK/cm.log" 2>&1 || { cat "$WORK/cm.log"; fail "cmake build"; }
mkdir -p "$WORK/pc"
# shellcheck disable=SC2046
cc -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -o "$WORK/pc/tcpprobe.so" \
  "$SRC/tcpprobe.c" $(pkg-config --cflags --libs eventdrill-driver) ||
  fail "cc with pkg-config --cflags --libs eventdrill-driver"
for so in "$WORK/cm/tcpprobe.so" "$WORK/pc/tcpprobe.so"; do
  syms=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBR]/ {print $3}' | tr '\n' ' ')
  [ "$syms" = "eventdrill_driver " ] || fail "$so exports: $syms (only eventdrill_driver)"
done
pass "built with find_package(eventdrill) and with pkg-config; only the descriptor exported"

# 3. a TCP listener on loopback that writes one line per connection
PORT=$(free_port)
$PY - "$PORT" "$WORK/accepted" <<'PYEOF' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(256)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        c, _ = s.accept()
        log.write("accepted\n")
        c.close()
PYEOF
LISTENER=$!
cleanup_hooks+=('kill "$LISTENER" 2>/dev/null')
# A connection is established by the kernel before the listener accepts
# it: the listener is up once it has written its line for one.
for _ in $(seq 200); do
  [ -s "$WORK/accepted" ] && break
  $PY -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null || true
  sleep 0.05
done
[ -s "$WORK/accepted" ] || fail "the listener did not start"
: >"$WORK/accepted"

# 4. the installed eventdrill loads it from EVENTDRILL_PLUGIN_PATH
export EVENTDRILL_PLUGIN_PATH=$WORK/cm
"$P/bin/eventdrill" plugins >"$WORK/plugins" 2>&1 || { cat "$WORK/plugins"; fail "plugins"; }
grep -q "file: $WORK/cm/tcpprobe.so" "$WORK/plugins" ||
  { cat "$WORK/plugins"; fail "tcpprobe not loaded from EVENTDRILL_PLUGIN_PATH"; }
grep -q "address *string required address" "$WORK/plugins" ||
  { cat "$WORK/plugins"; fail "the address flag is not listed"; }
sed "s/127.0.0.1:8080/127.0.0.1:$PORT/" "$SRC/probe.json" >"$WORK/probe.json"
expect_status 0 "$P/bin/eventdrill" run "$WORK/probe.json" --quiet --out "$WORK/r"
$PY - "$WORK/r" "$PORT" "$WORK/accepted" <<'PYEOF' || fail "the tcpprobe run"
import json, sys
d, port, acc = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(d + "/summary.json"))
t = s["workloads"][0]["total"]
assert t["requests"] == 60 and t["ok"] == 60 and t["errors"] == {}, t
assert s["targets"][0]["address"] == "127.0.0.1:" + port, s["targets"]
rows = [l for l in open(d + "/report.md") if l.startswith("| web | tcpprobe |")]
assert rows and ("| 127.0.0.1:%s |" % port) in rows[0], rows
n = len(open(acc).read().split())
assert n >= 60, "the listener accepted %d connections for 60 probes" % n
print("60 probes ok, p50 %.2f ms; the listener accepted %d" % (t["latency_ms"]["p50"], n))
PYEOF
pass "the installed eventdrill ran tcpprobe; the report shows its address"
# An inspection shows it too (what it finds on a driver without health
# collection is not this test's concern: exit 0 or 1).
cat >"$WORK/fleet.json" <<JSON
{ "name": "probes", "devices": { "web": { "driver": "tcpprobe", "address": "127.0.0.1:$PORT" } } }
JSON
status=0
"$P/bin/eventdrill" inspect "$WORK/fleet.json" --samples 2 --out "$WORK/insp" \
  >"$WORK/insp.out" 2>&1 || status=$?
[ "$status" -le 1 ] || { cat "$WORK/insp.out"; fail "inspect exited $status"; }
$PY - "$WORK/insp" "$PORT" <<'PYEOF' || fail "the inspection's address"
import json, sys
d, port = sys.argv[1], sys.argv[2]
devs = json.load(open(d + "/inspection.json"))["devices"]
assert devs[0]["address"] == "127.0.0.1:" + port, devs
rows = [l for l in open(d + "/inspection.md") if l.startswith("| web | tcpprobe |")]
assert rows and ("| 127.0.0.1:%s |" % port) in rows[0], rows
PYEOF
pass "the inspection shows tcpprobe's address"

# 5. the installed harness passes both builds, and classes a refused port
unset EVENTDRILL_PLUGIN_PATH
sed "s/127.0.0.1:8080/127.0.0.1:$PORT/" "$SRC/target.json" >"$WORK/target.json"
harness_pass tcpprobe-cmake --expect-ok "$WORK/cm/tcpprobe.so" "$WORK/target.json"
harness_pass tcpprobe-pkgconfig --expect-ok "$WORK/pc/tcpprobe.so" "$WORK/target.json"
CLOSED=$(free_port)
sed "s/127.0.0.1:8080/127.0.0.1:$CLOSED/" "$SRC/target.json" >"$WORK/closed.json"
harness_run closed "$WORK/cm/tcpprobe.so" "$WORK/closed.json"
[ "$status" -eq 0 ] || { cat "$WORK/closed.out"; fail "closed port: harness exited $status"; }
grep -q "^  ok   op connect .*20 connect; .*(connect: connection refused)" "$WORK/closed.out" ||
  { cat "$WORK/closed.out"; fail "closed port: refusals not classed as connect"; }
pass "a closed port: 20 requests completed once each, as connect errors"
harness_fails closed-expect-ok "--expect-ok: 20 of 20 requests failed: 20 connect" \
  --expect-ok "$WORK/cm/tcpprobe.so" "$WORK/closed.json"
