#!/usr/bin/env bash
# The watch without a terminal: alarm events as JSON lines on stdout, the
# hook run with each event on its stdin, a budget small enough to stretch
# the poll interval (13 requests for the first poll, which walks the device,
# at 8 requests/s: 1.625 s instead of 500 ms) and held per BMC in the
# simulator's access log, SIGTERM ending
# cleanly, `eventdrill report` on the folder; a killed watch leaves a
# journal the report still reads; and the usage errors.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/watch_lib.sh"
BUDGET=8
sim_start 3
write_files
OUT=$WORK/out
cd "$WORK"

# ---- usage errors -------------------------------------------------------
printf '{\n  "sensr": {"hold": "1x"}\n}\n' >bad-rules.json
expect_status 2 "$EVENTDRILL" watch fleet.json --rules bad-rules.json \
  --out "$WORK/never" 2>"$WORK/bad.err"
grep -q 'bad-rules.json:2:3: sensr: unknown alarm kind "sensr" (did you mean "sensor"?)' \
  "$WORK/bad.err" || fail "rules error: $(cat "$WORK/bad.err")"
expect_status 2 "$EVENTDRILL" watch fleet.json --interval 5x 2>/dev/null
expect_status 2 "$EVENTDRILL" watch fleet.json --budget 0 2>/dev/null
expect_status 2 "$EVENTDRILL" watch fleet.json --label role=nothing 2>"$WORK/label.err"
grep -q "fleet.json: --label role=nothing: no device has the label role=nothing" "$WORK/label.err" ||
  fail "label error: $(cat "$WORK/label.err")"
[ ! -e "$WORK/never" ] || fail "a failed start left a results folder"
pass "usage errors exit 2 with the file, line:column and path"

# ---- JSON lines, hook, budget -------------------------------------------
"$EVENTDRILL" watch fleet.json --plan plan.json --rules rules.json \
  --interval 500ms --budget $BUDGET --seed 3 --out "$OUT" \
  --hook "cat >>'$WORK/hook.jsonl'" >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
cleanup_hooks+=("kill -KILL $WATCH 2>/dev/null")
wait_for() { # wait_for FILE REGEX SECONDS
  local i
  for i in $(seq 1 $(($3 * 20))); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$WATCH" 2>/dev/null || break
    sleep 0.05
  done
  cat "$WORK/watch.err" >&2
  fail "$1 never showed /$2/"
}
wait_for "$OUT/journal.jsonl" '"ev":"poll","t":[0-9.]+,"device":"bmc-a","reachable":true' 5
ctl /down '{"bmc": 0}'
wait_for "$WORK/watch.out" '"ev":"alarm_raise".*"device":"bmc-a","kind":"unreachable"' 5
ctl /up '{"bmc": 0}'
wait_for "$WORK/watch.out" '"ev":"alarm_clear".*"device":"bmc-a"' 6
sleep 3 # polls at the stretched interval, for the budget check
kill -TERM "$WATCH"
status=0
wait "$WATCH" || status=$?
[ "$status" -eq 0 ] || fail "watch exited $status after SIGTERM: $(tail -5 "$WORK/watch.err")"
grep -q "watch ended (SIGTERM)" "$WORK/watch.err" || fail "no end line on stderr"
pass "SIGTERM ended the watch cleanly"

