#!/usr/bin/python3
"""Checks a results folder against its own journal: its sec lines are one
per target and second, in the order of the seconds; the counts of
summary.json must equal those rebuilt from journal.jsonl, and its latency
percentiles must be those of the journal's latencies (exactly, through the
same histogram layout, and within the stated error of the exact values).

usage: journal_check.py RESULTS_DIR [--expect-interrupted]
Exit status 0 when consistent; prints what differs otherwise."""
import json
import math
import sys
from collections import defaultdict

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


class Layout:
    """The histogram layout of core/load/histogram.c, rebuilt independently."""

    def __init__(self, sigfigs):
        want = 2 * 10 ** sigfigs
        self.sub_bits = (want - 1).bit_length()
        self.half_bits = self.sub_bits - 1
        self.sub_mask = (1 << self.sub_bits) - 1

    def slot_of(self, v):
        msb = (v | self.sub_mask).bit_length() - 1
        b = msb - self.half_bits
        return (b << self.half_bits) + (v >> b)

    def slot_hi(self, i):
        top = i >> self.half_bits
        b = top - 1 if top > 1 else 0
        sub = i - (b << self.half_bits)
        return (sub << b) + (1 << b) - 1


def rank_of(p, count):
    if p >= 100:
        return count
    k = math.ceil(p / 100.0 * count * (1.0 - 1e-13))
    return min(max(k, 1), count)


def hist_percentile(layout, slots, vmax, p):
    count = sum(slots.values())
    if count == 0:
        return 0
    rank = rank_of(p, count)
    seen = 0
    for i in sorted(slots):
        seen += slots[i]
        if seen >= rank:
            return min(layout.slot_hi(i), vmax)
    return vmax


def exact_percentile(values, p):
    s = sorted(values)
    return s[rank_of(p, len(s)) - 1]


PCTS = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]


def main():
    rdir = sys.argv[1]
    expect_interrupted = "--expect-interrupted" in sys.argv
    events = []
    with open(rdir + "/journal.jsonl") as f:
        for n, line in enumerate(f, 1):
            try:
                events.append(json.loads(line))
            except ValueError as e:
                fail("journal line %d is not JSON: %s" % (n, e))
    summary = json.load(open(rdir + "/summary.json"))
    if not events or events[0]["ev"] != "run_start":
        fail("the journal does not start with run_start")
    if events[-1]["ev"] != "run_end":
        fail("the journal does not end with run_end")
    start = events[0]
    if start["scenario_sha256"] != summary["scenario_sha256"]:
        fail("scenario hash differs between journal and summary")
    if summary["interrupted"] != expect_interrupted:
        fail("summary interrupted=%s, expected %s" %
             (summary["interrupted"], expect_interrupted))
    if events[-1]["interrupted"] != expect_interrupted:
        fail("run_end interrupted=%s" % events[-1]["interrupted"])
    layout = Layout(start["sigfigs"])
    per_request = start["journal"] == "requests"

    # counts[(w, ph)] and latencies[(w, ph)] from the journal
    counts = defaultdict(lambda: defaultdict(int))
    lat_values = defaultdict(list)
    lat_slots = defaultdict(lambda: defaultdict(int))
    lat_max = defaultdict(int)
    nreq = defaultdict(int)
    # Each target's second is one line, and every line of a second comes
    # before any of the next: a report rebuilt from the journal reads the
    # per-second series in that order.
    sec_seen = set()
    sec_last = -1
    for e in events:
        if e["ev"] == "sec":
            one = (e["w"], e["tg"], e["ph"], e["sec"])
            if one in sec_seen:
                fail("two sec lines for workload %d, target %d, phase %d, second %d" % one)
            sec_seen.add(one)
            if e["sec"] < sec_last:
                fail("a sec line of second %d after one of second %d" % (e["sec"], sec_last))
            sec_last = max(sec_last, e["sec"])
            key = (e["w"], e["ph"])
            for k in ("sent", "completed", "ok", "late", "dropped"):
                counts[key][k] += e[k]
            for cls, n in e["errors"].items():
                counts[key]["err_" + cls] += n
            if not per_request:
                for i, c in e["lat"]["counts"]:
                    lat_slots[key][i] += c
                lat_max[key] = max(lat_max[key], e["lat"]["max"])
        elif e["ev"] == "req":
            key = (e["w"], e["ph"])
            nreq[key] += 1
            v = e["lat_us"]
            lat_values[key].append(v)
            lat_slots[key][layout.slot_of(v)] += 1
            lat_max[key] = max(lat_max[key], v)

    checked = 0
    for w, wl in enumerate(summary["workloads"]):
        for ph, phase in enumerate(wl["phases"]):
            key = (w, ph)
            c = counts[key]
            for k, sk in (("sent", "requests"), ("completed", "completed"),
                          ("ok", "ok"), ("late", "late"),
                          ("dropped", "dropped")):
                if c[k] != phase[sk]:
                    fail("%s/%s: %s journal %d, summary %d" %
                         (wl["name"], phase["name"], sk, c[k], phase[sk]))
                checked += 1
            for cls, n in phase["errors"].items():
                if c["err_" + cls] != n:
                    fail("%s/%s: errors %s journal %d, summary %d" %
                         (wl["name"], phase["name"], cls, c["err_" + cls], n))
            if per_request and nreq[key] != phase["completed"]:
                fail("%s/%s: %d req events, %d completed in summary" %
                     (wl["name"], phase["name"], nreq[key], phase["completed"]))
            lat = phase["latency_ms"]
            if phase["completed"] == 0:
                continue
            for name, p in PCTS:
                rebuilt = hist_percentile(layout, lat_slots[key],
                                          lat_max[key], p) / 1000.0
                if abs(rebuilt - lat[name]) > 1e-9:
                    fail("%s/%s: %s rebuilt %.3f ms, summary %.3f ms" %
                         (wl["name"], phase["name"], name, rebuilt, lat[name]))
                checked += 1
                if per_request:
                    exact = exact_percentile(lat_values[key], p) / 1000.0
                    bound = exact * (1 + 10 ** -start["sigfigs"]) + 0.001
                    if not (exact - 1e-9 <= lat[name] <= bound):
                        fail("%s/%s: %s summary %.3f ms outside [%.3f, %.3f] "
                             "of the exact value" % (wl["name"], phase["name"],
                                                      name, lat[name], exact,
                                                      bound))
                    checked += 1
            if abs(lat_max[key] / 1000.0 - lat["max"]) > 1e-9:
                fail("%s/%s: max journal %.3f, summary %.3f" %
                     (wl["name"], phase["name"], lat_max[key] / 1000.0,
                      lat["max"]))
        # totals are the sums of the phases
        total = wl["total"]
        for k in ("requests", "completed", "ok", "late", "dropped"):
            s = sum(ph[k] for ph in wl["phases"])
            if s != total[k]:
                fail("%s: total %s %d != sum of phases %d" %
                     (wl["name"], k, total[k], s))
    print("journal_check: %d figures checked, %d failures (%s journal)" %
          (checked, len(failures), "per-request" if per_request else
           "per-second"))
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
