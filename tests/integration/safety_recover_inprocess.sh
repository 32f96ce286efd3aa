#!/usr/bin/env bash
# A runner killed (SIGKILL) mid-fault whose target was simulated inside it
# ("sim" target, no simulator process): the simulated BMC died with the
# runner, so `recover` must not report its undo as done against a brand-new
# simulator. It says plainly that the target cannot be recovered, sends
# nothing, journals the undo as settled (not ok), and a second recover has
# nothing left to do.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
d=$WORK/r
"$EVENTDRILL" rehearse "$SCEN/drill-sigint.json" --plain --out "$d" >"$d.out" 2>"$d.err" &
run_pid=$!
cleanup_hooks+=("kill -9 $run_pid 2>/dev/null")
journal_wait "$d/journal.jsonl" '"ev":"fault_end"' || true
grep -q '"ev":"fault_start".*"undo_pending":true' "$d/journal.jsonl" ||
  fail "the fault was not started with its undo pending"
kill -9 $run_pid
wait $run_pid 2>/dev/null || true
grep -q '"ev":"undo_end"' "$d/journal.jsonl" && fail "the undo ran before the kill"

expect_status 0 "$EVENTDRILL" recover "$d" --yes >"$WORK/rec1.out" 2>&1
grep -q "recover: fault bmc2-off: target bmc2 was simulated inside the run and ended with it; it cannot be recovered" \
  "$WORK/rec1.out" || { cat "$WORK/rec1.out"; fail "recover did not say the target cannot be recovered"; }
grep -q "done" "$WORK/rec1.out" && { cat "$WORK/rec1.out"; fail "recover reported an undo as done"; }
grep -q '"ev":"undo_start"' "$d/journal.jsonl" && fail "recover sent an undo"
grep -q '"ev":"undo_end".*"fault":"bmc2-off".*"ok":false.*"settled":true.*"by":"recover"' \
  "$d/journal.jsonl" || fail "recover did not journal the settled undo"

expect_status 0 "$EVENTDRILL" recover "$d" --yes >"$WORK/rec2.out" 2>&1
grep -q "nothing to do" "$WORK/rec2.out" || { cat "$WORK/rec2.out"; fail "a second recover still owes the undo"; }
pass "recover of an in-process simulated target: said plainly, nothing sent, settled once"
