#!/usr/bin/env bash
# The false-green matrix: drills that must fail, each in its own way, and
# drills that must pass. For each, every output tells the same verdict with
# the same reasons (lib/verdict_check.py): the exit status, the terminal's
# VERDICT line, summary.json, the summary rebuilt from the journal alone
# (`eventdrill report DIR`, which must find no difference), the JUnit file
# (validated against the Jenkins xunit junit-10.xsd), report.html, and
# `eventdrill compare` against a passing drill.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
XSD="$ED_SRC/tests/schemas/junit-10.xsd"
command -v xmllint >/dev/null || fail "xmllint missing (scripts/install-deps.sh: libxml2-utils)"
[ -f "$XSD" ] || fail "no $XSD"

# check_outputs NAME WANT STATUS TERMINAL REASON...: rebuild the report
# from the journal (it must agree with summary.json), validate both JUnit
# files, and compare every output.
check_outputs() {
  local name=$1 want=$2 st=$3 term=$4; shift 4
  local r=$WORK/$name rc=0
  "$EVENTDRILL" report "$r" --junit "$r.rebuilt-junit.xml" >"$r.report" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || { cat "$r.report"; fail "$name: eventdrill report exited $rc (rebuilt differs?)"; }
  for x in "$r.junit.xml" "$r.rebuilt-junit.xml"; do
    [ -f "$x" ] || continue
    xmllint --noout --schema "$XSD" "$x" 2>"$x.lint" ||
      { cat "$x.lint" "$x"; fail "$name: $(basename "$x") does not validate"; }
  done
  local junit=$r.junit.xml
  [ -f "$junit" ] || junit=$r.rebuilt-junit.xml
  $PY "$ED_TESTS/lib/verdict_check.py" "$r" "$want" "$st" "$term" "$junit" "$@" ||
    { [ "$term" = - ] || drill_show "$r"; fail "$name: outputs disagree"; }
  # The JUnit file `report` writes renders the same model.
  $PY "$ED_TESTS/lib/verdict_check.py" "$r" "$want" - - "$r.rebuilt-junit.xml" "$@" \
    >/dev/null || fail "$name: the rebuilt JUnit disagrees"
  # compare against the passing drill: the same verdict, the same reasons.
  if [ "$name" != pass ] && [ -d "$WORK/pass" ]; then
    "$EVENTDRILL" compare "$r" "$WORK/pass" --out "$r.cmp" >/dev/null ||
      fail "$name: compare exited $?"
    $PY - "$r.cmp/compare.md" "$r" "$want" <<'PYEOF' || fail "$name: compare disagrees"
import json, os, re, sys
md, d, want = sys.argv[1], sys.argv[2], sys.argv[3]
# the text as a reader of the Markdown sees it: its escapes undone
md = re.sub(r"\\([\\`*_\[\]#|~!<>])", r"\1", open(md).read())
md = md.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
s = d + "/summary.json"
v = json.load(open(s if os.path.exists(s) else d + "/summary.rebuilt.json"))["verdict"]
assert "verdict A: " + want in md and "verdict B: PASS" in md, md
for r in v["reasons"]:
    assert "- " + r in md, (r, md)
PYEOF
  fi
}

# case NAME MODE SCENARIO WANT REASON...: run a drill and check it.
case_run() {
  local name=$1 mode=$2 scen=$3 want=$4; shift 4
  drill_run "$WORK/$name" "$mode" "$scen" --junit "$WORK/$name.junit.xml"
  check_outputs "$name" "$want" "$status" "$WORK/$name.err" "$@"
}

# A simulated BMC or two that power off and on quickly.
targets='"targets": {
  "bmc1": { "driver": "redfish", "rehearsal": true, "auth": "basic",
            "sim": { "power": { "on": "200ms", "off": "100ms" } } },
  "bmc2": { "driver": "redfish", "rehearsal": true, "auth": "basic",
            "sim": { "power": { "on": "200ms", "off": "100ms" } } } }'
poll='"workloads": [ { "name": "poll", "targets": ["bmc1"],
  "op": { "get": "/redfish/v1/Systems/{first}" },
  "rate": [ { "name": "steady", "constant": 10, "for": "2s" } ] } ]'
