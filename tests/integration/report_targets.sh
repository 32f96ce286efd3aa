#!/usr/bin/env bash
# The report's Targets table tells how each target was reached: its
# authentication mode, and any weakened verification. A real eventdrill-sim
# serves HTTPS with a certificate from a CA the run does not trust; the
# target says "insecure": true, so the run goes through, and the report
# marks the target WEAKENED, while the simulated target beside it is not.
. "$(dirname "$0")/lib/common.sh"
. "$ED_SRC/scripts/lib/certs.sh"
C="$WORK/certs"
certs_ca "$C" untrusted-ca
certs_leaf "$C" bmc 127.0.0.1 IP:127.0.0.1
export EDSIM_PW="pw-$RANDOM$RANDOM"
export EDTEST_CREDS="admin:$EDSIM_PW"
"$ED_BIN/eventdrill-sim" --bmcs 1 --mode ports --address 127.0.0.1 --port 0 \
  --tls-cert "$C/bmc.pem" --tls-key "$C/bmc.key" --user admin \
  --password-env EDSIM_PW >"$WORK/sim.out" 2>"$WORK/sim.err" &
sim=$!
cleanup_hooks+=("kill $sim 2>/dev/null")
for _ in $(seq 50); do grep -q serving "$WORK/sim.out" && break; sleep 0.1; done
url=$(grep -o 'https://127\.0\.0\.1:[0-9]*' "$WORK/sim.out" | head -1)
[ -n "$url" ] || { cat "$WORK/sim.out" "$WORK/sim.err"; fail "eventdrill-sim did not start over HTTPS"; }
cat >"$WORK/s.json" <<JSON
{ "name": "report-targets", "seed": 1,
  "targets": {
    "real": { "driver": "redfish", "url": "$url", "insecure": true,
              "auth": "basic", "credentials": "env:EDTEST_CREDS", "rehearsal": true },
    "simulated": { "driver": "redfish", "rehearsal": true, "auth": "session", "sim": {} } },
  "workloads": [ { "name": "poll", "targets": ["real", "simulated"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "steady", "constant": 5, "for": "1s" } ] } ] }
JSON
expect_status 0 "$EVENTDRILL" run "$WORK/s.json" --quiet --out "$WORK/r"
md="$WORK/r/report.md"
grep -q "^| real | redfish | $url | no | yes | basic | WEAKENED: TLS certificate not verified (insecure) | env:EDTEST_CREDS |" "$md" ||
  { grep -A4 "^## Targets" "$md"; fail "the insecure target is not marked"; }
grep -q "^| simulated | redfish | .* | yes | yes | session | as configured | none |" "$md" ||
  { grep -A4 "^## Targets" "$md"; fail "the simulated target's row"; }
grep -q "WEAKENED: TLS certificate not verified" "$WORK/r/report.html" ||
  fail "report.html does not mark the insecure target"
grep -rq "$EDSIM_PW" "$WORK/r" && fail "the secret leaked into the results"
pass "the Targets table shows the auth mode and weakened verification"
