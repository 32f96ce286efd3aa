#!/usr/bin/python3
"""Synthetic shard folders for bench/merge.sh: N shards of one drill, each
a per-second journal of SECONDS seconds for TARGETS targets, with the
latency histograms of a real run (its "sec" lines, cycled). Usage:
merge_synth.py REAL_DIR OUT_DIR SHARDS TARGETS SECONDS"""
import hashlib, json, os, random, sys

real, out, nshards, per, seconds = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
lines = [json.loads(l) for l in open(os.path.join(real, "journal.jsonl"))]
start = lines[0]
secs = [e for e in lines if e["ev"] == "sec" and e.get("lat", {}).get("count")]
assert secs, "the real run has no sec event with latencies"
names = ["bmc-%04d" % i for i in range(nshards * per)]
sites = {n: "site-%03d" % (i // per) for i, n in enumerate(names)}
scenario = {
    "name": "merge-bench",
    "description": "synthetic: %d shards of %d targets, %d s" % (nshards, per, seconds),
    "seed": 1,
    "targets": {n: {"driver": "redfish", "rehearsal": True, "sim": {},
                    "labels": {"site": sites[n]}} for n in names},
    "workloads": [{"name": "poll", "targets": names,
                   "op": {"get": "/redfish/v1/Systems/{first}"},
                   "rate": [{"name": "steady", "constant": 10, "for": "%ds" % seconds}]}],
    "journal": {"requests": "aggregate"},
}
text = json.dumps(scenario, indent=1).encode()
sha = hashlib.sha256(text).hexdigest()
mapping = {n: i // per for i, n in enumerate(names)}
wall0 = 1.7e9
rng = random.Random(1)
os.makedirs(out, mode=0o700, exist_ok=True)
for s in range(nshards):
    d = os.path.join(out, "s%02d" % s)
    os.mkdir(d, 0o700)
    open(os.path.join(d, "scenario-merge-bench.json"), "wb").write(text)
    mine = names[s * per:(s + 1) * per]
    rs = dict(start)
    rs.update(scenario="merge-bench", scenario_sha256=sha, seed=1,
              journal="seconds",
              command="eventdrill run merge-bench.json --shard %d/%d --shard-by site" % (s, nshards),
              targets=[{"name": n, "driver": "redfish", "simulated": True,
                        "rehearsal": True} for n in mine],
              workloads=[{"name": "poll", "op": "get",
                          "arg": "/redfish/v1/Systems/{first}", "targets": names,
                          "phases": [{"name": "steady", "kind": "constant",
                                      "start_s": 0, "duration_s": seconds,
                                      "from": 10, "to": 10,
                                      "expected_per_target": 10 * seconds}],
                          "max_in_flight": 64}],
              shard={"by": "label", "label": "site",
                     "rule": "label site: its distinct values sorted, the k-th to shard k mod N",
                     "index": s, "count": nshards, "targets": mapping})
    with open(os.path.join(d, "journal.jsonl"), "w") as f:
        w = f.write
        w(json.dumps(rs, separators=(",", ":")) + "\n")
        w('{"ev":"drill_items","t":0.0,"checks":[],"faults":[]}\n')
        w('{"ev":"clock","t":0.0,"wall_s":%.6f,"clock":"CLOCK_REALTIME"}\n'
          % (wall0 + rng.uniform(0, 2)))
        w('{"ev":"drill_start","t":0.0,"mode":"rehearse","checks":0,"faults":0,"plans":0}\n')
        w('{"ev":"phase","t":0.0,"workload":"poll","index":0,"phase":"steady"}\n')
        k = s
        for sec in range(seconds):
            for j in range(per):
                e = secs[k % len(secs)]
                k += 1
                w('{"ev":"sec","t":%d.0,"w":0,"tg":%d,"ph":0,"sec":%d,'
                  '"sent":%d,"completed":%d,"ok":%d,"errors":{},"late":0,'
                  '"dropped":0,"lat":%s,"svc":%s}\n'
                  % (sec + 1, s * per + j, sec, e["lat"]["count"], e["lat"]["count"],
                     e["lat"]["count"], json.dumps(e["lat"], separators=(",", ":")),
                     json.dumps(e["svc"], separators=(",", ":"))))
        w('{"ev":"drill_end","t":%d.0,"aborted":false,"reason":""}\n' % seconds)
        w('{"ev":"run_end","t":%d.0,"interrupted":false,"elapsed_s":%d.0,'
          '"ended":"2023-11-14T23:13:20Z"}\n' % (seconds, seconds))