$PY - "$WORK" "$BUDGET" <<'PYEOF' || fail "JSON lines / hook / journal"
import json, sys
d, budget = sys.argv[1], float(sys.argv[2])
out = [json.loads(l) for l in open(d + "/watch.out")]
assert out, "no JSON line on stdout"
assert all(e["ev"].startswith("alarm_") for e in out), [e["ev"] for e in out]
a = [e for e in out if e["device"] == "bmc-a"]
assert [e["ev"] for e in a] == ["alarm_raise", "alarm_clear"], [e["ev"] for e in a]
assert a[0]["severity"] == "critical" and "unreachable" in a[0]["text"], a[0]
assert a[1]["duration_s"] > 0, a[1]
# The hook got every event, in order, each as one JSON document.
hook = [json.loads(l) for l in open(d + "/hook.jsonl")]
assert [(e["ev"], e["id"]) for e in hook] == [(e["ev"], e["id"]) for e in out], (hook, out)
ev = [json.loads(l) for l in open(d + "/out/journal.jsonl")]
kinds = [e["ev"] for e in ev]
assert kinds[0] == "watch_start" and kinds[-1] == "watch_end", kinds[-1]
assert ev[0]["mode"] == "json" and ev[0]["hook"] is True, ev[0]
assert "cat >>" not in json.dumps(ev[0]), "the hook's command is in the journal"
assert ev[-1]["reason"] == "SIGTERM", ev[-1]
ends = [e for e in ev if e["ev"] == "hook_end"]
assert len(ends) == len(out) and all(e["status"] == 0 for e in ends), ends
# The budget stretched every device's interval: 13 requests / 8 per s.
for dev in ("bmc-a", "bmc-b", "bmc-c"):
    b = [e for e in ev if e["ev"] == "budget" and e["device"] == dev]
    assert b and b[0]["stretched"] and b[0]["interval_ms"] == 1625, b
    polls = [e for e in ev if e["ev"] == "poll" and e["device"] == dev and e["reachable"]]
    # The first poll walks the device (13 requests); later ones read only
    # what it found (7).
    reqs = [p["requests"] for p in polls]
    assert reqs and reqs[0] == 13 and all(r == 7 for r in reqs[1:]), reqs
    starts = [p["t"] - p["duration_ms"] / 1000 for p in polls]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert gaps, (dev, gaps)
    # Each gap holds the budget for the largest of the last 4 polls.
    for i, gap in enumerate(gaps):
        need = max(reqs[max(0, i - 3):i + 1]) / 8.0
        assert gap >= need - 0.02, (dev, i, gap, need)
text = open(d + "/out/journal.jsonl").read() + open(d + "/watch.out").read()
assert "password" not in text, "a secret in the journal or the output"
print("%d alarm events on stdout and to the hook; polls apart as the budget wants" % len(out))
PYEOF
pass "JSON lines, hook, budget stretch in the journal"

access_check "$BUDGET"
pass "access log: only GET/HEAD, each BMC within $BUDGET requests/s"

# ---- the report ---------------------------------------------------------
rm -f "$OUT/report.md" "$OUT/report.html"
"$EVENTDRILL" report "$OUT" >"$WORK/report.out" || fail "eventdrill report failed"
grep -q "report: $OUT/report.html" "$WORK/report.out" || fail "$(cat "$WORK/report.out")"
for want in "# Watch report: lab-fleet" "## Timeline of alarms" \
  "| 1 | .* | bmc-a | unreachable | critical |" "## KPIs per device" \
  "| bmc-b | role=web,site=hall-a | [0-9]* | 100.0 % |" "stretched to 1.6 s by the budget" \
  "plots/watch-latency.png" "plots/watch-alarms.png"; do
  grep -q -- "$want" "$OUT/report.md" || fail "report.md lacks /$want/"
done
grep -Eq '\| bmc-a \| role=db,site=hall-a \| [0-9]+ \| [0-9.]+ % \|' "$OUT/report.md" ||
  fail "no availability for bmc-a"
grep -Eq '\| bmc-a \| role=db,site=hall-a \| [0-9]+ \| 100\.0 % \|' "$OUT/report.md" &&
  fail "bmc-a was down, yet 100 % available: $(grep "bmc-a" "$OUT/report.md")"
[ -s "$OUT/plots/watch-latency.png" ] && [ -s "$OUT/plots/watch-alarms.svg" ] ||
  fail "plots not drawn: $(cat "$OUT/plots/gnuplot.log" 2>/dev/null)"
grep -q "<svg" "$OUT/report.html" || fail "report.html has no inline plot"
pass "eventdrill report on the watch folder"

