#!/usr/bin/env bash
# rehearse --dry-run connects and logs in to every target (preflight), prints
# the timeline and exits 0 without acting; with a wrong password for a real
# (standalone eventdrill-sim) target, it exits 4 naming that target. The
# target uses session auth: its login is what checks the credential (with
# "auth": "basic" the preflight sends nothing and cannot tell; see the
# report of issue 4).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
status=0
(cd "$WORK" && "$EVENTDRILL" rehearse "$SCEN/drill-power-loss.json" --dry-run) >"$WORK/dry" 2>&1 || status=$?
[ "$status" -eq 0 ] || { cat "$WORK/dry"; fail "dry-run exited $status"; }
grep -q "^preflight: 2 targets started (connected, credentials accepted)" "$WORK/dry" \
  || { cat "$WORK/dry"; fail "no preflight line"; }
grep -q "at 3s .*bmc2-power-loss" "$WORK/dry" || fail "no fault in the timeline"
grep -q "plan power-restore, RTO target 8s" "$WORK/dry" || fail "no plan in the timeline"
grep -q "2. power on" "$WORK/dry" || fail "no step in the timeline"

EDSIM_PASSWORD=right "$ED_BIN/eventdrill-sim" --bmcs 1 --mode ports \
  --address 127.0.0.1 --port 0 --password-env EDSIM_PASSWORD \
  --access-log >"$WORK/sim.out" 2>"$WORK/sim.err" &
sim=$!
cleanup_hooks+=("kill $sim 2>/dev/null")
for _ in $(seq 50); do grep -q serving "$WORK/sim.out" && break; sleep 0.1; done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/sim.out" | head -1)
[ -n "$url" ] || fail "eventdrill-sim did not start"
mk() { # mk FILE: a scenario with a real target at $url
  cat >"$1" <<JSON
{ "name": "drill-preflight", "seed": 1,
  "targets": { "bmc-real": { "driver": "redfish", "url": "$url",
                             "credentials": "env:EDTEST_BMC_CREDS",
                             "auth": "session", "rehearsal": true } },
  "checks": { "up": { "target": "bmc-real", "op": { "get": "/redfish/v1/Systems/{first}" },
                      "expect": { "status": 200 }, "mode": "before" } } }
JSON
}
mk "$WORK/s.json"
status=0
(cd "$WORK" && EDTEST_BMC_CREDS=admin:right "$EVENTDRILL" rehearse "$WORK/s.json" --dry-run) \
  >"$WORK/good" 2>&1 || status=$?
[ "$status" -eq 0 ] || { cat "$WORK/good"; fail "right password: exit $status"; }
grep -q "^preflight: 1 target" "$WORK/good" || { cat "$WORK/good"; fail "no preflight line"; }
status=0
(cd "$WORK" && EDTEST_BMC_CREDS=admin:wrong "$EVENTDRILL" rehearse "$WORK/s.json" --dry-run) \
  >"$WORK/bad" 2>&1 || status=$?
[ "$status" -eq 4 ] || { cat "$WORK/bad"; fail "wrong password: exit $status, expected 4"; }
grep -q "\[bmc-real\] could not start: session login refused: HTTP 401" "$WORK/bad" \
  || { cat "$WORK/bad"; fail "the failing target and the cause are not named"; }
! grep -q "wrong" "$WORK/bad" || fail "the password was echoed"
# the preflights sent nothing but logins and reads (no action)
! grep '"method"' "$WORK/sim.err" | grep -v '"method":"\(GET\|HEAD\)"' \
  | grep -v '"method":"\(POST\|DELETE\)","path":"/redfish/v1/SessionService/Sessions' \
  || fail "a preflight sent an action"
grep -q '"POST","path":"/redfish/v1/SessionService/Sessions","status":401' "$WORK/sim.err" \
  || fail "the BMC did not see the refused login"
kill -INT $sim; wait $sim || true
pass "preflight: dry-run 0 with the timeline; wrong credential exit 4 naming the target ($(head -1 "$WORK/bad"))"
