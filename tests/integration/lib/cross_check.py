"""The evidence of the chain across three shards (cross_scenario.py), run
to its end: shard 2 (the fault's) judged the check and ran the plan, no
other shard journaled any of it; the check went red under the fault and
green again after the step on shard 1's target; the RTO was met; the
merged folder has the plan once, passed, and the check once.

usage: cross_check.py SHARD_DIR_0 SHARD_DIR_1 SHARD_DIR_2 SHARD_DIR_3 MERGED_DIR
"""
import json
import sys

dirs, merged = sys.argv[1:5], sys.argv[5]
ev = [[json.loads(l) for l in open(f"{d}/journal.jsonl")] for d in dirs]
chain = ("check", "check_state", "fault_start", "plan_start", "step_start",
         "step_end", "plan_end")
for i in (0, 1, 3):
    theirs = [e for e in ev[i] if e["ev"] in chain]
    assert not theirs, (i, theirs[:3])
checks = [e for e in ev[2] if e["ev"] == "check"]
assert checks and all(e["check"] == "c-on" for e in checks), checks[:3]
oks = [e.get("ok") for e in checks]
assert False in oks and oks[-1] is True, oks
d = json.load(open(f"{dirs[2]}/summary.json"))["drill"]
plan, fault = d["plans"][0], d["faults"][0]
assert plan["name"] == "restore" and plan["outcome"] == "passed", plan
assert plan["steps"][0]["target"] == "c-power", plan
assert fault["state"] == "recovered" and fault["rto_met"] is True, fault
assert 0 < fault["rto_s"] < 10, fault
assert not d.get("warnings"), d["warnings"]
k = d["checks"][0]
assert k["name"] == "c-on" and k["red"] >= 1 and k["at_end"] == "green", k
m = json.load(open(f"{merged}/summary.json"))
assert m["verdict"]["pass"] is True, m["verdict"]
plans = [p for p in m["drill"]["plans"] if p["name"] == "restore"]
assert len(plans) == 1 and plans[0]["outcome"] == "passed", m["drill"]["plans"]
assert [c["name"] for c in m["drill"]["checks"]] == ["c-on"], m["drill"]["checks"]
print(f"plan restore: RTO {fault['rto_s']:.2f} s; check c-on judged "
      f"{k['runs']} times in shard 2 ({k['red']} red)")
