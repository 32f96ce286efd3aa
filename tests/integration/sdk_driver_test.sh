#!/usr/bin/env bash
# eventdrill-driver-test on drivers without a peer: it passes the example
# driver, a correct test driver and a blocking one (and runs cleanly under
# valgrind), and fails each deliberately broken test plugin with the
# precise reason: refused at load like eventdrill refuses them, or breaking
# the request contract at run time.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/sdk_lib.sh"

# 1. good drivers
cat >"$WORK/example.json" <<'JSON'
{ "name": "slow", "options": { "delay": "2ms" },
  "operations": { "echo": { "value": { "ok": [1, 2] } }, "sleep": "5ms" } }
JSON
harness_pass example --expect-ok "$DRIVERS/example.so" "$WORK/example.json"
grep -q '^  ok   op echo  .*20 requests, each completed once: 20 ok' "$WORK/example.out" ||
  { cat "$WORK/example.out"; fail "example: echo not run 20 times"; }
grep -q '^  ok   close in flight .*4 cancelled' "$WORK/example.out" ||
  { cat "$WORK/example.out"; fail "example: requests in flight not cancelled at close"; }
echo '{ "operations": { "ping": null } }' >"$WORK/ping.json"
harness_pass mb_good --expect-ok "$PLUGINS/mb_good/mb_good.so" "$WORK/ping.json"
echo '{ "operations": { "work": "3ms" } }' >"$WORK/work.json"
harness_pass blocking --expect-ok -c 3 "$PLUGINS/blocking/blocking.so" "$WORK/work.json"
# Without a target file: the descriptor and the tables only.
harness_pass example-tables "$DRIVERS/example.so"
grep -q "no target file: no request sent" "$WORK/example-tables.out" ||
  fail "example-tables: sent requests without a target file"

# 2. refused at load, with the core's own reason
harness_fails abi "driver ABI version 7, this eventdrill expects" "$PLUGINS/abi/abi.so"
harness_fails signature 'build signature "eventdrill-sdk-0:8"' "$PLUGINS/signature/signature.so"
harness_fails nosymbol 'no symbol "eventdrill_driver"' "$PLUGINS/nosymbol/nosymbol.so"
harness_fails noname "the driver descriptor has no name" "$PLUGINS/noname/noname.so"
harness_fails wrongname 'the driver calls itself "other" but the file is "wrongname.so"' \
  "$PLUGINS/wrongname/wrongname.so"
harness_fails initfail "failed to initialise (init returned -5)" "$PLUGINS/initfail/initfail.so"
harness_fails callbacks "lacks required callbacks: op_free, submit_blocking" \
  "$PLUGINS/callbacks/callbacks.so"
harness_fails baddefault 'operation "noop": option count: expected an integer, got a string' \
  "$PLUGINS/baddefault/baddefault.so"
harness_fails notso "cannot load:" "$PLUGINS/notso/notso.so"
harness_fails missing "No such file or directory" "$WORK/nothere.so"

# 3. loads, then breaks the request contract
echo '{ "operations": { "noop": { "count": 2 } } }' >"$WORK/noop.json"
harness_fails v1-refuses "no request started: submit returned < 0 for all 20" \
  "$PLUGINS/v1/v1.so" "$WORK/noop.json"
harness_fails twice "done called 2 times" "$PLUGINS/mb_twice/mb_twice.so" "$WORK/ping.json"
harness_fails inside "done called from inside submit" \
  "$PLUGINS/mb_inside/mb_inside.so" "$WORK/ping.json"
harness_fails never "did not complete within its timeout (300 ms)" \
  -t 300ms "$PLUGINS/mb_never/mb_never.so" "$WORK/ping.json"
grep -qF "4 of 4 requests in flight were not completed before target_close returned" \
  "$WORK/never.out" || { cat "$WORK/never.out"; fail "never: close not judged"; }
harness_fails no-cancel "were not completed before target_close returned" \
  "$PLUGINS/mb_no_cancel/mb_no_cancel.so" "$WORK/ping.json"
grep -qF "completed after target_close returned" "$WORK/no-cancel.out" ||
  { cat "$WORK/no-cancel.out"; fail "no-cancel: late completions not seen"; }
harness_fails not-json 'the value is not JSON text: "yes"' \
  "$PLUGINS/mb_not_json/mb_not_json.so" "$WORK/ping.json"
harness_fails leak "left on the loop after target_close: timer (active)" \
  "$PLUGINS/mb_leak/mb_leak.so" "$WORK/ping.json"
harness_fails scribble "the driver changed the request's op, done or core_data" \
  "$PLUGINS/mb_scribble/mb_scribble.so" "$WORK/ping.json"
harness_fails start-twice "its callback was called 2 times" \
  "$PLUGINS/mb_start_twice/mb_start_twice.so" "$WORK/ping.json"

