#!/usr/bin/env bash
# Several commands at once over one SSH connection, against a real OpenSSH
# sshd on 127.0.0.1 that logs each connection it accepts. Each command
# writes when it starts and ends and waits, before it ends, until the
# whole group it belongs to has started: order and overlap are judged from
# those timestamps alone, never from how long the batch took, so a loaded
# machine (or a sanitizer build) only makes the test slower:
#  1. 5 × nap at once, max_channels 5, one connection: all 5 ran at once,
#     and sshd saw one connection;
#  2. 6 × nap, max_channels 3: the 3 beyond the bound wait (no error) and
#     start only after one of the first 3 ended; never more than 3 at once;
#     one connection;
#  3. connections 2: 8 commands over 2 connections of 4 channels: all 8
#     ran at once, more than one connection's 4;
#  4. the connection dropped by the server mid-run: it is re-opened and
#     the commands after it succeed;
#  5. upload: a script written with its mode, then run;
#  6. deadlines with one channel: the running command is killed, the one
#     waiting for the channel fails at its own deadline ("timeout");
#  7. output far beyond the channel's window, and beyond max_output: read
#     to the end, kept up to the bound, marked truncated.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"
sshd_start

# scenario NAME N MAX_CHANNELS CONNECTIONS COMMAND: N requests of COMMAND
# sent within 100 ms, all allowed in flight at once.
scenario() {
  cat >"$WORK/$1.json" <<JSON
{ "name": "ssh-$1",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts",
                      "max_channels": $3, "connections": $4 } },
  "workloads": [ { "name": "w", "targets": ["h"], "op": { "check": "$5" },
                   "rate": [ { "constant": $(($2 * 10)), "for": "100ms" } ],
                   "max_in_flight": $2, "timeout": "60s" } ] }
JSON
}

# $WORK/nap.sh NAME GROUP: writes when it starts and ends to
# $WORK/NAME.times; between the two it waits until every command of its
# group of GROUP has started (the 1st to GROUPth start form the first
# group, and so on), up to 30 s, then naps 0.3 s. Commands that run at once
# thus all overlap however slowly each starts; commands that do not run at
# once show it as an overlap below GROUP.
cat >"$WORK/nap.sh" <<SH
times="$WORK/\$1.times"
echo "start \$(date +%s.%N)" >>"\$times"
mine=\$(grep -c start "\$times")
want=\$(( (mine + \$2 - 1) / \$2 * \$2 ))
i=0
while [ "\$(grep -c start "\$times")" -lt "\$want" ] && [ \$i -lt 300 ]; do
  sleep 0.1; i=\$((i + 1))
done
sleep 0.3
echo "end \$(date +%s.%N)" >>"\$times"
SH

# at_once NAME: the most commands of the batch that ran at the same time,
# then the number of commands that started after the first one ended.
at_once() {
  $PY - "$WORK/$1.times" <<'PYEOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
ev = sorted((float(t), 1 if k == "start" else -1) for k, t in rows)
n = top = 0
for _, d in ev:
    n += d
    top = max(top, n)
first_end = min(float(t) for k, t in rows if k == "end")
late = sum(1 for k, t in rows if k == "start" and float(t) > first_end)
print(top, late)
PYEOF
}

# batch NAME N MAX_CHANNELS CONNECTIONS GROUP: run it; check every request
# ran and succeeded, and that each command logged its start and its end;
# sets conns (connections sshd accepted), most (commands at once), late
# (commands that started after the first one ended).
batch() {
  local acc0
  acc0=$(sshd_accepted)
  scenario "$1" "$2" "$3" "$4" "sh $WORK/nap.sh $1 $5"
  drill_run "$WORK/$1" run "$WORK/$1.json"
  drill_expect "$WORK/$1" 0
  conns=$(($(sshd_accepted) - acc0))
  [ "$(grep -c '^start ' "$WORK/$1.times")" -eq "$2" ] &&
    [ "$(grep -c '^end ' "$WORK/$1.times")" -eq "$2" ] ||
    fail "$1: not every command logged its start and end: $(cat "$WORK/$1.times")"
  read -r most late < <(at_once "$1")
  $PY - "$WORK/$1/summary.json" "$2" <<'PYEOF' || { drill_show "$WORK/$1"; fail "$1: not every command succeeded"; }
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
n = int(sys.argv[2])
assert t["requests"] == n and t["ok"] == n and t["errors"] == {}, t
# each command naps 0.3 s after its group met: a shorter latency means
# the answer was not the command's
assert t["latency_ms"]["min"] >= 300, t["latency_ms"]
PYEOF
}

