#!/usr/bin/env bash
# The SSH driver against a real OpenSSH sshd on 127.0.0.1 (own config, host
# key and authorized_keys in a temporary folder; stopped by its pid):
# exit statuses 0 and non-0, stdout/stderr/json/number values, truncation,
# a hanging command killed at its timeout, `true` as a workload; unknown,
# changed and accepted-unknown host keys; a wrong client key; verify mode
# never sends "run".
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"
sshd_start

# 1. commands, values, truncation, timeout, a workload
render "$SCEN/ssh-basic.json" "$WORK/basic.json"
r=$WORK/basic
drill_run "$r" run "$WORK/basic.json"
drill_expect "$r" 0
journal_parses "$r"
$PY - "$r" <<'PYEOF' || { drill_show "$r"; fail "ssh-basic results"; }
import json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/journal.jsonl")]
checks = {}
for e in ev:
    if e["ev"] == "check":
        checks.setdefault(e["check"], []).append(e)
for name in ("hello", "false-exit", "both-streams", "stderr", "disk", "truncated"):
    assert name in checks, "no result of check %s" % name
    assert all(c["ok"] for c in checks[name]), checks[name]
assert checks["false-exit"][0]["code"] == 1, checks["false-exit"]
assert checks["disk"][0]["value"] == "42", checks["disk"]
t = json.loads(checks["truncated"][0]["value"])
assert t["truncated"] is True and t["stdout"] == "1\n2\n3\n4\n5\n", t
s = json.load(open(d + "/summary.json"))
w = {x["name"]: x for x in s["workloads"]}
tr = w["true"]["total"]
assert tr["requests"] == 50 and tr["ok"] == 50 and tr["errors"] == {}, tr
hang = w["hang"]["total"]
assert hang["requests"] == 1 and hang["errors"] == {"timeout": 1}, hang
print("true: 50 commands, latency p50 %.1f ms p99 %.1f ms, service p50 %.1f ms"
      % (tr["latency_ms"]["p50"], tr["latency_ms"]["p99"], tr["service_ms"]["p50"]))
PYEOF
sleep 0.5
if pgrep -f "^sleep 37\.$$\$" >/dev/null; then fail "the timed-out command still runs"; fi

# 2. host keys and client keys: refused at start (exit 4) with a reason
hk() { # hk NAME PATCH-PYTHON: render the host-key scenario, patch target h1
  render "$SCEN/ssh-hostkey.json" "$WORK/$1.json"
  $PY - "$WORK/$1.json" "$2" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1])); t = s["targets"]["h1"]
exec(sys.argv[2])
json.dump(s, open(sys.argv[1], "w"))
PYEOF
}
: >"$WORK/empty_known_hosts"
hk unknown "t['known_hosts'] = '$WORK/empty_known_hosts'"
drill_run "$WORK/unknown" run "$WORK/unknown.json"
drill_expect "$WORK/unknown" 4
grep -q "is unknown (ssh-ed25519 $SSH_FP)" "$WORK/unknown.err" ||
  { drill_show "$WORK/unknown"; fail "unknown host key: no fingerprint $SSH_FP"; }

echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSHD/other_key.pub")" >"$WORK/changed_known_hosts"
hk changed "t['known_hosts'] = '$WORK/changed_known_hosts'"
drill_run "$WORK/changed" run "$WORK/changed.json"
drill_expect "$WORK/changed" 4
grep -q "has CHANGED: the server now shows ssh-ed25519 $SSH_FP" "$WORK/changed.err" ||
  { drill_show "$WORK/changed"; fail "changed host key not refused as such"; }

hk accept "t['known_hosts'] = '$WORK/empty_known_hosts'; t['accept_unknown_host_key'] = True"
drill_run "$WORK/accept" run "$WORK/accept.json"
drill_expect "$WORK/accept" 0
grep -q "accepted the unknown host key .*$SSH_FP" "$WORK/accept.err" ||
  { drill_show "$WORK/accept"; fail "accept_unknown_host_key not warned"; }

hk wrongkey "t['key_file'] = '$SSHD/other_key'"
drill_run "$WORK/wrongkey" run "$WORK/wrongkey.json"
drill_expect "$WORK/wrongkey" 4
grep -q "refused key authentication with $SSHD/other_key" "$WORK/wrongkey.err" ||
  { drill_show "$WORK/wrongkey"; fail "wrong key: no auth refusal"; }

# 3. verify mode: "run" is never sent, the checks are
render "$SCEN/ssh-verify.json" "$WORK/verify.json"
v=$WORK/verify
drill_run "$v" verify "$WORK/verify.json"
drill_expect "$v" 0
[ ! -e "$WORK/fault-ran" ] && [ ! -e "$WORK/plan-ran" ] ||
  fail "verify mode ran a state-changing command"
grep -q "not sent: verify mode; would run" "$v/summary.json" ||
  { drill_show "$v"; fail "verify: the plan's run step is not proven and not sent"; }
# a step whose program is not on the host cannot run: verify fails and
# says why, still without running anything
sed -e "s|\"touch $WORK/plan-ran\"|\"no-such-tool-$$ --restart web\"|" "$WORK/verify.json" >"$WORK/verify-missing.json"
grep -q "no-such-tool-$$" "$WORK/verify-missing.json" || fail "verify-missing: not rendered"
drill_run "$WORK/vmiss" verify "$WORK/verify-missing.json"
drill_expect "$WORK/vmiss" 1
grep -q "cannot run run .*no program 'no-such-tool-$$' on the host" "$WORK/vmiss/summary.json" ||
  { drill_show "$WORK/vmiss"; fail "verify: a missing program is not a failed step with its reason"; }
[ ! -e "$WORK/fault-ran" ] && [ ! -e "$WORK/plan-ran" ] ||
  fail "verify mode ran a state-changing command"
# a check may not use "run"
$PY - "$WORK/verify.json" "$WORK/badcheck.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["checks"]["hello"]["op"] = {"run": "echo hello"}
json.dump(s, open(sys.argv[2], "w"))
PYEOF
expect_status 2 "$EVENTDRILL" validate "$WORK/badcheck.json"
pass "ssh driver: exit codes, values, truncation, timeout kill, host keys, auth, verify"
