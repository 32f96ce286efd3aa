#!/bin/bash
# The summary rebuilt from journal.jsonl alone equals summary.json (a
# per-request and a per-second journal); the report is written with real
# gnuplot plots (each SVG parses as XML), holds no script, no remote asset
# and no secret; a journal cut mid-line still gives a report, marked
# incomplete.
set -euo pipefail
BIN=${ED_BIN:?}/eventdrill
TOOL=${ED_BUILD:?}/tests/integration/report_tool
SC=${ED_TESTS:?}/scenarios
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A credentials value that must appear in no output file.
export ED_REPORT_TEST_SECRET="s3cr3t-$$-report"
for s in short-requests short-seconds; do
  "$BIN" run "$SC/$s.json" --out "$W/$s" --quiet >/dev/null 2>&1 ||
    [ $? -eq 3 ] || fail "run $s"
  "$TOOL" rebuild "$W/$s" || fail "$s: rebuilt figures differ from summary.json"
  "$TOOL" report "$W/$s" "$W/$s/junit.xml" || fail "$s: report"
  for f in report.md report.html summary.rebuilt.json junit.xml; do
    [ -s "$W/$s/$f" ] || fail "$s: no $f"
  done
  xmllint --noout --schema "$ED_SRC/tests/schemas/junit-10.xsd" "$W/$s/junit.xml" ||
    fail "$s: junit.xml does not follow junit-10.xsd"
  H="$W/$s/report.html"
  grep -qi '<script' "$H" && fail "$s: a script in report.html"
  grep -Eqi '(src|href)="https?://' "$H" && fail "$s: a remote asset"
  grep -Eqi '<link ' "$H" && fail "$s: a linked asset"
  grep -rq "$ED_REPORT_TEST_SECRET" "$W/$s" && fail "$s: the secret leaked"
  python3 - "$W/$s" <<'PY' || fail "$s: report checks"
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
md = open(d + "/report.md").read()
# every phase's requests and p99 in report.md equal summary.json's
for w in s["workloads"]:
    for ph in w["phases"] + [dict(w["total"], name="total")]:
        row = "| %s | %s |" % (w["name"], ph["name"])
        line = [l for l in md.splitlines() if l.startswith(row)]
        assert line, "no row " + row
        cells = [c.strip() for c in line[0].strip("|").split("|")]
        assert int(cells[4]) == ph["requests"], (row, cells[4])
        assert float(cells[10]) == ph["latency_ms"]["p99"], (row, cells[10])
ET.parse(d + "/junit.xml")
for name in ("latency", "rate", "errors", "percentiles"):
    svg = open(d + "/plots/%s.svg" % name).read()
    ET.fromstring(svg)  # parses as XML
    assert "<path" in svg or "<polyline" in svg, name + " has no series"
print("report checks ok:", d)
PY
done

# A journal cut mid-line, without summary.json: still a report, incomplete.
C="$W/cut"
mkdir "$C"
cp "$W/short-seconds"/scenario-* "$C/"
head -c $(( $(stat -c %s "$W/short-seconds/journal.jsonl") * 2 / 3 )) \
  "$W/short-seconds/journal.jsonl" > "$C/journal.jsonl"
"$TOOL" report "$C" || fail "report of a cut journal"
grep -q "INCOMPLETE RUN" "$C/report.md" || fail "not marked incomplete"
grep -q "cut mid-write" "$C/report.md" || fail "partial line not reported"
python3 -c "
import json,sys
r=json.load(open('$C/summary.rebuilt.json'))
assert r['rebuilt']['complete'] is False and r['interrupted'] is True
" || fail "rebuilt summary of a cut journal"
echo "report_rebuild: ok"