# 1. 5 at once on one connection: all 5 overlapped
batch parallel 5 5 1 5
[ "$conns" -eq 1 ] || fail "parallel: sshd saw $conns connections, expected 1"
[ "$most" -eq 5 ] || fail "parallel: at most $most commands ran at once, expected 5"
[ "$late" -eq 0 ] || fail "parallel: $late commands started after the first ended"
echo "5 commands on one connection: $most at once"

# 2. beyond max_channels: queued, not failed; never more than 3 at once,
# and the last 3 started only once a channel was free
batch queued 6 3 1 3
[ "$conns" -eq 1 ] || fail "queued: sshd saw $conns connections, expected 1"
[ "$most" -eq 3 ] || fail "queued: $most commands ran at once, expected 3 (the bound)"
[ "$late" -eq 3 ] || fail "queued: $late commands started after the first ended, expected 3"
echo "6 commands on 3 channels: 3 at once, 3 queued until a channel was free"

# 3. two connections of 4 channels: all 8 at once
batch two 8 4 2 8
[ "$conns" -eq 2 ] || fail "two: sshd saw $conns connections, expected 2"
[ "$most" -eq 8 ] || fail "two: $most commands ran at once, expected 8 (more than one connection's 4)"
[ "$late" -eq 0 ] || fail "two: $late commands started after the first ended"

# 4. a dropped connection is re-opened: sshd's process serving it is
# killed (by pid: a child of our sshd) while commands run
acc0=$(sshd_accepted)
log0=$(wc -l <"$SSHD/sshd.log")
cat >"$WORK/drop.json" <<JSON
{ "name": "ssh-drop",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts", "connections": 1 } },
  "workloads": [ { "name": "w", "targets": ["h"], "op": { "check": "true" },
                   "rate": [ { "constant": 5, "for": "6s" } ], "timeout": "10s" } ] }
JSON
"$EVENTDRILL" run "$WORK/drop.json" --plain --out "$WORK/drop" \
  >"$WORK/drop.out" 2>"$WORK/drop.err" &
run_pid=$!
for _ in $(seq 100); do
  [ "$(tail -n +"$((log0 + 1))" "$SSHD/sshd.log" | grep -c 'Starting session')" -ge 3 ] && break
  sleep 0.1
done
conn_pids=$(pgrep -P "$(cat "$SSHD/sshd.pid")" || true)
[ -n "$conn_pids" ] || fail "drop: no sshd process serves the driver's connection"
kill $conn_pids
status=0
wait $run_pid || status=$?
[ "$status" -eq 0 ] || { drill_show "$WORK/drop"; fail "drop: exit status $status"; }
conns=$(($(sshd_accepted) - acc0))
[ "$conns" -eq 2 ] || fail "drop: sshd saw $conns connections, expected 2 (one re-opened)"
$PY - "$WORK/drop" <<'PYEOF' || { drill_show "$WORK/drop"; fail "drop: results"; }
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/summary.json"))["workloads"][0]["total"]
# what ran on the connection when it dropped fails, as "connect"; no more
assert t["requests"] == 30 and t["ok"] >= 26, t
assert set(t["errors"]) <= {"connect"}, t
reqs = sorted((e for e in map(json.loads, open(d + "/journal.jsonl"))
               if e["ev"] == "req"), key=lambda e: e["t"])
assert len(reqs) == 30 and all(e["err"] == "ok" for e in reqs[-10:]), reqs[-10:]
print("dropped connection: %d of 30 commands ok, errors %s" % (t["ok"], t["errors"]))
PYEOF

