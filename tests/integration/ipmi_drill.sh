#!/usr/bin/env bash
# scenarios/ipmi-power-cycle.json against ipmi_sim: 20 sensor reads/s for
# 5 s over at most 2 sessions; at 1.5 s the chassis is powered off over
# IPMI; the plan detects it, powers it on and waits for power_status "on".
# Exit 0, RTO measured and within target, ipmi_sim saw off then on, the
# sensor workload met its SLO, and the sessions were reused (few opens).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/ipmi_lib.sh"
. "$(dirname "$0")/drill_lib.sh"
"$EVENTDRILL" validate "$ED_SRC/scenarios/ipmi-power-cycle.json" >/dev/null ||
  fail "scenarios/ipmi-power-cycle.json does not validate"
bmc_start
export IPMI_CREDS=admin:secret
f=$WORK/ipmi-power-cycle.json
sed "s/127.0.0.1:9623/$BMC_HOST/" "$ED_SRC/scenarios/ipmi-power-cycle.json" >"$f"
r=$WORK/r
drill_run "$r" rehearse "$f" -v
drill_expect "$r" 0
grep -q "VERDICT: PASS" "$r.err" || fail "no VERDICT: PASS on the terminal"
journal_parses "$r"
[ "$(grep "set power" "$BMC_DIR/control.log" | tr '\n' ,)" = \
  "0x20 set power 0,0x20 set power 1," ] ||
  fail "ipmi_sim did not see exactly off then on: $(cat "$BMC_DIR/control.log")"
[ "$(ipmitool_bmc chassis power status)" = "Chassis Power is on" ] ||
  fail "ipmitool does not read on after the drill"
opens=$(grep -c "session [0-9]* opened" "$r.err" || true)
[ "$opens" -ge 1 ] && [ "$opens" -le 4 ] ||
  fail "$opens session opens for one drill: sessions are not reused"
$PY - "$r" "$opens" <<'PYEOF' || { drill_show "$r"; fail "summary/journal of the drill"; }
import json, sys
d, opens = sys.argv[1], int(sys.argv[2])
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
v = s["verdict"]
assert v["pass"] is True and v["reasons"] == [], v
assert v["counts"]["failed"] == 0 and v["items"], v
assert all(i["status"] != "failed" for i in v["items"]), v
assert any(i["kind"] == "recovery" and i["status"] == "passed"
           for i in v["items"]), v
f, = s["drill"]["faults"]
assert f["state"] == "recovered" and f["rto_met"] is True, f
p, = s["drill"]["plans"]
assert p["outcome"] == "passed", p
fs = next(e for e in ev if e["ev"] == "fault_start")
vals = [e.get("value") for e in ev if e["ev"] == "check"
        and e["check"] == "power-on" and e["t"] > fs["t"]]
assert '"off"' in vals and '"on"' in vals[vals.index('"off"'):], vals
reads = [e for e in ev if e["ev"] == "check" and e["check"] == "temp-ok"]
assert reads and reads[0]["value"] == "40", reads
w = json.dumps(s)
print("RTO %.2f s (target %.0f s), %d session opens; workloads: %s" % (
    f["rto_s"], f["rto_target_s"], opens,
    json.dumps(s.get("workloads", s.get("totals", "")))[:400]))
PYEOF
pass "IPMI power loss rehearsed against ipmi_sim: exit 0 in $took_ms ms"
