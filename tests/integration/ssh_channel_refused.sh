#!/usr/bin/env bash
# A channel the SSH server refuses or closes is reported with what the
# server did, never an empty detail nor a guess:
#  1. OpenSSH's sshd with MaxSessions 2 and max_channels 4: four commands
#     at once, two get their channel and two are refused; the refused ones
#     carry the server's reason (RFC 4254's reason code by name, and the
#     server's own text);
#  2. Debian's dropbear 2022.83: the connection is lost under 8 running
#     commands, and then churn makes it close channels it takes for closed
#     ones (a race of that version, which shows on most runs). Each failed
#     command says what the server did: it closed the channel at once, or
#     the connection. dropbear logs in a throwaway system user whose home
#     is under $WORK, removed at the end.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/drill_lib.sh"
. "$(dirname "$0")/ssh_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root: dropbear logs in a throwaway user"
command -v dropbear >/dev/null || fail "dropbear is missing (scripts/install-deps.sh: dropbear-bin)"

# details DIR: every failed request's detail in the journal, one a line
details() {
  $PY - "$1/journal.jsonl" <<'PYEOF'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("ev") == "req" and e.get("err", "ok") != "ok":
        print(e["err"], "|", e.get("detail", ""))
PYEOF
}

# ---- 1. OpenSSH past its MaxSessions ------------------------------------
SSHD_EXTRA="MaxSessions 2" sshd_start
cat >"$WORK/nap.sh" <<'SH'
sleep 2
SH
cat >"$WORK/openssh.json" <<JSON
{ "name": "ssh-refused",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts", "max_channels": 4 } },
  "workloads": [ { "name": "w", "targets": ["h"], "op": { "check": "sh $WORK/nap.sh" },
                   "rate": [ { "constant": 40, "for": "100ms" } ],
                   "max_in_flight": 4, "timeout": "60s" } ] }
JSON
o=$WORK/openssh
drill_run "$o" run "$WORK/openssh.json"
details "$o" >"$o.details"
cat "$o.details"
n=$(grep -c 'the server refused a channel (is max_channels above its MaxSessions?): the server refused it: connect failed ("open failed")' "$o.details" || true)
[ "$n" -ge 1 ] || { drill_show "$o"; fail "OpenSSH: no refusal with the server's reason"; }
grep -Eq '(: |\|) *$' "$o.details" && fail "OpenSSH: an empty detail"

# ---- 2. dropbear --------------------------------------------------------
DB=$WORK/dropbear
DB_USER=edtest$$
mkdir -p "$DB/home/.ssh"
chmod 711 "$WORK" "$DB"
useradd -r -M -d "$DB/home" -s /bin/sh "$DB_USER" || fail "useradd $DB_USER"
cleanup_hooks+=("userdel $DB_USER 2>/dev/null")
cp "$SSHD/client_key.pub" "$DB/home/.ssh/authorized_keys"
chown -R "$DB_USER:" "$DB/home"
chmod 755 "$DB/home"; chmod 700 "$DB/home/.ssh"; chmod 600 "$DB/home/.ssh/authorized_keys"
dropbearkey -t ed25519 -f "$DB/host_key" >/dev/null 2>&1 || fail "dropbearkey"
DB_PORT=$(free_port)
echo "[127.0.0.1]:$DB_PORT $(dropbearkey -y -f "$DB/host_key" | grep '^ssh-' | cut -d' ' -f1,2)" \
  >"$DB/known_hosts"
dropbear -F -E -p "127.0.0.1:$DB_PORT" -r "$DB/host_key" -P "$DB/dropbear.pid" \
  >"$DB/dropbear.log" 2>&1 &