# 5. upload: a script with its mode (in a folder with a space), verified
# by running it once the upload is done; a workload keeps the drill on
mkdir -p "$WORK/up dir"
cat >"$WORK/upload.json" <<JSON
{ "name": "ssh-upload",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts", "rehearsal": true } },
  "workloads": [ { "name": "w", "targets": ["h"], "op": { "check": "true" },
                   "rate": [ { "constant": 2, "for": "3s" } ] } ],
  "checks": {
    "script": { "target": "h", "op": { "check": "'$WORK/up dir/fault.sh'" },
                "expect": { "status": 0, "equals": "uploaded $$ it's" },
                "mode": "after", "steady": false } },
  "faults": [ { "name": "put-script", "at": "0s", "target": "h", "verify": ["script"],
                "action": { "upload": { "path": "$WORK/up dir/fault.sh", "mode": "0750",
                                        "content": "#!/bin/sh\necho \"uploaded $$ it's\"\n" } } } ] }
JSON
drill_run "$WORK/upload" rehearse "$WORK/upload.json"
drill_expect "$WORK/upload" 0
[ "$(stat -c %a "$WORK/up dir/fault.sh")" = 750 ] ||
  fail "upload: mode $(stat -c %a "$WORK/up dir/fault.sh"), expected 750"
grep -q '"check":"script","by":"fault","ok":true' "$WORK/upload/journal.jsonl" ||
  { drill_show "$WORK/upload"; fail "upload: the uploaded script did not run"; }
# 6. one channel, two commands past their deadline
cat >"$WORK/late.json" <<JSON
{ "name": "ssh-late",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts", "max_channels": 1 } },
  "workloads": [ { "name": "w", "targets": ["h"],
                   "op": { "check": { "command": "sleep 38.$$", "timeout": "1500ms" } },
                   "rate": [ { "constant": 20, "for": "100ms" } ], "max_in_flight": 2 } ],
  "slo": { "error_rate": 1 } }
JSON
# (every request times out on purpose: error_rate 1 says so)
drill_run "$WORK/late" run "$WORK/late.json"
drill_expect "$WORK/late" 0
$PY - "$WORK/late/summary.json" <<'PYEOF' || { drill_show "$WORK/late"; fail "late: results"; }
import json, sys
t = json.load(open(sys.argv[1]))["workloads"][0]["total"]
assert t["requests"] == 2 and t["errors"] == {"timeout": 2}, t
assert t["latency_ms"]["max"] < 3000, t["latency_ms"]
PYEOF
sleep 0.5
if pgrep -f "^sleep 38\.$$\$" >/dev/null; then fail "late: a timed-out command still runs"; fi

# 7. 3 MB on stdout (more than twice the channel's window), 1000 bytes kept
$PY - "$WORK/big.json" "$SSH_PORT" "$SSH_USER" "$SSHD" <<'PYEOF'
import json, sys
out, port, user, sshd = sys.argv[1:]
json.dump({"name": "ssh-big",
           "targets": {"h": {"driver": "ssh", "host": "127.0.0.1", "port": int(port),
                             "user": user, "key_file": sshd + "/client_key",
                             "known_hosts": sshd + "/known_hosts", "max_output": 1000}},
           "checks": {"big": {
               "target": "h",
               "op": {"check": {"command": r"head -c 3000000 /dev/zero | tr '\0' x; echo done >&2",
                                "output": "json"}},
               "expect": {"status": 0, "match": r'^\{"exit":0,"stdout":"x{1000}","stderr":"done\\n","truncated":true\}$'},
               "mode": "before", "steady": False}}}, open(out, "w"))
PYEOF
drill_run "$WORK/big" run "$WORK/big.json"
drill_expect "$WORK/big" 0
grep -q '"check":"big".*"ok":true' "$WORK/big/journal.jsonl" ||
  { drill_show "$WORK/big"; fail "big: output not read to the end, or not bounded"; }
pass "ssh channels: concurrent on one connection, queued beyond max_channels, 2 connections, re-opened after a drop, upload, deadlines, large output"
