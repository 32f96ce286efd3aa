#!/usr/bin/env bash
# eventdrill compare A B [C ...]: runs side by side from their journals,
# the changes, and the overlaid latency plot, in Markdown and one HTML page.
. "$(dirname "$0")/lib/common.sh"
expect_status 0 "$EVENTDRILL" run "$SCEN/short-requests.json" --quiet --no-report --out "$WORK/a"
expect_status 0 "$EVENTDRILL" run "$SCEN/short-seconds.json" --quiet --no-report --out "$WORK/b"
"$EVENTDRILL" compare "$WORK/a" "$WORK/b" --out "$WORK/c" >"$WORK/out" || fail "compare"
md="$WORK/c/compare.md"
[ -s "$md" ] || fail "no compare.md"
# every workload and phase of both runs, with A's and B's p99 as in their
# summaries
$PY - "$WORK/a/summary.json" "$WORK/b/summary.json" "$md" <<'PYEOF' || fail "compare table"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
md = open(sys.argv[3]).read()
for wa in a["workloads"]:
    wb = next(w for w in b["workloads"] if w["name"] == wa["name"])
    for pa in wa["phases"]:
        pb = next(p for p in wb["phases"] if p["name"] == pa["name"])
        cells = "| %s | %.2f | %.2f |" % ("", pa["latency_ms"]["p99"], pb["latency_ms"]["p99"])
        line = next(l for l in md.splitlines() if l.startswith("| %s | %s |" % (wa["name"], pa["name"])))
        assert ("| %.2f | %.2f |" % (pa["latency_ms"]["p99"], pb["latency_ms"]["p99"])) in line, line
PYEOF
$PY -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$WORK/c/plots/compare-latency.svg" ||
  fail "compare plot is not valid SVG"
grep -q "compare-latency.svg" "$md" || fail "plot not referenced"
# the two runs are of different scenarios: the first thing said
sed -n 3p "$md" | grep -q "^\*\*WARNING: A and B are runs of different scenarios\*\*" ||
  fail "no warning that the scenarios differ"
# a run compared with itself: no warning
"$EVENTDRILL" compare "$WORK/a" "$WORK/a" --out "$WORK/same" >/dev/null || fail "compare A A"
grep -q "WARNING" "$WORK/same/compare.md" && fail "a warning for one scenario"
# one self-contained HTML page says the same, the plot inline
h="$WORK/c/compare.html"
[ -s "$h" ] || fail "no compare.html"
grep -q '<p class="warning"><strong>WARNING: A and B are runs of different scenarios' "$h" ||
  fail "compare.html: no warning"
grep -q "<svg" "$h" || fail "compare.html: the plot is not inline"
grep -Eqi '<script|(src|href)="https?://' "$h" && fail "compare.html is not self-contained"
# a series of three runs; a workload and phases one run has and the others
# lack are listed as such, never dropped
expect_status 1 "$EVENTDRILL" run "$SCEN/cap-limit.json" --quiet --no-report --out "$WORK/cap"
"$EVENTDRILL" compare "$WORK/a" "$WORK/b" "$WORK/cap" --out "$WORK/c3" >/dev/null || fail "compare A B C"
md3="$WORK/c3/compare.md"
grep -q "^| workload | phase | A req/s | B req/s | C req/s | Δ |" "$md3" || fail "three runs: header"
grep -q "^| poll | steady (only in C) | — | — | " "$md3" || fail "three runs: C's own phase"
grep -q "^| system | low (only in A, B) | " "$md3" || fail "three runs: a phase C lacks"
grep -q "^verdict C: FAIL" "$md3" || fail "three runs: C's verdict"
expect_status 2 "$EVENTDRILL" compare "$WORK/a" "$WORK/nothing"
expect_status 2 "$EVENTDRILL" compare "$WORK/a"
pass "compare"
