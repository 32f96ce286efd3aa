#!/usr/bin/env bash
# The plots say what happened, as written: from real runs, the generated
# gnuplot scripts and data hold one block per series (a workload that sends
# nothing at first, a check that fails, keep their own block and index),
# text drawn without gnuplot's enhanced mode (http_4xx and poll_system are
# not subscripts), every workload labelled, the p99 SLO drawn on the
# latency plot, only the error classes that occurred (or a "no errors"
# note), and a recovery timeline whose bars have height, whose failed step
# is red, and whose "steady state back" marker sits at the measured RTO.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
command -v gnuplot >/dev/null || fail "gnuplot is not installed (scripts/install-deps.sh)"

# ---- a load run: classes, names, SLO ------------------------------------
L=$WORK/load
"$EVENTDRILL" run "$SCEN/plots-classes.json" --out "$L" --quiet >"$L.out" 2>&1 ||
  fail "run plots-classes: $(tail -5 "$L.out")"
$PY - "$L" <<'PYEOF' || fail "plots of the load run"
import json, re, sys
d = sys.argv[1] + "/plots/"
s = json.load(open(sys.argv[1] + "/summary.json"))
names = [w["name"] for w in s["workloads"]]
assert names == ["poll_system", "missing_path"], names

def blocks(path):
    """gnuplot's data blocks: separated by two blank lines; comments out."""
    text = open(path).read()
    out = []
    for b in re.split(r"\n\s*\n\s*\n", text):
        rows = [l for l in b.splitlines() if l.strip() and not l.startswith("#")]
        if rows:
            out.append(rows)
    return out, text

bl, text = blocks(d + "seconds.dat")
assert len(bl) == len(names), ("blocks", len(bl), "workloads", len(names))
# no single blank line inside a block either (it would split the series)
for chunk in re.split(r"\n\s*\n\s*\n", text):
    assert "\n\n" not in chunk.strip("\n"), "a blank line inside a block"
heads = re.findall(r"^# workload (.*)$", text, re.M)
assert heads == names, heads
for gp in ("latency", "rate", "errors", "percentiles"):
    g = open(d + gp + ".gp").read()
    terms = re.findall(r"^set terminal .*$", g, re.M)
    assert len(terms) == 2 and all("noenhanced" in t for t in terms), (gp, terms)
lat = open(d + "latency.gp").read()
for i, n in enumerate(names):
    for col, what in ((7, "p50"), (8, "p99"), (9, "max")):
        want = "index %d using 1:%d with lines" % (i, col)
        m = re.search(re.escape(want) + r"[^,]* title '([^']*)'", lat)
        assert m and m.group(1) == "%s %s" % (n, what), (want, m and m.group(1))
assert "250 with lines" in lat and "title 'SLO p99 target 250 ms'" in lat, lat
err = open(d + "errors.gp").read()
plot = [l for l in err.splitlines() if l.startswith("plot ")][0]
titles = re.findall(r"title '([^']*)'", plot)
bad = s["workloads"][1]["total"]["errors"]
assert titles == ["missing_path: http_4xx (%d)" % bad["http_4xx"]], (titles, bad)
assert "index 1 using 1:%d " % (9 + 5) in plot, plot  # http_4xx's column
assert "no errors" not in err
# the SVG holds the names as text, not as a subscript
svg = open(d + "latency.svg").read() + open(d + "errors.svg").read()
for n in ("poll_system p99", "missing_path p50", "http_4xx"):
    assert n in svg, n + " is not drawn as written"
print("load run: %d blocks for %d workloads; SLO line; classes %s" %
      (len(bl), len(names), titles))
PYEOF
pass "load run: one block per workload, noenhanced, labels, SLO line, error classes"

# ---- a drill whose RTO is over target: steady state back when measured ---
T=$WORK/tight
drill_run "$T" rehearse "$SCEN/drill-tight-rto.json"
drill_expect "$T" 1
# ---- a drill whose plan fails: the failed step in red -------------------
F=$WORK/wrong
drill_run "$F" rehearse "$SCEN/drill-wrong-plan.json"
drill_expect "$F" 1
$PY - "$T" "$F" <<'PYEOF' || fail "plots of the drills"
import json, re, sys
tight, wrong = sys.argv[1], sys.argv[2]

def recovery(d):
    gp = open(d + "/plots/recovery.gp").read()
    rows = [l.split() for l in open(d + "/plots/recovery.dat")
            if l.strip() and not l.startswith("#")]
    tics = re.search(r"^set ytics nomirror \((.*)\)$", gp, re.M).group(1)
    labels = re.findall(r"'([^']*)' (\d+)", tics)
    assert [int(n) for _, n in labels] == list(range(len(rows))), (labels, rows)
    assert [int(r[0]) for r in rows] == list(range(len(rows))), rows
    return gp, rows, [l for l, _ in labels]

