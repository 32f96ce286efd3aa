#!/usr/bin/env bash
# A device whose driver has no health collection (the in-tree example
# driver, which offers no collect, and a version-1 test driver) is never
# called reached, healthy or ready. Beside a simulated BMC that is read:
#  - `plugins` lists both drivers as lacking health collection;
#  - `inspect` exits 1 (not ready), each such device a critical unread
#    finding naming its driver, "not read" in the report, never "reached";
#  - `watch` raises a "not monitored" alarm for each, never one for the
#    BMC, and journals their polls as unreachable.
. "$(dirname "$0")/lib/common.sh"
v1="$ED_BUILD/test-plugins/v1"
[ -f "$v1/v1.so" ] || fail "the version-1 test driver is not built ($v1/v1.so)"
export EVENTDRILL_PLUGIN_PATH="$v1"

cat >"$WORK/fleet.json" <<'JSON'
{ "name": "mixed", "devices": {
  "bmc": { "driver": "redfish", "auth": "basic", "sim": {} },
  "ex1": { "driver": "example" },
  "old1": { "driver": "v1" } } }
JSON

"$EVENTDRILL" plugins >"$WORK/plugins.txt"
for d in example v1; do
  sed -n "/^$d /,/^[a-z]/p" "$WORK/plugins.txt" |
    grep -q "no health collection" || fail "plugins does not list $d as lacking health collection"
done
sed -n "/^redfish /,/^[a-z]/p" "$WORK/plugins.txt" |
  grep -q "collects device health" || fail "plugins does not list redfish as collecting health"

expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --out "$WORK/i" \
  2>"$WORK/i.err"
grep -q "ex1: not read: driver example has no health collection" "$WORK/i.err" ||
  fail "inspect's progress does not say ex1 was not read: $(cat "$WORK/i.err")"
$PY - "$WORK/i/inspection.json" <<'PYEOF' || fail "inspection.json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
snaps = {s["device"]: s for s in d["snapshots"]}
finds = d["findings"]
for dev, drv in (("ex1", "example"), ("old1", "v1")):
    s = snaps[dev]
    assert s["reachable"] is False and s.get("monitored") is False, s
    assert s["unread"] == "driver %s has no health collection" % drv, s
    mine = [f for f in finds if f.get("device") == dev]
    assert [f["rule"] for f in mine] == ["unread"], mine
    assert mine[0]["severity"] == "critical", mine
    assert "driver %s has no health collection" % drv in json.dumps(mine[0]), mine
assert snaps["bmc"]["reachable"] is True and snaps["bmc"]["read"]["sensors"] > 0
assert not [f for f in finds if f.get("device") == "bmc" and f["severity"] == "critical"], finds
PYEOF
grep -q "| devices | 3 (1 reached, 0 unreachable, 2 not read (no health collection)) |" \
  "$WORK/i/inspection.md" || fail "the overview does not count the unread devices"
grep -q "^| ex1 | example | - |  | not read |" "$WORK/i/inspection.md" ||
  fail "the devices table does not show ex1 as not read"
grep -q "Verdict: not ready" "$WORK/i/inspection.md" || fail "the verdict is not 'not ready'"
grep -q "ready for the event" "$WORK/i/inspection.md" && fail "an unread fleet is called ready"

timeout 60 "$EVENTDRILL" watch "$WORK/fleet.json" --interval 1s --duration 5s \
  --json --out "$WORK/w" >"$WORK/w.out" 2>"$WORK/w.err" ||
  fail "watch failed: $(tail -5 "$WORK/w.err")"
$PY - "$WORK/w.out" "$WORK/w/journal.jsonl" <<'PYEOF' || fail "the watch's alarms are wrong: $(cat "$WORK/w.out")"
import json, sys
raised = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
raised = [e for e in raised if e["ev"] == "alarm_raise"]
by_dev = {e["device"]: e for e in raised}
for dev, drv in (("ex1", "example"), ("old1", "v1")):
    e = by_dev[dev]
    assert e["text"] == "not monitored: driver %s has no health collection" % drv, e
    assert e["severity"] == "critical", e
assert "bmc" not in by_dev, by_dev["bmc"]
polls = [json.loads(l) for l in open(sys.argv[2])]
polls = [p for p in polls if p.get("ev") == "poll"]
assert any(p["device"] == "bmc" and p["reachable"] for p in polls), polls
assert all(not p["reachable"] for p in polls if p["device"] in ("ex1", "old1")), polls
PYEOF
pass "devices of drivers without health collection: unread in inspect (not ready), not monitored in watch"
