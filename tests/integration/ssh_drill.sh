#!/usr/bin/env bash
# A full rehearsal over SSH: a loopback HTTP "service" started by the test;
# the fault kills it through SSH ("run"), the check (curl on the host,
# through SSH) goes red, the plan restarts it through SSH, the check goes
# green; exit 0 and the RTO measured. `true` at 10/s as SSH load.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"
"$EVENTDRILL" validate "$ED_SRC/scenarios/ssh-service-restart.json" >/dev/null ||
  fail "scenarios/ssh-service-restart.json does not validate"
sshd_start
HTTP_PORT=$(free_port)
(cd "$WORK"; nohup $PY -m http.server --bind 127.0.0.1 "$HTTP_PORT" \
  </dev/null >/dev/null 2>&1 & echo $! >"$WORK/svc.pid")
svc_stop() { [ -s "$WORK/svc.pid" ] && kill "$(cat "$WORK/svc.pid")" 2>/dev/null; }
cleanup_hooks+=("svc_stop")
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break; sleep 0.1; done
first=$(cat "$WORK/svc.pid")
render "$SCEN/ssh-service-restart.json" "$WORK/drill.json"
r=$WORK/r
drill_run "$r" rehearse "$WORK/drill.json"
drill_expect "$r" 0
journal_parses "$r"
[ "$(cat "$WORK/svc.pid")" != "$first" ] || fail "the service was not restarted"
curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/" || fail "the service does not answer after the drill"
$PY - "$r" <<'PYEOF' || { drill_show "$r"; fail "summary/journal of the drill"; }
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
assert s["verdict"]["pass"] is True, s["verdict"]
f, = s["drill"]["faults"]
assert f["state"] == "recovered" and f["rto_met"] is True, f
p, = s["drill"]["plans"]
assert p["outcome"] == "passed", p
fs = next(e for e in ev if e["ev"] == "fault_start")
up = [e["ok"] for e in ev if e["ev"] == "check" and e["check"] == "svc-up" and e["t"] > fs["t"]]
assert False in up and True in up[up.index(False):], up
w = s["workloads"][0]["total"]
assert w["errors"] == {}, w
print("RTO %.2f s (target %.0f s); ssh true: %d commands, p50 %.1f ms, p99 %.1f ms"
      % (f["rto_s"], f["rto_target_s"], w["requests"], w["latency_ms"]["p50"],
         w["latency_ms"]["p99"]))
PYEOF
pass "service killed and restarted over SSH: exit 0 in $took_ms ms"