power() { # power NAME TARGET WANT MODE: a check of a BMC's power state
  printf '"%s": { "target": "%s", "op": { "get": { "path": "/redfish/v1/Systems/{first}", "pointer": "/PowerState" } }, "expect": { "equals": "%s" }, "mode": "%s"' "$1" "$2" "$3" "$4"
  [ "$4" = continuous ] && printf ', "every": "250ms"'
  printf ' }'
}
scen() { # scen NAME BODY...: write $WORK/NAME.json
  local name=$1; shift
  printf '{ "name": "%s", "seed": 1, %s }\n' "$name" "$(IFS=,; echo "$*")" >"$WORK/$name.json"
}

# The passing drill first: every failing one is compared against it.
case_run pass rehearse "$SCEN/drill-power-loss.json" PASS

# 1. a before check fails: the drill does not start
scen before "$targets" "$poll" "\"checks\": { $(power off-before bmc1 Off before) }" \
  '"slo": { "error_rate": 0.01 }'
case_run before rehearse "$WORK/before.json" FAIL \
  "check off-before failed before the drill"
$PY - "$WORK/before/summary.json" <<'PYEOF' || fail "before: an SLO was judged on a drill that never ran"
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
slo = [i for i in v["items"] if i["kind"] in ("slo", "load")]
assert slo and all(i["status"] == "not run" for i in slo), slo
PYEOF

# 2. an after check fails
scen after "$targets" "$poll" "\"checks\": { $(power off-after bmc1 Off after) }"
case_run after rehearse "$WORK/after.json" FAIL "check off-after failed after the drill"

# 3. a guardrail aborts
case_run guardrail rehearse "$SCEN/drill-guard-errors.json" FAIL "aborted: "

# 4. an undo fails (its action names a reset the BMC refuses)
scen undo "$targets" "$poll" '"faults": [ { "name": "off", "at": "500ms", "target": "bmc2",
  "action": { "reset": "ForceOff" },
  "undo": { "action": { "reset": "PushPowerButtonTwice" }, "when": "always" } } ]'
case_run undo rehearse "$WORK/undo.json" FAIL "fault off: its undo failed"

# 5. a fault without a plan or an undo, whose verification finds the BMC
# still off: not recovered
scen noplan "$targets" "$poll" "\"checks\": { $(power bmc2-on bmc2 On continuous) }" \
  '"faults": [ { "name": "off", "at": "500ms", "target": "bmc2",
  "action": { "reset": "ForceOff" }, "verify": ["bmc2-on"] } ]'
case_run noplan rehearse "$WORK/noplan.json" FAIL "fault off: verification bmc2-on"
$PY - "$WORK/noplan/summary.json" <<'PYEOF' || fail "noplan: its recovery"
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
r, = [i for i in v["items"] if i["kind"] == "recovery"]
assert r["status"] == "failed" and "plan" not in r, r
PYEOF

# 6. an RTO over its target
case_run tight rehearse "$SCEN/drill-tight-rto.json" FAIL "is over its target of"

# 7. a plan that acts on the wrong target: its step names target and action
case_run wrong rehearse "$SCEN/drill-wrong-plan.json" FAIL \
  "fault bmc2-power-loss: plan power-restore failed"
$PY - "$WORK/wrong/summary.json" "$WORK/wrong.junit.xml" <<'PYEOF' || fail "wrong: the step's target and action"
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
st, = [i for i in v["items"] if i["kind"] == "step" and i["status"] == "failed"]
assert st["target"] == "bmc1" and "reset" in st["operation"], st
rec, = [i for i in v["items"] if i["kind"] == "recovery"]
assert rec["status"] == "failed" and rec["plan"] == "power-restore", rec
junit = open(sys.argv[2]).read()
assert 'type="step"' in junit and 'type="recovery"' in junit, junit
md = open(sys.argv[1].replace("summary.json", "report.md")).read()
assert '| power-restore | power on | bmc1 | reset "On" on bmc1 | failed |' in md, md
assert "| bmc2-power-loss | bmc2 | not recovered | power-restore | not recovered |" in md, md
PYEOF

