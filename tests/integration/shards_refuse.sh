#!/usr/bin/env bash
# What --shard refuses before any device is touched (run --dry-run): bad
# I/N values (exit 2 naming the flag), --shard-by on a label a target lacks
# (exit 2 naming the target), a fault whose plan acts on a target of
# another shard without --coordinator (exit 2: a chain runs in one shard);
# the same chain with a coordinator, or on one site, is accepted.
. "$(dirname "$0")/lib/common.sh"
S="$SCEN/shards-sites.json"
for bad in 0/0 3/2 x 1/ /2 -1/2 1/2x; do
  expect_status 2 "$EVENTDRILL" run "$S" --dry-run --shard "$bad" 2>"$WORK/err"
  grep -q -- "--shard" "$WORK/err" || fail "--shard $bad: $(cat "$WORK/err")"
done
expect_status 2 "$EVENTDRILL" run "$S" --dry-run --shard-by site 2>"$WORK/err"
grep -q -- "--shard-by needs --shard" "$WORK/err" || fail "$(cat "$WORK/err")"
expect_status 0 "$EVENTDRILL" run "$S" --dry-run --shard 1/4 --shard-by site >/dev/null

$PY - "$S" "$WORK" <<'PYEOF'
import json, sys
sc = json.load(open(sys.argv[1]))
w = sys.argv[2]
# a label one target lacks
nolabel = json.loads(json.dumps(sc))
del nolabel["targets"]["l2"]["labels"]
json.dump(nolabel, open(f"{w}/nolabel.json", "w"))
# a fault on n1 (nice) whose plan powers on p1 (paris): two sites
span = json.loads(json.dumps(sc))
span["faults"] = [{"name": "n1-off", "at": "1s", "target": "n1",
                   "action": {"reset": "ForceOff"}, "plan": "restore"}]
span["plans"] = {"restore": {"rto": "5s", "steps": [
    {"name": "power on", "target": "p1", "action": {"reset": "On"},
     "verify": ["n1-answers"], "timeout": "3s"}]}}
json.dump(span, open(f"{w}/span.json", "w"))
# the same chain on one site (n1, n2: nice)
same = json.loads(json.dumps(span))
same["plans"]["restore"]["steps"][0]["target"] = "n2"
json.dump(same, open(f"{w}/same.json", "w"))
PYEOF
expect_status 2 "$EVENTDRILL" run "$WORK/nolabel.json" --dry-run --shard 0/2 --shard-by site 2>"$WORK/err"
grep -q "target l2 .*has no label \"site\"" "$WORK/err" || fail "no label: $(cat "$WORK/err")"
for i in 0 1 2 3; do
  expect_status 2 "$EVENTDRILL" run "$WORK/span.json" --dry-run --shard "$i/4" --shard-by site 2>"$WORK/err"
  grep -q "runs in one shard" "$WORK/err" && grep -q "n1" "$WORK/err" && grep -q "p1" "$WORK/err" ||
    fail "chain across shards: $(cat "$WORK/err")"
done
expect_status 0 "$EVENTDRILL" run "$WORK/span.json" --dry-run >/dev/null
# with a coordinator, the chain's home (n1's shard) reaches p1 through it
for i in 0 1 2 3; do
  EVENTDRILL_SHARD_TOKEN=token-of-sixteen-chars expect_status 0 "$EVENTDRILL" run \
    "$WORK/span.json" --dry-run --shard "$i/4" --shard-by site --coordinator 127.0.0.1:9 >/dev/null
done
for i in 0 1 2 3; do
  expect_status 0 "$EVENTDRILL" run "$WORK/same.json" --dry-run --shard "$i/4" --shard-by site >/dev/null
done
pass "--shard refuses bad values, unlabelled targets and chains across shards"