# 4. health collection: a correct collector passes (its collection cut
# short by target_stop answers once, the unread parts cancelled), a driver
# without collect is reported as such, and each broken collect fails with
# its reason.
collector() { # collector NAME MODE: its target file
  echo "{ \"options\": { \"mode\": \"$2\" }, \"operations\": { \"noop\": null } }" \
    >"$WORK/$1.json"
}
collector collector queue
harness_pass collector --expect-ok "$PLUGINS/collector/collector.so" "$WORK/collector.json"
grep -q '^  ok   collect  .*done called once on the loop thread.*: reachable, 5 requests, 0 health, 0 psus, 5 sensors' \
  "$WORK/collector.out" || { cat "$WORK/collector.out"; fail "collector: collect not judged"; }
grep -q '^  ok   collect + stop .*target_stop during the collection: done called once .* 5 parts cancelled' \
  "$WORK/collector.out" || { cat "$WORK/collector.out"; fail "collector: cancel by target_stop not judged"; }
grep -q '^  ok   collect (stopped) .*done called once, 5 parts cancelled' \
  "$WORK/collector.out" || { cat "$WORK/collector.out"; fail "collector: collect on a stopped target not judged"; }
collector sync sync
harness_pass collector-sync "$PLUGINS/collector/collector.so" "$WORK/sync.json"
grep -q '^  ok   collect  .*done called once (from inside collect)' "$WORK/collector-sync.out" ||
  { cat "$WORK/collector-sync.out"; fail "collector-sync: an answer from inside collect not allowed"; }
grep -q '^  skip collect .*not offered: the driver has no health collection' "$WORK/blocking.out" ||
  { cat "$WORK/blocking.out"; fail "blocking: a driver without collect not reported"; }
collector twice twice
harness_fails collect-twice "done called 2 times for one collection (exactly once)" \
  "$PLUGINS/collector/collector.so" "$WORK/twice.json"
collector never never
harness_fails collect-never "done was never called within" \
  -t 300ms "$PLUGINS/collector/collector.so" "$WORK/never.json"
grep -q '^  skip collect + stop .*a collection was never answered' "$WORK/collect-never.out" ||
  { cat "$WORK/collect-never.out"; fail "collect-never: the stop check ran on"; }
collector shapeless shapeless
harness_fails collect-shapeless 'the snapshot has no "reachable" (true or false)' \
  "$PLUGINS/collector/collector.so" "$WORK/shapeless.json"
collector not-json bad
harness_fails collect-not-json "the snapshot is not the JSON text of an object" \
  "$PLUGINS/collector/collector.so" "$WORK/not-json.json"
collector fail fail
harness_fails collect-fail "collect returned -1" \
  "$PLUGINS/collector/collector.so" "$WORK/fail.json"

# 5. a target file with mistakes: every one named with its place
cat >"$WORK/bad.json" <<'JSON'
{ "options": { "dealy": "2ms" },
  "operations": { "echoo": "x", "sleep": "soon" },
  "destructiv": true }
JSON
harness_fails bad-file "is not valid (printed above)" "$DRIVERS/example.so" "$WORK/bad.json"
for want in 'bad.json:1:16: options.dealy: unknown key "dealy" (did you mean "delay"?)' \
  'bad.json:2:19: operations.echoo: driver "example" has no operation "echoo" (did you mean "echo"?)' \
  'bad.json:2:42: operations.sleep: invalid duration "soon"' \
  'bad.json:3:3: destructiv: unknown key (did you mean "destructive"?)'; do
  grep -qF "$want" "$WORK/bad-file.out" || { cat "$WORK/bad-file.out"; fail "bad-file: no \"$want\""; }
done
pass "the target file's mistakes are named with file, line:column and path"

# 5. the command line
cli_fails() { # cli_fails MESSAGE ARGS...: exit 2, MESSAGE on stderr
  local msg=$1; shift
  status=0
  "$DT" "$@" >"$WORK/cli.out" 2>"$WORK/cli.err" || status=$?
  [ "$status" -eq 2 ] || { cat "$WORK/cli.out" "$WORK/cli.err"; fail "$*: exit $status, expected 2"; }
  grep -qF -- "$msg" "$WORK/cli.err" || { cat "$WORK/cli.err"; fail "$*: no \"$msg\""; }
}
cli_fails '--requests: "0" is not a number from 1 to 100000' -n 0 "$DRIVERS/example.so"
cli_fails '--concurrency: "x" is not a number from 1 to 1000' -c x "$DRIVERS/example.so"
cli_fails '--timeout "soon": expected a number' -t soon "$DRIVERS/example.so"
cli_fails '--timeout "0ms": must be more than 0' -t 0ms "$DRIVERS/example.so"
cli_fails 'usage: eventdrill-driver-test'
cli_fails 'usage: eventdrill-driver-test' "$DRIVERS/example.so" a.json b.json
pass "bad command lines exit 2 with the reason"
