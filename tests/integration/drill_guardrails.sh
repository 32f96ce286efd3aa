#!/usr/bin/env bash
# Every guardrail trips on a simulated condition and aborts the drill (exit
# 3): p99, error rate, a check red too long, the time limit, the blast
# radius; and SIGINT during a fault. Each time the pending undo runs and
# succeeds, an "after" check proves the simulator restored (bmc1 fast and
# answering, bmc2 On), and the journal parses completely.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"

# check_aborted DIR REASON_SUBSTRING FAULT [guardrail] [interrupted]
check_aborted() {
  local d=$1
  journal_parses "$d"
  $PY "$ED_TESTS/lib/journal_check.py" "$d" ${5:+--expect-interrupted} >/dev/null \
    || fail "journal_check of $(basename "$d")"
  $PY - "$d" "$2" "$3" "${4:-}" <<'PYEOF' || { drill_show "$d"; fail "$(basename "$d"): abort, undo or restore"; }
import json, sys
d, why, fault, guard = sys.argv[1:5]
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
kinds = [e["ev"] for e in ev]
v = s["verdict"]
assert v["pass"] is False and any(why in x for x in v["reasons"]), v
assert s["drill"]["aborted"] is True and why in s["drill"]["abort_reason"], s["drill"]
ab = [e for e in ev if e["ev"] == "abort"]
assert len(ab) == 1 and why in ab[0]["reason"], ab
if guard:
    g = [e for e in ev if e["ev"] == "guardrail"]
    assert len(g) == 1 and g[0]["guardrail"] == guard, g
    assert g[0]["t"] <= ab[0]["t"]
us = [e for e in ev if e["ev"] == "undo_start" and e["fault"] == fault]
ue = [e for e in ev if e["ev"] == "undo_end" and e["fault"] == fault]
assert len(us) == 1 and us[0]["why"] == "the drill was aborted", us
assert len(ue) == 1 and ue[0]["ok"] is True, ue
assert ab[0]["t"] <= us[0]["t"] <= ue[0]["t"]
f = next(x for x in s["drill"]["faults"] if x["name"] == fault)
assert f["undo"]["state"] == "done", f
after = {e["check"]: e for e in ev if e["ev"] == "check" and e["by"] == "after"}
assert set(after) == {"bmc1-restored", "bmc2-on-after"}, after
for c in after.values():
    assert c["ok"] is True and c["t"] >= ue[0]["t"], c
de = next(e for e in ev if e["ev"] == "drill_end")
assert de["aborted"] is True and kinds.index("drill_end") > kinds.index("undo_end")
# the drill stopped soon after the abort, it did not wait for the workload
assert s["elapsed_s"] < ab[0]["t"] + 3, (s["elapsed_s"], ab[0]["t"])
print("  %-28s abort at %.1f s, undo ok at %.1f s, end %.1f s" %
      (s["scenario"], ab[0]["t"], ue[0]["t"], s["elapsed_s"]))
PYEOF
}

g() { # g NAME REASON FAULT [GUARDRAIL]
  local d=$WORK/$1
  drill_run "$d" rehearse "$SCEN/drill-$1.json"
  drill_expect "$d" 3
  grep -q "ABORTING" "$d.err" || fail "$1: no ABORTING on the terminal"
  check_aborted "$d" "$2" "$3" "${4:-}"
  times+=("$1 ${took_ms}ms")
}
times=()
g guard-p99 'guardrail "p99 > 200ms for 2s" tripped' bmc1-slow "p99 > 200ms for 2s"
g guard-errors 'guardrail "error_rate > 20% for 2s" tripped' bmc1-errors "error_rate > 20% for 2s"
g guard-check-red 'tripped: check bmc1-up red for' bmc1-down "check_red bmc1-up for 2s"
g guard-time-limit 'time limit of 4 s reached' bmc2-off
g guard-blast 'blast radius: fault bmc2-errors would fault more than 1 target at once' bmc1-slow
# blast radius: the second fault was refused, never injected
$PY - "$WORK/guard-blast" <<'PYEOF' || fail "blast radius: the second fault"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1] + "/journal.jsonl")]
assert [e["fault"] for e in ev if e["ev"] == "fault_start"] == ["bmc1-slow"]
sk = [e for e in ev if e["ev"] == "fault_skipped"]
assert len(sk) == 1 and sk[0]["fault"] == "bmc2-errors" and "blast radius" in sk[0]["reason"], sk
s = json.load(open(sys.argv[1] + "/summary.json"))
f = next(x for x in s["drill"]["faults"] if x["name"] == "bmc2-errors")
assert f["state"] == "skipped", f
PYEOF

# SIGINT while bmc2 is forced off: exit 3, the undo powers it on.
d=$WORK/sigint
t0=$(date +%s%N)
"$EVENTDRILL" rehearse "$SCEN/drill-sigint.json" --plain --out "$d" >"$d.out" 2>"$d.err" &
pid=$!
cleanup_hooks+=("kill $pid 2>/dev/null")
for _ in $(seq 100); do
  grep -q '"ev":"fault_end"' "$d/journal.jsonl" 2>/dev/null && break
  sleep 0.1
done
grep -q '"ev":"fault_end","t":[0-9.]*,"fault":"bmc2-off","ok":true' "$d/journal.jsonl" \
  || fail "sigint: the fault was not injected"
sleep 0.5
kill -INT $pid
status=0
wait $pid || status=$?
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
drill_expect "$d" 3
grep -q '"ev":"interrupt"' "$d/journal.jsonl" || fail "sigint: no interrupt event"
check_aborted "$d" "interrupted by SIGINT" bmc2-off "" interrupted
times+=("sigint ${took_ms}ms")
pass "guardrails: each aborted with exit 3 and its undo restored the simulator (${times[*]})"
