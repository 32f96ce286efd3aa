#!/usr/bin/env bash
# `cmake --install` gives a working install: the installed eventdrill finds
# its drivers next to itself (../lib/eventdrill/drivers) and runs a drill.
. "$(dirname "$0")/lib/common.sh"
cmake --install "$ED_BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log"; fail "cmake --install"; }
ED="$WORK/prefix/bin/eventdrill"
[ -x "$ED" ] || fail "no installed eventdrill"
[ -x "$WORK/prefix/bin/eventdrill-sim" ] || fail "no installed eventdrill-sim"
[ -f "$WORK/prefix/include/eventdrill/driver.h" ] || fail "SDK header not installed"
# Only the installed drivers may be found: no plugin path from outside.
env -u EVENTDRILL_PLUGIN_PATH "$ED" plugins >"$WORK/plugins" || fail "plugins"
grep -q "file: $WORK/prefix/lib.*/eventdrill/drivers/redfish.so" "$WORK/plugins" ||
  { cat "$WORK/plugins"; fail "redfish.so not found next to the installed binary"; }
cp "$SCEN/short-seconds.json" "$WORK/s.json"
expect_status 0 env -u EVENTDRILL_PLUGIN_PATH "$ED" run "$WORK/s.json" --quiet --out "$WORK/r"
[ -s "$WORK/r/summary.json" ] || fail "no summary from the installed binary"
pass "installed tree works"
