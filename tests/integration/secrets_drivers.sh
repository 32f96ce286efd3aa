#!/usr/bin/env bash
# Secrets of IPMI and SSH targets never leak either: an IPMI BMC (ipmi_sim)
# whose admin password and an SSH key whose passphrase are random values,
# both given as credentials references, are used by one run (workloads and
# checks on both); then every output of the run (results folder, stdout,
# stderr) and the command lines of eventdrill and its children, sampled
# while it runs, are searched for either secret.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
rand() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20; }
# An IPMI password here is at most 16 bytes (the LAN user record).
export BMC_ADMIN_PW="ip$(rand | cut -c1-14)"
PASSPHRASE="ssh$(rand)"
. "$(dirname "$0")/ipmi_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"
bmc_start
sshd_start
ssh-keygen -q -t ed25519 -N "$PASSPHRASE" -f "$WORK/locked_key"
cat "$WORK/locked_key.pub" >>"$SSHD/authorized_keys"
export IPMI_CREDS="admin:$BMC_ADMIN_PW" SSH_CREDS="$SSH_USER:$PASSPHRASE"

cat >"$WORK/s.json" <<JSON
{ "name": "driver-secrets",
  "targets": {
    "bmc": { "driver": "ipmi", "host": "$BMC_HOST", "credentials": "env:IPMI_CREDS",
             "workarounds": ["opensesspriv"], "session_timeout": "3s" },
    "host": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
              "auth": "key", "key_file": "$WORK/locked_key",
              "credentials": "env:SSH_CREDS", "known_hosts": "$SSHD/known_hosts" } },
  "workloads": [
    { "name": "power", "targets": ["bmc"], "op": { "power_status": {} },
      "rate": [ { "name": "steady", "constant": 5, "for": "2s" } ] },
    { "name": "true", "targets": ["host"], "op": { "check": "true" },
      "rate": [ { "name": "steady", "constant": 2, "for": "2s" } ] } ],
  "checks": {
    "power-on": { "target": "bmc", "op": { "power_status": {} },
                  "expect": { "equals": "on" }, "mode": "before" },
    "echo": { "target": "host", "op": { "check": "echo ok" },
              "expect": { "status": 0, "equals": "ok" }, "mode": "after" } } }
JSON
"$EVENTDRILL" rehearse "$WORK/s.json" --plain --out "$WORK/r" >"$WORK/out" 2>"$WORK/err" &
pid=$!
: >"$WORK/cmdlines"
while kill -0 $pid 2>/dev/null; do
  for p in $pid $(pgrep -P $pid 2>/dev/null); do
    tr '\0' ' ' <"/proc/$p/cmdline" >>"$WORK/cmdlines" 2>/dev/null && echo >>"$WORK/cmdlines"
  done
  sleep 0.05
done
status=0
wait $pid || status=$?
[ "$status" -eq 0 ] || { cat "$WORK/err"; fail "the run failed ($status)"; }
$PY - "$WORK/r/summary.json" <<'PYEOF' || fail "the run did not use both drivers"
import json, sys
s = json.load(open(sys.argv[1]))
for w in s["workloads"]:
    assert w["total"]["ok"] == w["total"]["requests"] > 0, w["total"]
assert s["verdict"]["pass"], s["verdict"]
PYEOF
files=$(find "$WORK/r" -type f)
n=$(echo "$files" | wc -l)
for secret in "$BMC_ADMIN_PW" "$PASSPHRASE"; do
  if grep -l -F "$secret" $files "$WORK/out" "$WORK/err" "$WORK/cmdlines"; then
    fail "a secret appears in the files listed above"
  fi
done
pass "no IPMI password or SSH passphrase in $n result files, stdout, stderr, $(sort -u "$WORK/cmdlines" | grep -c .) command lines"