db_pid=$!
cleanup_hooks+=("kill $db_pid 2>/dev/null")
for _ in $(seq 50); do grep -q "Not backgrounding" "$DB/dropbear.log" && break; sleep 0.1; done
# dropbear_scenario NAME COMMAND RATE FOR: a one-target drill of COMMAND
dropbear_scenario() {
  cat >"$WORK/$1.json" <<JSON
{ "name": "ssh-$1",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $DB_PORT,
                      "user": "$DB_USER", "key_file": "$SSHD/client_key",
                      "known_hosts": "$DB/known_hosts", "max_channels": 8 } },
  "workloads": [ { "name": "w", "targets": ["h"], "op": { "check": "$2" },
                   "rate": [ { "constant": $3, "for": "$4" } ],
                   "max_in_flight": 64, "timeout": "20s" } ] }
JSON
}

# what_server_did DETAILS: every failed command's detail names what the
# server did, none is empty and none is a guess
what_server_did() {
  grep -Eq '(: |\|) *$' "$1" && fail "dropbear: an empty detail"
  grep -q "gave no reason (its limit" "$1" && fail "dropbear: a guess instead of what the server did"
  $PY - "$1" <<'PYEOF' || fail "dropbear: a detail does not say what the server did"
import sys
known = ("the server closed the channel at once (SSH_MSG_CHANNEL_CLOSE) and gave no reason",
         "the server refused it: ", "Socket error: ", "the server closed the connection")
for line in open(sys.argv[1]):
    cls, detail = line.rstrip("\n").split(" | ", 1)
    if "channel" in detail or cls == "connect":
        assert any(k in detail for k in known), line
PYEOF
}

# 2a. The connection dies under 8 running commands: the process serving it
# is killed while they sleep. Every one of them fails saying so.
printf 'sleep 5\n' >"$WORK/hold.sh"
chmod 644 "$WORK/hold.sh"
dropbear_scenario lost "sh $WORK/hold.sh" 8 1s
d=$WORK/lost
"$EVENTDRILL" run "$WORK/lost.json" --plain --out "$d" >"$d.out" 2>"$d.err" &
drill=$!
cleanup_hooks+=("kill $drill 2>/dev/null")
holding() { pgrep -c -x -f "sh $WORK/hold.sh" || true; }
for _ in $(seq 100); do [ "$(holding)" -ge 8 ] && break; sleep 0.1; done
[ "$(holding)" -ge 8 ] || { drill_show "$d"; fail "dropbear: 8 commands never ran at once"; }
pkill -KILL -P "$db_pid" || fail "dropbear: no process serving the connection"
status=0; wait "$drill" || status=$?
details "$d" >"$d.details"
sort "$d.details" | uniq -c | sort -rn | head
lost=$(grep -c "^connect | .*\(Socket error: \|the server closed the connection\)" "$d.details" || true)
[ "$lost" -ge 8 ] || { drill_show "$d"; fail "dropbear: $lost of 8 commands say the connection was lost"; }
what_server_did "$d.details"

# 2b. Under churn (short commands at 150/s over one connection of 8
# channels) dropbear 2022.83 closes channels it takes for closed ones and
# then dies on an assertion. The race shows on most runs, not all: up to
# 5 runs, and each one's failures must say what the server did.
dropbear_scenario churn true 150 3s
seen=0
for i in 1 2 3 4 5; do
  d=$WORK/db$i
  drill_run "$d" run "$WORK/churn.json"
  details "$d" >"$d.details"
  what_server_did "$d.details"
  grep -q "Failed assertion\|cannot open a channel\|refused a channel" \
    "$DB/dropbear.log" "$d.details" && { seen=1; break; }
done
if [ "$seen" -eq 1 ]; then
  sort "$d.details" | uniq -c | sort -rn | head
  grep -q "cannot open a channel: the server closed the channel at once" "$d.details" ||
    echo "note: dropbear died before it closed a channel this time (Failed assertion in its log)"
else
  echo "note: dropbear's channel race did not show in 5 runs of churn; only the lost connection (2a) was seen"
fi
pass "a refused or closed SSH channel says what the server did (OpenSSH, dropbear)"
