#!/usr/bin/env bash
# The rebuild reads the runner's "sec" lines with its own parser (no JSON
# tree per line): the figures it gives must be those of the JSON path. A
# per-second run's journal is rebuilt as written, and again with every
# "sec" line re-serialised with other spacing (which only the JSON path
# reads) and with one damaged histogram; the summaries must be equal but
# for that histogram's second.
. "$(dirname "$0")/lib/common.sh"
TOOL=${ED_BUILD:?}/tests/integration/report_tool
# (its verdict is not this test's business: a busy machine may limit it)
"$EVENTDRILL" run "$SCEN/short-seconds.json" --quiet --no-report --out "$WORK/a" ||
  true
[ -s "$WORK/a/summary.json" ] || fail "the run wrote no summary"
cp -r "$WORK/a" "$WORK/b"
$PY - "$WORK/b/journal.jsonl" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
n = 0
for i, l in enumerate(lines):
    e = json.loads(l)
    if e["ev"] == "sec":
        lines[i] = json.dumps(e)  # ", " and ": ": not the runner's text
        n += 1
assert n > 4, n
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PYEOF
"$TOOL" summary "$WORK/a" >"$WORK/a.json" || fail "rebuild a"
"$TOOL" summary "$WORK/b" >"$WORK/b.json" || fail "rebuild b"
cmp "$WORK/a.json" "$WORK/b.json" >&2 || fail "the fast and the JSON path disagree"
"$TOOL" rebuild "$WORK/a" | grep -q "rebuild: 0 differences" || fail "rebuilt figures differ from the live ones"
# a histogram whose counts do not add up: both paths count the line and
# leave its latencies out
for d in a b; do
  $PY - "$WORK/$d/journal.jsonl" <<'PYEOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
for i, l in enumerate(lines):
    if '"sec"' in l and '"lat":' in l and not re.search(r'"count": ?0[,}]', l):
        lines[i] = re.sub(r'("count": ?)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1000), l, count=1)
        break
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PYEOF
done
"$TOOL" summary "$WORK/a" >"$WORK/a2.json"
"$TOOL" summary "$WORK/b" >"$WORK/b2.json"
cmp "$WORK/a2.json" "$WORK/b2.json" >&2 || fail "a damaged histogram is read differently by the two paths"
cmp -s "$WORK/a.json" "$WORK/a2.json" && fail "the damaged histogram was not left out"
pass "the rebuild's own sec parser gives the JSON path's figures"