# ---- a killed watch -----------------------------------------------------
"$EVENTDRILL" watch fleet.json --interval 300ms --budget 100 --out "$WORK/killed" \
  >/dev/null 2>&1 &
K=$!
wait_for_polls() {
  for _ in $(seq 1 100); do
    local n
    n=$(grep -c '"ev":"poll"' "$WORK/killed/journal.jsonl" 2>/dev/null || true)
    [ "${n:-0}" -ge 6 ] && return
    sleep 0.05
  done
  fail "the watch to kill never polled"
}
wait_for_polls
kill -KILL "$K"
wait "$K" 2>/dev/null || true
"$EVENTDRILL" report "$WORK/killed" >/dev/null || fail "no report of a killed watch"
grep -q "INCOMPLETE WATCH" "$WORK/killed/report.md" || fail "killed watch not marked"
pass "a killed watch leaves a journal the report reads (marked incomplete)"

# ---- the latency plot: one block per device, in the fleet's order --------
# bmc-a down for several polls in a row: its gaps must not split its block
# and shift the devices after it.
G=$WORK/gaps
"$EVENTDRILL" watch fleet.json --interval 300ms --budget 100 --out "$G" \
  >/dev/null 2>"$WORK/gaps.err" &
WATCH=$!
cleanup_hooks+=("kill -KILL $WATCH 2>/dev/null")
count_polls() { # count_polls DEVICE REACHABLE
  grep -c "\"ev\":\"poll\",.*\"device\":\"$1\",\"reachable\":$2" \
    "$G/journal.jsonl" 2>/dev/null || true
}
wait_polls() { # wait_polls DEVICE REACHABLE COUNT
  for _ in $(seq 1 200); do
    [ "$(count_polls "$1" "$2")" -ge "$3" ] && return 0
    sleep 0.05
  done
  fail "never $3 polls of $1 with reachable=$2: $(tail -3 "$WORK/gaps.err")"
}
wait_polls bmc-a true 1
ctl /down '{"bmc": 0}'
wait_polls bmc-a false 3
ctl /up '{"bmc": 0}'
wait_polls bmc-a true "$(($(count_polls bmc-a true) + 1))"
kill -TERM "$WATCH"
wait "$WATCH" || fail "the watch of the gaps did not end cleanly"
"$EVENTDRILL" report "$G" >/dev/null || fail "no report of the gaps watch"
$PY - "$G" <<'PYEOF' || fail "watch-latency plot data"
import json, re, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
devs = [x["name"] for x in ev[0]["devices"]]
down = [e for e in ev if e["ev"] == "poll" and e["device"] == "bmc-a"
        and not e["reachable"]]
assert len(devs) == 3 and len(down) >= 3, (devs, len(down))
text = open(d + "/plots/watch-latency.dat").read()
body = text.split("\n", 1)[1]  # past the header comment
chunks = re.split(r"\n\n\n", body.strip("\n"))
assert len(chunks) == len(devs), ("blocks", len(chunks), "devices", devs)
for dev, chunk in zip(devs, chunks):
    lines = chunk.split("\n")
    assert lines[0] == "# " + dev, (dev, lines[0])
    assert "" not in lines, (dev, "a blank line splits the series")
    rows = [l.split() for l in lines[1:]]
    assert rows and all(len(r) == 2 for r in rows), (dev, rows[:3])
a = [r.split() for r in chunks[0].split("\n")[1:]]
assert sum(1 for r in a if r[1] == "NaN") >= len(down), (len(down), a)
gp = open(d + "/plots/watch-latency.gp").read()
terms = re.findall(r"^set terminal .*$", gp, re.M)
assert len(terms) == 2 and all("noenhanced" in t for t in terms), terms
for i, dev in enumerate(devs):
    assert re.search(r"index %d using 1:2 [^,]* title '%s'" % (i, re.escape(dev)),
                     gp), (i, dev)
print("%d devices, %d blocks, %d unreachable polls as gaps" %
      (len(devs), len(chunks), len(down)))
PYEOF
pass "watch-latency: one block per device, each labelled, gaps as NaN"
