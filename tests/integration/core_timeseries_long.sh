#!/usr/bin/env bash
# A run longer than the seconds the runner keeps in memory: timeseries.csv
# still has every second of every workload, read back from the series'
# temporary file, and its rows add up to the summary's totals; the file
# leaves nothing in $TMPDIR. Where $TMPDIR cannot hold it, the series is
# kept in memory instead (said on stderr) and the file is the same.
. "$(dirname "$0")/lib/common.sh"
cat >"$WORK/long.json" <<'JSON'
{ "name": "timeseries-long", "seed": 3,
  "targets": { "a": { "driver": "redfish", "rehearsal": true, "sim": {} },
               "b": { "driver": "redfish", "rehearsal": true, "sim": {} } },
  "workloads": [
    { "name": "one", "targets": ["a", "b"], "op": { "get": "/redfish/v1" },
      "rate": [ { "name": "low", "constant": 10, "for": "10s" },
                { "name": "high", "constant": 20, "for": "10s" } ] },
    { "name": "two", "targets": ["b"], "op": { "get": "/redfish/v1/Systems" },
      "arrival": "poisson", "rate": [ { "name": "steady", "constant": 15, "for": "20s" } ] } ],
  "journal": { "requests": "aggregate" } }
JSON

check() { # results folder
  $PY - "$1/summary.json" "$1/timeseries.csv" <<'PYEOF' || fail "$1: timeseries.csv and summary.json disagree"
import csv, json, sys
s = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
for w in s["workloads"]:
    mine = [r for r in rows if r["workload"] == w["name"]]
    secs = [int(r["second"]) for r in mine]
    # every second from 0, once, in order: more than the 16 kept in memory
    assert secs == list(range(len(secs))) and len(secs) >= 19, (w["name"], secs)
    for key in ("sent", "completed", "ok"):
        got = sum(int(r[key]) for r in mine)
        want = w["total"]["requests" if key == "sent" else key]
        assert got == want, (w["name"], key, got, want)
    assert sum(int(r["sent"]) for r in mine[:8]) > 0, (w["name"], "no early sends")
one = [r for r in rows if r["workload"] == "one"]
assert one[2]["phase"] == "low" and one[15]["phase"] == "high", one
assert sum(int(r["sent"]) for r in one[12:18]) > sum(int(r["sent"]) for r in one[2:8]), one
PYEOF
}

mkdir "$WORK/tmp"
TMPDIR="$WORK/tmp" "$EVENTDRILL" run "$WORK/long.json" --quiet --out "$WORK/r1" 2>"$WORK/err1" ||
  fail "run with TMPDIR exited $?: $(cat "$WORK/err1")"
check "$WORK/r1"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "files left in TMPDIR: $(ls -A "$WORK/tmp")"

grep -q "per-second series" "$WORK/err1" && fail "unexpected warning: $(cat "$WORK/err1")"

TMPDIR="$WORK/none" "$EVENTDRILL" run "$WORK/long.json" --quiet --out "$WORK/r2" 2>"$WORK/err2" ||
  fail "run without TMPDIR exited $?: $(cat "$WORK/err2")"
check "$WORK/r2"
grep -q "cannot make a temporary file in $WORK/none for the per-second series" "$WORK/err2" ||
  fail "no warning that the series stayed in memory: $(cat "$WORK/err2")"
pass "timeseries.csv of a 20 s run: every second, adding up to the totals"
