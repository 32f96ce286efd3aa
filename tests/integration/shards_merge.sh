#!/usr/bin/env bash
# The same seeded drill run as 4 shards by site (--shard I/4 --shard-by
# site, each with its own simulated BMCs) and merged: the merged latency
# histogram of every workload and phase equals, bucket by bucket, the one
# built from the union of the shards' request records; the merged request
# count is the sum of the shards'; each target's requests come from one
# shard only, the one the documented rule gives it; the fault of one shard
# is in the merged drill; report and compare read the merged folder. Then
# merges that must be refused: a shard twice, a shard missing (and with
# --allow-missing: merged, and the verdict fails on it), another scenario.
. "$(dirname "$0")/lib/common.sh"
S="$SCEN/shards-sites.json"
pids=()
for i in 0 1 2 3; do
  "$EVENTDRILL" run "$S" --quiet --no-report --shard "$i/4" --shard-by site \
    --out "$WORK/s$i" >"$WORK/s$i.out" 2>&1 &
  pids+=($!)
done
cleanup_hooks+=('for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done')
for i in 0 1 2 3; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$WORK/s$i.out" >&2; fail "shard $i exited $rc"; }
done

expect_status 0 "$EVENTDRILL" merge "$WORK"/s0 "$WORK"/s1 "$WORK"/s2 "$WORK"/s3 \
  --out "$WORK/m" >"$WORK/merge.out" 2>&1 || { cat "$WORK/merge.out" >&2; exit 1; }
for f in journal.jsonl summary.json report.md report.html scenario-shards-sites.json; do
  [ -s "$WORK/m/$f" ] || fail "merged folder: $f missing"
done

# bucket by bucket: the rebuild of the merged journal against the request
# records of the four shards' journals read as one run
TOOL=${ED_BUILD:?}/tests/integration/report_tool
"$TOOL" hist "$WORK/m" >"$WORK/merged.hist" || fail "report_tool hist"
"$TOOL" hist-records "$WORK"/s{0,1,2,3}/journal.jsonl >"$WORK/union.hist" ||
  fail "report_tool hist-records"
[ "$(wc -l <"$WORK/merged.hist")" -eq 3 ] || fail "expected 3 workload phases"
grep -q none "$WORK/merged.hist" && fail "a phase without latencies"
diff "$WORK/union.hist" "$WORK/merged.hist" >&2 ||
  fail "merged histograms differ from the union of the request records"

$PY - "$WORK" <<'PYEOF' || fail "merged figures"
import json, sys
w = sys.argv[1]
def journal(d):
    return [json.loads(l) for l in open(f"{w}/{d}/journal.jsonl")]
shards = {i: journal(f"s{i}") for i in range(4)}
start = shards[0][0]
assert start["ev"] == "run_start"
mapping = start["shard"]["targets"]
# the documented rule: the distinct sites sorted, the k-th to shard k mod 4
sc = json.load(open(f"{w}/m/scenario-shards-sites.json"))
sites = sorted({t["labels"]["site"] for t in sc["targets"].values()})
for name, t in sc["targets"].items():
    assert mapping[name] == sites.index(t["labels"]["site"]) % 4, (name, mapping)
names = [wl["targets"] for wl in start["workloads"]]
owner, total = {}, 0
for i, ev in shards.items():
    assert ev[0]["shard"]["index"] == i and ev[0]["shard"]["targets"] == mapping
    for e in ev:
        if e["ev"] == "req":
            owner.setdefault(names[e["w"]][e["tg"]], set()).add(i)
            total += 1
assert set(owner) == set(mapping), owner
for name, s in owner.items():
    assert s == {mapping[name]}, ("requests of", name, "from shards", s)
m = json.load(open(f"{w}/m/summary.json"))
merged_requests = sum(x["total"]["requests"] for x in m["workloads"])
shard_requests = 0
for i in range(4):
    s = json.load(open(f"{w}/s{i}/summary.json"))
    assert s["shard"]["index"] == i
    shard_requests += sum(x["total"]["requests"] for x in s["workloads"])
assert merged_requests == shard_requests == total, (merged_requests, shard_requests, total)
mj = journal("m")
assert sum(1 for e in mj if e["ev"] == "req") == total
for x in m["workloads"]:
    for t in x["per_target"]:
        assert t["requests"] > 0, t
parts = m["shards"]["parts"]
assert [p["index"] for p in parts] == [0, 1, 2, 3] and m["shards"]["missing"] == []
assert sum(p["requests"] for p in parts) == total
assert min(p["offset_s"] for p in parts) == 0 and max(p["offset_s"] for p in parts) < 30
# the fault and its check, run by the shard of n1 alone, are in the merged drill
f = [x for x in m["drill"]["faults"] if x["name"] == "n1-slow"]
assert len(f) == 1, m["drill"]["faults"]
c = [x for x in m["drill"]["checks"] if x["name"] == "n1-answers"]
assert len(c) == 1 and c[0]["runs"] > 0, m["drill"]["checks"]
n1 = mapping["n1"]
for i in range(4):
    kinds = {e["ev"] for e in shards[i] if e.get("fault") == "n1-slow"}
    assert bool(kinds) == (i == n1), (i, kinds)
