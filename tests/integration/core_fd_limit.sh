#!/usr/bin/env bash
# The open-files limit: eventdrill raises its soft limit to the hard one at
# start, and a fleet that cannot hold even one connection per target under
# the hard limit is refused before anything starts (exit 4, the figures,
# no results folder), rather than failing target after target once the run
# is on. One that fits only below its caps of requests in flight runs, with
# a warning that names the raised limit.
. "$(dirname "$0")/lib/common.sh"
N=30
$PY - "$N" "$WORK/s.json" <<'PYEOF'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
t = {"sim-%02d" % i: {"driver": "redfish", "rehearsal": True, "sim": {}} for i in range(n)}
json.dump({"name": "fd-limit", "targets": t,
           "workloads": [{"name": "poll", "targets": sorted(t),
                          "op": {"get": "/redfish/v1"}, "max_in_flight": 64,
                          "rate": [{"constant": 2, "for": "1s"}]}]},
          open(out, "w"))
PYEOF

# 30 simulated targets need at least 64 + 30 / 4 + 30 x 3 = 162 descriptors.
status=0
(ulimit -Sn 150 && ulimit -Hn 150 && exec "$EVENTDRILL" run "$WORK/s.json" --plain \
  --out "$WORK/refused") >"$WORK/refused.out" 2>"$WORK/refused.err" || status=$?
[ "$status" -eq 4 ] || fail "exit $status under a hard limit of 150, expected 4: $(cat "$WORK/refused.err")"
grep -q "s.json\] 30 targets need at least 162 open files .* the limit here is 150, the system's hard limit" \
  "$WORK/refused.err" || fail "no clear refusal: $(cat "$WORK/refused.err")"
[ ! -e "$WORK/refused" ] || fail "a refused run left a results folder"
pass "refused at start: $(grep -o '30 targets need.*is 150' "$WORK/refused.err")"

# Soft limit 100 (too low), hard 1000: raised to 1000, enough for one
# connection per target, not for every target at its cap of 64.
status=0
(ulimit -Sn 100 && ulimit -Hn 1000 && exec "$EVENTDRILL" run "$WORK/s.json" --plain \
  --out "$WORK/raised") >"$WORK/raised.out" 2>"$WORK/raised.err" || status=$?
[ "$status" -eq 0 ] || fail "exit $status with the soft limit raisable to 1000: $(tail -5 "$WORK/raised.err")"
grep -q "30 targets at their caps of requests in flight need about [0-9]* open files and the limit here is 1000" \
  "$WORK/raised.err" || fail "no warning naming the raised limit: $(cat "$WORK/raised.err")"
$PY - "$WORK/raised/summary.json" "$N" <<'PYEOF' || fail "the raised run's summary"
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
assert t["requests"] >= int(sys.argv[2]) and t["ok"] == t["requests"], t
PYEOF
pass "soft limit raised to the hard one (1000), the run went on with a warning"
