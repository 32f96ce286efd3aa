#!/usr/bin/env bash
# A refused SSH login is never retried: a target of two connections logs in
# on one at start; the test then takes the key out of sshd's
# authorized_keys, and the load needs the second connection. sshd sees
# exactly one refused login for it, however many commands come after: each
# of them fails as `auth` with the first refusal as its reason, and the
# connection that was in stays in.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"
sshd_start

cat >"$WORK/s.json" <<JSON
{ "name": "ssh-login-once",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts",
                      "connections": 2, "max_channels": 1 } },
  "workloads": [ { "name": "w", "targets": ["h"],
                   "op": { "check": { "command": "sleep 0.3", "timeout": "10s" } },
                   "rate": [ { "name": "one-at-a-time", "constant": 1, "for": "3s" },
                             { "name": "two-at-once", "constant": 8, "for": "3s" } ],
                   "max_in_flight": 4 } ],
  "slo": { "error_rate": 1 } }
JSON
"$EVENTDRILL" run "$WORK/s.json" --plain --no-report --out "$WORK/r" \
  >"$WORK/run.out" 2>"$WORK/run.err" &
RUN=$!
cleanup_hooks+=("kill $RUN 2>/dev/null")
# the first command answered: the connection of the start is in use
for _ in $(seq 200); do
  grep -q '"ev":"req"' "$WORK/r/journal.jsonl" 2>/dev/null && break
  sleep 0.05
done
grep -q '"ev":"req"' "$WORK/r/journal.jsonl" || fail "no request answered: $(cat "$WORK/run.err")"
accepted_before=$(sshd_accepted)
: >"$SSHD/authorized_keys" # the key is refused from now on
wait $RUN || true
accepted_after=$(sshd_accepted)
refused=$(grep -c "Failed publickey for\|Connection closed by authenticating user" "$SSHD/sshd.log" || true)
$PY - "$WORK/r/summary.json" "$WORK/r/journal.jsonl" <<'EOF' || fail "the run's figures: $(tail -3 "$WORK/run.err")"
import json, sys
t = json.load(open(sys.argv[1]))["workloads"][0]["total"]
assert t["ok"] >= 4, t                      # the connection that was in worked on
assert t["errors"].get("auth", 0) >= 3, t   # the second connection's commands
reasons = [json.loads(l).get("detail", "") for l in open(sys.argv[2])
           if '"ev":"req"' in l and '"auth"' in l]
later = [r for r in reasons if "refused once: no new login this run" in r]
assert later, reasons[:3]
print("ok %d, auth errors %d (%d said without a new login)" % (t["ok"], t["errors"]["auth"], len(later)))
EOF
[ "$accepted_after" -eq "$accepted_before" ] ||
  fail "a login was accepted after the key was taken out ($accepted_before -> $accepted_after)"
[ "$refused" -eq 1 ] || { grep -n "publickey\|authenticating" "$SSHD/sshd.log" >&2; fail "sshd saw $refused refused logins, expected exactly 1"; }
pass "one refused SSH login per target per run; later commands fail as auth without a new login"
