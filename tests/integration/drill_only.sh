#!/usr/bin/env bash
# --only STEP runs just that step of the plan; the others are "not run",
# with the reason, in summary.json and the journal. Both modes. A name that
# is no step of the scenario is refused before any device is touched (exit
# 2, no results folder), with a suggestion or the list of steps.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
v=$WORK/verify
drill_run "$v" verify "$SCEN/drill-power-loss.json" --only detect
drill_expect "$v" 0
journal_parses "$v"
r=$WORK/rehearse
drill_run "$r" rehearse "$SCEN/drill-power-loss.json" --only "power on"
drill_expect "$r" 0
journal_parses "$r"
$PY - "$v" "$r" <<'PYEOF' || { drill_show "$r"; fail "--only"; }
import json, sys
for d, ran, skipped in ((sys.argv[1], "detect", "power on"),
                        (sys.argv[2], "power on", "detect")):
    s = json.load(open(d + "/summary.json"))
    ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
    p, = s["drill"]["plans"]
    st = {x["name"]: x for x in p["steps"]}
    assert st[ran]["outcome"] == "passed" and st[ran]["tries"] >= 1, st
    assert st[skipped]["outcome"] == "not run", st
    assert st[skipped]["reason"] == "not selected with --only", st
    assert st[skipped]["tries"] == 0, st
    starts = [e["step"] for e in ev if e["ev"] == "step_start"]
    assert starts == [ran], starts
    ends = {e["step"]: e for e in ev if e["ev"] == "step_end"}
    assert ends[skipped]["outcome"] == "not run" and \
        ends[skipped]["reason"] == "not selected with --only", ends
    assert s["verdict"]["pass"] is True, s["verdict"]
s = json.load(open(sys.argv[2] + "/summary.json"))
f, = s["drill"]["faults"]
assert f["state"] == "recovered" and f["rto_met"] is True, f
PYEOF
# unknown names: refused, never a drill that runs no step and passes
for mode in verify rehearse; do
  u=$WORK/typo-$mode
  drill_run "$u" "$mode" "$SCEN/drill-power-loss.json" --only "power onn"
  drill_expect "$u" 2
  grep -q -- '--only "power onn": no plan step has this name; did you mean "power on"?' "$u.err" ||
    { drill_show "$u"; fail "$mode --only typo: no suggestion"; }
  [ ! -e "$u" ] || fail "$mode --only typo: a results folder was made"
  u=$WORK/nope-$mode
  drill_run "$u" "$mode" "$SCEN/drill-power-loss.json" --only detect,nope
  drill_expect "$u" 2
  grep -q -- '--only "nope": no plan step has this name; the steps are: "detect", "power on"' "$u.err" ||
    { drill_show "$u"; fail "$mode --only nope: the steps are not listed"; }
  [ ! -e "$u" ] || fail "$mode --only nope: a results folder was made"
done
pass "--only: the chosen step ran, the other not run with its reason; unknown names refused"
