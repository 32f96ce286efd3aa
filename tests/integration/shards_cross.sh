#!/usr/bin/env bash
# A chain across shards, with a coordinator: eight BMCs of eventdrill-sim
# on four sites (--shard-by site: site a is shard 0 ... site d shard 3).
# BMC 5 is reached as three targets: t5 (site c, shard 2) which the fault
# powers off, c-power (site b, shard 1) which the plan's step powers on,
# and c-watch (site d, shard 3) on which the check that triggers and
# verifies the plan reads the power state. So the fault is injected in
# shard 2, its check runs on shard 3's target and its plan step acts on
# shard 1's, all judged in shard 2, the chain's home:
#   1. every shard exits 0; the plan restores BMC 5 and its RTO is
#      measured; the check is judged in shard 2 only (its journal), the
#      step's action is journaled there too, and no other shard journals a
#      check or plan; the merged verdict passes with the plan's RTO;
#   2. the same chain in verify mode (the step is proved on shard 1's
#      target, never sent): BMC 5 stays On, the merged verdict passes;
#   3. shard 3, whose target the check reads, killed while the fault is in
#      force: every other shard exits 3, and shard 2, the fault's home,
#      runs its undo (BMC 5 is On again) without any recover.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim8.sh"
export EVENTDRILL_SHARD_TOKEN="tok-$RANDOM$RANDOM$RANDOM-$RANDOM$RANDOM"
sim8_start
[ "$(power 5)" = On ] || fail "BMC 5 is not On at the start"

# scenario FILE SECONDS FAULT_AT UNDO_WHEN DETECTION_DELAY
scenario() { $PY "$ED_TESTS/lib/cross_scenario.py" "$@" "$PORT"; }

CPORT=$(free_port)
pids=()
cleanup_hooks+=('for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done')
shard() { # shard MODE I SCENARIO OUT [ARGS...]: one shard in the background
  local mode=$1 i=$2 s=$3 out=$4
  shift 4
  "$EVENTDRILL" "$mode" "$s" --quiet --no-report --shard "$i/4" --shard-by site \
    --coordinator "127.0.0.1:$CPORT" --out "$out" "$@" >"$out.log" 2>&1 &
  pids[$i]=$!
}
# all_exit WANT PREFIX: every shard's exit status
all_exit() {
  for i in 0 1 2 3; do
    local rc=0
    wait "${pids[$i]}" || rc=$?
    [ "$rc" -eq "$1" ] || { cat "$2$i.log" >&2; fail "$(basename "$2")$i exited $rc, expected $1"; }
  done
}

# ---- 1. the chain across three shards -----------------------------------
scenario "$WORK/cross.json" 8s 1s on_abort 300ms
for i in 0 1 2 3; do shard run "$i" "$WORK/cross.json" "$WORK/x$i"; done
all_exit 0 "$WORK/x"
[ "$(power 5)" = On ] || fail "BMC 5 is not On after its plan"
expect_status 0 "$EVENTDRILL" merge "$WORK"/x{0,1,2,3} --out "$WORK/xm" >"$WORK/xm.out" 2>&1 ||
  { cat "$WORK/xm.out" >&2; exit 1; }
$PY "$ED_TESTS/lib/cross_check.py" "$WORK"/x{0,1,2,3} "$WORK/xm" || fail "the chain's evidence"

# ---- 2. verify mode: the step is proved on shard 1's target, not sent -----
# Verify sends no load: shards 0, 1 and 3 judge nothing of their own and
# say so (exit 1); the drill's verdict is the merged one.
for i in 0 1 2 3; do shard verify "$i" "$WORK/cross.json" "$WORK/v$i"; done
for i in 0 1 2 3; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  want=1
  [ "$i" -eq 2 ] && want=0
  [ "$rc" -eq "$want" ] || { cat "$WORK/v$i.log" >&2; fail "verify: shard $i exited $rc, expected $want"; }
done
[ "$(power 5)" = On ] || fail "verify changed BMC 5's power"
expect_status 0 "$EVENTDRILL" merge "$WORK"/v{0,1,2,3} --out "$WORK/vm" >"$WORK/vm.out" 2>&1 ||
  { cat "$WORK/vm.out" >&2; exit 1; }
$PY - "$WORK/vm" <<'PYEOF' || fail "the merged verify"
import json, sys
m = json.load(open(sys.argv[1] + "/summary.json"))
assert m["verdict"]["pass"] is True, m["verdict"]
d = m["drill"]
steps = [st for p in d["plans"] for st in p["steps"]]
assert [st["target"] for st in steps] == ["c-power"], d["plans"]
assert all(st["outcome"] == "passed" for st in steps), steps
assert [k["name"] for k in d["checks"]] == ["c-on"], d["checks"]
PYEOF

# ---- 3. the check's shard killed while the fault is in force -------------
# the plan waits 30 s after detection: BMC 5 is still off at the kill
scenario "$WORK/kill.json" 40s 1s always 30s
for i in 0 1 2 3; do shard run "$i" "$WORK/kill.json" "$WORK/k$i"; done
fault_in_force "$WORK/k2"
kill -KILL "${pids[3]}"
stopped_by_loss 3 "$WORK/k" 0 1 2
grep -q '"undo"' "$WORK/k2/journal.jsonl" || fail "shard 2 did not run its undo"
for _ in $(seq 50); do [ "$(power 5)" = On ] && break; sleep 0.1; done
[ "$(power 5)" = On ] || fail "BMC 5 is not On after shard 2's undo"
pass "a chain across three shards: fault, check and plan step on three shards, judged in one"