# 8. SIGINT
scen sigint "$targets" '"workloads": [ { "name": "poll", "targets": ["bmc1"],
  "op": { "get": "/redfish/v1/Systems/{first}" },
  "rate": [ { "name": "steady", "constant": 10, "for": "60s" } ] } ]'
"$EVENTDRILL" rehearse "$WORK/sigint.json" --plain --out "$WORK/sigint" \
  --junit "$WORK/sigint.junit.xml" >"$WORK/sigint.out" 2>"$WORK/sigint.err" &
pid=$!
cleanup_hooks+=("kill -9 $pid 2>/dev/null")
for _ in $(seq 100); do
  grep -q '"ev":"sec"' "$WORK/sigint/journal.jsonl" 2>/dev/null && break
  sleep 0.1
done
kill -INT $pid
status=0
wait $pid || status=$?
check_outputs sigint FAIL "$status" "$WORK/sigint.err" "interrupted by a signal"

# 9. SIGKILL during a fault, then recover: no summary.json, no terminal;
# the report rebuilt from the journal fails the run and credits the undo.
scen killed "$targets" '"workloads": [ { "name": "poll", "targets": ["bmc1"],
  "op": { "get": "/redfish/v1/Systems/{first}" },
  "rate": [ { "name": "steady", "constant": 10, "for": "60s" } ] } ]' \
  '"faults": [ { "name": "off", "at": "500ms", "target": "bmc2",
  "action": { "reset": "ForceOff" }, "undo": { "action": { "reset": "On" }, "when": "always" } } ]'
"$EVENTDRILL" rehearse "$WORK/killed.json" --plain --out "$WORK/killed" \
  >"$WORK/killed.out" 2>&1 &
pid=$!
cleanup_hooks+=("kill -9 $pid 2>/dev/null")
for _ in $(seq 100); do
  grep -q '"ev":"fault_end"' "$WORK/killed/journal.jsonl" 2>/dev/null && break
  sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null || true
check_outputs killed FAIL - - "the run did not finish" "fault off: its undo is owed"
rm -f "$WORK/killed/summary.rebuilt.json" "$WORK/killed/report.html"
# recover runs the owed undo (on a simulator it starts afresh); the rebuilt
# verdict still fails the run, and judges the undo by recover's undo_end.
"$EVENTDRILL" recover "$WORK/killed" --yes >"$WORK/killed.recover" 2>&1 ||
  { cat "$WORK/killed.recover"; fail "recover failed"; }
check_outputs killed FAIL - - "the run did not finish"
$PY - "$WORK/killed" <<'PYEOF' || fail "killed: the undo recover ran is not credited"
import json, sys
d = sys.argv[1]
ev = []
for l in open(d + "/journal.jsonl"):
    try:
        ev.append(json.loads(l))
    except ValueError:
        pass
ue, = [e for e in ev if e["ev"] == "undo_end"]
v = json.load(open(d + "/summary.rebuilt.json"))["verdict"]
u, = [i for i in v["items"] if i["kind"] == "undo"]
assert u["status"] == ("passed" if ue["ok"] else "failed"), (u, ue)
assert ue["t"] > [e for e in ev if e["ev"] == "fault_start"][0]["t"], ue
PYEOF

# 10. a run limited by the runner (its in-flight cap drops requests)
case_run cap rehearse "$SCEN/cap-limit.json" FAIL "runner limit: workload poll"

# 11. a run that completes no request: no data is not "met"
scen nodata "$targets" '"workloads": [ { "name": "late", "targets": ["bmc1"],
  "op": { "get": "/redfish/v1/Systems/{first}" }, "start": "20s",
  "rate": [ { "name": "steady", "constant": 10, "for": "2s" } ] } ]' \
  '"slo": { "p99_ms": 500, "error_rate": 0.01 }' '"limits": { "time_limit": "1500ms" }'
