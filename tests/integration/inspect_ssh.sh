#!/usr/bin/env bash
# eventdrill inspect on an SSH host (a throwaway OpenSSH sshd): response
# time, clock, disks and, where the host has them, time sync and failed
# units, read with read-only commands; a tuned rule turns the disks into a
# finding.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/ssh_lib.sh"
sshd_start

cat >"$WORK/fleet.json" <<JSON
{ "name": "hosts", "devices": {
  "web1": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
            "user": "$SSH_USER", "key_file": "$SSHD/client_key",
            "known_hosts": "$SSHD/known_hosts", "labels": { "role": "web" } } } }
JSON
cat >"$WORK/rules.json" <<'JSON'
{ "rules": { "disk-full": { "used_pct": 0 } } }
JSON
expect_status 1 "$EVENTDRILL" inspect "$WORK/fleet.json" --rules "$WORK/rules.json" \
  --samples 5 --out "$WORK/out" >"$WORK/out.txt" 2>"$WORK/err.txt"
cat "$WORK/out.txt"
$PY - "$WORK/out/inspection.json" <<'PY' || fail "inspection.json"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
s = d["snapshots"][0]
assert s["reachable"], s
assert s["latency_ms"]["samples"] == 6, s["latency_ms"]
assert abs(s["clock_offset_s"]) < 2, s["clock_offset_s"]
mounts = {x["mount"]: x["used_pct"] for x in s["disks"]}
assert "/" in mounts, mounts
# What df says here, on the same host.
df = subprocess.run(["df", "-P", "/"], capture_output=True, text=True).stdout
pct = int(df.splitlines()[1].split()[4].rstrip("%"))
assert abs(mounts["/"] - pct) <= 1, (mounts["/"], pct)
# timedatectl and systemctl exist on a host with systemd; elsewhere what
# could not be read is said, not guessed.
gaps = " ".join(s.get("gaps", []))
assert "time_sync" in s or "time sync" in gaps, s
assert "failed_units" in s or "failed units" in gaps, s
rules = {(f["rule"], f["severity"]) for f in d["findings"]}
assert ("disk-full", "high") in rules, rules
print("PASS: ssh host read:", mounts)
PY
pass "inspect reads an SSH host"
