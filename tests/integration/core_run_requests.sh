#!/usr/bin/env bash
# A short run against two in-process simulated BMCs with every request
# journaled: exit 0, and summary.json agrees with journal.jsonl.
. "$(dirname "$0")/lib/common.sh"
expect_status 0 "$EVENTDRILL" run "$SCEN/short-requests.json" --quiet --out "$WORK/r"
for f in journal.jsonl summary.json timeseries.csv scenario-short-requests.json; do
  [ -s "$WORK/r/$f" ] || fail "$f missing"
done
$PY "$ED_TESTS/lib/journal_check.py" "$WORK/r" || fail "summary and journal disagree"
# every request of the plan was sent, none failed, none late
$PY - "$WORK/r/summary.json" <<'PYEOF' || fail "summary figures"
import json, sys
s = json.load(open(sys.argv[1]))
w = {x["name"]: x for x in s["workloads"]}
sys_total = w["system"]["total"]
assert sys_total["requests"] == sys_total["expected"], sys_total
assert sys_total["ok"] == sys_total["requests"], sys_total
assert sys_total["late"] == 0 and sys_total["dropped"] == 0
assert len(w["system"]["per_target"]) == 2
root = w["root"]["total"]
assert root["ok"] == root["completed"] > 40, root
# 2 x 120 req/s at most against caps of 64: the cap never limits. (Whether
# the runner's CPU kept up depends on the machine: that is the benchmarks'
# business, not this test's.)
assert not any("in-flight cap" in w for w in s["runner"]["warnings"]), s["runner"]
assert all("password" not in json.dumps(t) for t in s["targets"])
PYEOF
pass "per-request run consistent with its journal"