case_run nodata rehearse "$WORK/nodata.json" FAIL "workload late: no data"
$PY - "$WORK/nodata/summary.json" <<'PYEOF' || fail "nodata: an SLO passed on no data"
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
slo = [i for i in v["items"] if i["kind"] == "slo"]
assert len(slo) == 2 and all(i["status"] == "failed" for i in slo), slo
md = open(sys.argv[1].replace("summary.json", "report.md")).read()
assert "| late | p99_ms | 500 | no data | NO |" in md, md
PYEOF

# 12. verify whose check is red on the live fleet
scen verify "$targets" "\"checks\": { $(power off-live bmc1 Off continuous) }"
case_run verify verify "$WORK/verify.json" FAIL "check off-live is red on the live fleet"

# 13. a preflight failure: a real simulator refuses the password
EDSIM_PASSWORD=right "$ED_BIN/eventdrill-sim" --bmcs 1 --mode ports \
  --address 127.0.0.1 --port 0 --password-env EDSIM_PASSWORD \
  >"$WORK/sim.out" 2>"$WORK/sim.err" &
sim=$!
cleanup_hooks+=("kill $sim 2>/dev/null")
for _ in $(seq 50); do grep -q serving "$WORK/sim.out" && break; sleep 0.1; done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/sim.out" | head -1)
[ -n "$url" ] || fail "eventdrill-sim did not start"
scen preflight "\"targets\": { \"real\": { \"driver\": \"redfish\", \"url\": \"$url\",
  \"credentials\": \"env:EDTEST_CREDS\", \"auth\": \"session\", \"rehearsal\": true } }" \
  '"workloads": [ { "name": "poll", "targets": ["real"], "op": { "get": "/redfish/v1" },
  "rate": [ { "name": "steady", "constant": 5, "for": "1s" } ] } ]'
EDTEST_CREDS=admin:wrong case_run preflight rehearse "$WORK/preflight.json" FAIL \
  "preflight: target real could not start"

# The other passing drills say PASS everywhere, and name only what was
# judged.
scen nofault "$targets" "$poll" "\"checks\": { $(power on bmc1 On continuous) }" \
  '"slo": { "error_rate": 0.01 }'
case_run nofault rehearse "$WORK/nofault.json" PASS
grep -q "every judged item passed: 1 SLO met" "$WORK/nofault/report.md" ||
  fail "nofault: the report's verdict sentence"
grep -qi "fault.* recovered" "$WORK/nofault/report.md" &&
  fail "nofault: the report praises faults that did not exist"
grep -q "^## RTO\|^## Plan steps" "$WORK/nofault/report.md" &&
  fail "nofault: RTO or plan tables for a drill without fault or plan"
# compare: the wrong plan against the passing drill. The fault never
# recovered reads "not recovered" (never a number), the verdicts and their
# reasons are those of each run, and the runs' scenarios differ: said first.
"$EVENTDRILL" compare "$WORK/wrong" "$WORK/pass" --out "$WORK/cmp" >"$WORK/cmp.out" ||
  fail "compare exited $?"
$PY - "$WORK/cmp/compare.md" "$WORK/wrong/summary.json" "$WORK/pass/summary.json" <<'PYEOF' ||
import json, re, sys
# the text as a reader of the Markdown sees it: its escapes undone
md = re.sub(r"\\([\\`*_\[\]#|~!<>])", r"\1", open(sys.argv[1]).read())
md = md.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
a, b = (json.load(open(p)) for p in sys.argv[2:4])
assert md.split("\n")[2].startswith("**WARNING: A and B are runs of different scenarios**"), md[:400]
rb, = [f for f in b["drill"]["faults"] if f["name"] == "bmc2-power-loss"]
row = "| bmc2-power-loss | not recovered | %.1f | 8.0 |" % rb["rto_s"]
assert row in md, (row, md)
assert "verdict A: FAIL" in md and "verdict B: PASS" in md, md
for r in a["verdict"]["reasons"]:
    assert "- " + r in md, r
PYEOF
  { cat "$WORK/cmp/compare.md"; fail "compare of a failing and a passing run"; }
for s in quickstart bmc-power-loss; do
  case_run "$s" rehearse "$ED_SRC/scenarios/$s.json" PASS
done
pass "verdict matrix: 13 failing drills fail everywhere, passing ones pass everywhere"