# one clock: t = 0 is the earliest shard's clock event, each shard's offset
# its own clock's distance from it (the journals keep microseconds)
walls = {i: next(e["wall_s"] for e in shards[i] if e["ev"] == "clock") for i in range(4)}
sh = [e for e in mj if e["ev"] == "shards"]
assert len(sh) == 1 and sh[0]["origin_wall_s"] == min(walls.values()), sh
for p in sh[0]["parts"]:
    assert abs(p["offset_s"] - (walls[p["index"]] - min(walls.values()))) < 1e-6, p
# and the first fault event of n1's shard is moved by exactly that offset
fs = next(e for e in shards[n1] if e["ev"] == "fault_start")
mf = next(e for e in mj if e["ev"] == "fault_start")
off = next(p["offset_s"] for p in sh[0]["parts"] if p["index"] == n1)
assert abs(mf["t"] - (fs["t"] + off)) < 1e-6, (mf, fs, off)
assert m["verdict"]["pass"] is True, m["verdict"]["reasons"]
PYEOF

expect_status 0 "$EVENTDRILL" report "$WORK/m" >/dev/null
grep -q "^## Shards" "$WORK/m/report.md" || fail "no per-shard breakdown in the report"
expect_status 0 "$EVENTDRILL" compare "$WORK/s0" "$WORK/m" --out "$WORK/cmp" >/dev/null

# recover: a shard's folder as that shard, and the merged one as a whole
# (nothing owed in either)
expect_status 0 "$EVENTDRILL" recover "$WORK/s1" --yes >/dev/null
expect_status 0 "$EVENTDRILL" recover "$WORK/m" --yes >"$WORK/rec.out" 2>&1
grep -q "merged drill" "$WORK/rec.out" && grep -q "nothing to do" "$WORK/rec.out" ||
  fail "recover merged: $(cat "$WORK/rec.out")"

# refused: a shard twice, a shard missing, another scenario
expect_status 2 "$EVENTDRILL" merge "$WORK"/s0 "$WORK"/s0 "$WORK"/s1 "$WORK"/s2 \
  --out "$WORK/bad1" 2>"$WORK/err1"
grep -q "s0: shard 0/4 again" "$WORK/err1" || fail "twice: $(cat "$WORK/err1")"
expect_status 2 "$EVENTDRILL" merge "$WORK"/s0 "$WORK"/s1 "$WORK"/s2 \
  --out "$WORK/bad2" 2>"$WORK/err2"
grep -q "shard 3 of 4 missing" "$WORK/err2" || fail "missing: $(cat "$WORK/err2")"
expect_status 1 "$EVENTDRILL" merge "$WORK"/s0 "$WORK"/s1 "$WORK"/s2 \
  --allow-missing --out "$WORK/part" >"$WORK/part.out" 2>&1
$PY - "$WORK/part/summary.json" <<'PYEOF' || fail "--allow-missing summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["shards"]["missing"] == [3], s["shards"]
assert any("shard 3 of 4 is missing" in r for r in s["verdict"]["reasons"]), s["verdict"]
PYEOF
cp -r "$WORK/s3" "$WORK/other"
$PY - "$WORK/other/journal.jsonl" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
first = json.loads(lines[0])
first["scenario_sha256"] = "0" * 64
lines[0] = json.dumps(first)
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PYEOF
expect_status 2 "$EVENTDRILL" merge "$WORK"/s0 "$WORK"/s1 "$WORK"/s2 "$WORK/other" \
  --out "$WORK/bad3" 2>"$WORK/err3"
grep -q "other: the scenario's SHA-256 is 0000" "$WORK/err3" ||
  fail "another scenario: $(cat "$WORK/err3")"
# by name (no --shard-by): FNV-1a 64 of the name mod N, as documented
for i in 0 1; do
  "$EVENTDRILL" run "$SCEN/short-requests.json" --quiet --no-report --shard "$i/2" \
    --out "$WORK/h$i" >"$WORK/h$i.out" 2>&1 || [ -s "$WORK/h$i/summary.json" ] ||
    { cat "$WORK/h$i.out" >&2; fail "hash shard $i wrote no results"; }
done
"$EVENTDRILL" merge "$WORK/h1" "$WORK/h0" --out "$WORK/hm" --no-report >"$WORK/hm.out" 2>&1 ||
  [ -s "$WORK/hm/summary.json" ] || { cat "$WORK/hm.out" >&2; fail "hash merge"; }
$PY - "$WORK" <<'PYEOF' || fail "shards by name"
import json, sys
w = sys.argv[1]
def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h
for i in (0, 1):
    start = json.loads(open(f"{w}/h{i}/journal.jsonl").readline())
    sh = start["shard"]
    assert sh["by"] == "name" and sh["index"] == i and sh["count"] == 2, sh
    for name, k in sh["targets"].items():
        assert k == fnv1a64(name) % 2, (name, k)
    assert sorted(t["name"] for t in start["targets"]) == \
        sorted(n for n, k in sh["targets"].items() if k == i), start["targets"]
m = json.load(open(f"{w}/hm/summary.json"))
total = sum(json.load(open(f"{w}/h{i}/summary.json"))["workloads"][0]["total"]["requests"]
            for i in (0, 1))
assert m["workloads"][0]["total"]["requests"] == total > 0, (m["workloads"][0]["total"], total)
assert [p["index"] for p in m["shards"]["parts"]] == [0, 1]
PYEOF
pass "4 shards merged exactly; bad merges refused; shards by name"