for d in (tight, wrong):
    gp, rows, labels = recovery(d)
    plot = [l for l in gp.splitlines() if l.startswith("plot ")]
    assert len(plot) == 2 and all("($1-0.35):($1+0.35)" in p for p in plot), \
        "bars without height: %s" % plot
    terms = re.findall(r"^set terminal .*$", gp, re.M)
    assert len(terms) == 2 and all("noenhanced" in t for t in terms), terms
    ylo, yhi = map(float, re.search(r"^set yrange \[([-0-9.]+):([-0-9.]+)\]",
                                    gp, re.M).groups())
    assert ylo == len(rows) - 0.5 and yhi == -0.5, (ylo, yhi, len(rows))
    xlo, xhi = map(float, re.search(r"^set xrange \[([-0-9.e]+):([-0-9.e]+)\]",
                                    gp, re.M).groups())
    # every vertical line and its label inside the frame
    for x in re.findall(r"^set arrow \d+ from ([-0-9.e]+), graph 0", gp, re.M):
        assert xlo < float(x) < xhi, (x, xlo, xhi)
    for y in re.findall(r"^set label \d+ '[^']*' at [-0-9.e]+, graph ([0-9.]+)",
                        gp, re.M):
        assert 0 < float(y) < 1, y

# tight RTO: the steady state came back at fault_start + rto_s
s = json.load(open(tight + "/summary.json"))
f, = s["drill"]["faults"]
ev = [json.loads(l) for l in open(tight + "/journal.jsonl")]
fs = next(e for e in ev if e["ev"] == "fault_start")
rto = next(e for e in ev if e["ev"] == "rto")
back = fs["t"] + rto["rto_s"]
gp, rows, labels = recovery(tight)
m = re.search(r"^set arrow (\d+) from ([0-9.e]+), graph 0 .*\nset label \1 "
              r"'steady state back'", gp, re.M)
assert m and abs(float(m.group(2)) - back) < 0.01, (m and m.group(2), back)
assert rto["t"] - back > 0.5, "the test needs the rto event well after the moment"
m = re.search(r"^set arrow (\d+) from ([0-9.e]+), graph 0 .*\nset label \1 "
              r"'RTO target", gp, re.M)
assert m and abs(float(m.group(2)) - (fs["t"] + 1.0)) < 0.01, m
i = labels.index("bmc2-power-loss: RTO %.1f s" % f["rto_s"])
assert int(rows[i][3]) == 0xd35400, ("RTO over target not orange", rows[i])
lat = open(tight + "/plots/latency.gp").read()
m = re.search(r"^set arrow (\d+) from ([0-9.e]+), graph 0 .*\nset label \d+ "
              r"'steady state back'", lat, re.M)
assert m and abs(float(m.group(2)) - back) < 0.01, (m and m.group(2), back)
err = open(tight + "/plots/errors.gp").read()
assert "'no errors in this run'" in err, "no note on an errors plot without errors"

# wrong plan: the failed step red, named FAILED; the fault not recovered
s = json.load(open(wrong + "/summary.json"))
gp, rows, labels = recovery(wrong)
steps = s["drill"]["plans"][0]["steps"]
for st in steps:
    i = [k for k, l in enumerate(labels) if l.startswith("power-restore: %s (" % st["name"])]
    assert len(i) == 1, (st["name"], labels)
    rgb = int(rows[i[0]][3])
    if st["outcome"] == "failed":
        assert rgb == 0xc0392b and labels[i[0]].endswith(" FAILED"), (st, rows[i[0]])
    else:
        assert rgb != 0xc0392b and "FAILED" not in labels[i[0]], (st, rows[i[0]])
assert any(st["outcome"] == "failed" for st in steps), steps
i = labels.index("bmc2-power-loss: not recovered")
assert int(rows[i][3]) == 0xc0392b, rows[i]
assert "steady state back" not in gp, "a recovery drawn for a fault never recovered"
print("recovery plots: bars with height, failed step red, steady state at %.2f s" % back)
PYEOF
for d in "$L" "$T" "$F"; do
  for p in latency errors recovery; do
    [ "$p" = recovery ] && [ "$d" = "$L" ] && continue
    [ -s "$d/plots/$p.png" ] && [ -s "$d/plots/$p.svg" ] ||
      fail "$d: $p not drawn: $(cat "$d/plots/gnuplot.log" 2>/dev/null)"
  done
  if [ -s "$d/plots/gnuplot.log" ]; then
    fail "$d: gnuplot complained: $(cat "$d/plots/gnuplot.log")"
  fi
done
pass "drills: recovery timeline readable, steady state back at the measured RTO"

# ---- compare: run A is block 0, run B block 1, whatever each holds --------
"$EVENTDRILL" compare "$L" "$T" --out "$WORK/cmp" >/dev/null || fail "compare"
$PY - "$WORK/cmp/plots" <<'PYEOF' || fail "compare plot data"
import re, sys
d = sys.argv[1]
text = open(d + "/compare-latency.dat").read()
blocks = [b for b in re.split(r"\n\s*\n\s*\n", text.strip("\n")) if b.strip()]
assert len(blocks) == 2, len(blocks)
for b in blocks:
    assert "\n\n" not in b, "a blank line inside a block"
assert blocks[0].startswith("# run A") and blocks[1].startswith("# run B"), blocks
gp = open(d + "/compare-latency.gp").read()
terms = re.findall(r"^set terminal .*$", gp, re.M)
assert len(terms) == 2 and all("noenhanced" in t for t in terms), terms
print("compare: 2 blocks, A then B")
PYEOF
pass "compare: one block per run"
