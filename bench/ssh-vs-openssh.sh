#!/bin/bash
# `true` over SSH against a private sshd on 127.0.0.1, in one run: the
# OpenSSH client spawned once per command (a new process and handshake each
# time) versus the eventdrill SSH driver on one reused connection, with
# k = 1, 2, 4, 8 channels at once. Prints commands/s and p50/p99 of each,
# the connections sshd saw for each driver run, and the ratios.
#
# Both log in as a dedicated unprivileged account (created here, as root,
# once: ED_BENCH_USER, default edbench) whose login shell is /bin/sh and
# whose home holds only .ssh/authorized_keys, so that what is measured is
# SSH and the clients, not a user's dotfiles (sshd runs the login shell for
# every command). The private sshd lets only that account in.
#
# Usage: bench/ssh-vs-openssh.sh [BUILD_DIR]       (default: build)
# Goal: the driver >= 20x the per-command rate of the spawned client, and
# rates growing with the channels until sshd's MaxSessions.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
N=${ED_BENCH_SPAWNS:-50}
SECS=${ED_BENCH_SECONDS:-5}
BENCH_USER=${ED_BENCH_USER:-edbench}
BENCH_HOME=/var/lib/eventdrill-bench
BENCH_TAG="eventdrill bench account"
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || bash "$SRC/scripts/install-deps.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root: it creates the $BENCH_USER account" >&2; exit 1; }

. "$SRC/bench/lib.sh"
# The sshd of the integration tests (private config and keys, free port).
. "$SRC/tests/integration/ssh_lib.sh"

# bench_account: the account, created or checked; never one that is not
# the bench's own (its comment says so).
bench_account() {
  if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir "$BENCH_HOME" \
      --shell /bin/sh --comment "$BENCH_TAG" "$BENCH_USER"
  fi
  local pw
  pw=$(getent passwd "$BENCH_USER")
  [ "$(echo "$pw" | cut -d: -f5)" = "$BENCH_TAG" ] ||
    fail "user $BENCH_USER exists and is not the bench's account; set ED_BENCH_USER"
  [ "$(echo "$pw" | cut -d: -f6-7)" = "$BENCH_HOME:/bin/sh" ] ||
    usermod --shell /bin/sh --home "$BENCH_HOME" "$BENCH_USER"
  # no password, but not locked either: sshd refuses locked accounts
  [ "$(getent shadow "$BENCH_USER" | cut -d: -f2)" = '*' ] ||
    usermod --password '*' "$BENCH_USER"
}

# bench_home KEY.pub: the home holds only .ssh/authorized_keys (this run's
# client key).
bench_home() {
  local group
  group=$(id -gn "$BENCH_USER")
  mkdir -p "$BENCH_HOME"
  find "$BENCH_HOME" -mindepth 1 -delete
  install -d -m 700 -o "$BENCH_USER" -g "$group" "$BENCH_HOME" "$BENCH_HOME/.ssh"
  install -m 600 -o "$BENCH_USER" -g "$group" "$1" "$BENCH_HOME/.ssh/authorized_keys"
}

bench_account
SSH_USER=$BENCH_USER
SSHD_EXTRA="AllowUsers $BENCH_USER
AuthorizedKeysFile .ssh/authorized_keys"
sshd_start
bench_home "$SSHD/client_key.pub"

spawn() {
  ssh -F /dev/null -q -i "$SSHD/client_key" -p "$SSH_PORT" -o BatchMode=yes \
    -o UserKnownHostsFile="$SSHD/known_hosts" -o StrictHostKeyChecking=yes \
    "$SSH_USER@127.0.0.1" true
}

# driver K: K channels on one connection, offered more than they can do:
# "cmds/s p50_ms p99_ms connections".
driver() {
  local k=$1 before
  cat >"$WORK/s$k.json" <<JSON
{ "name": "ssh-bench-$k",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "auth": "key",
                      "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts",
                      "connections": 1, "max_channels": $k } },
  "workloads": [ { "name": "true", "targets": ["h"], "op": { "check": "true" },
                   "rate": [ { "name": "load", "constant": 5000, "for": "${SECS}s" } ],
                   "max_in_flight": $k, "timeout": "5s" } ],
  "journal": { "requests": "aggregate" } }
JSON
  before=$(sshd_accepted)
  "$ED" run "$WORK/s$k.json" --quiet --no-report --out "$WORK/r$k" || true
  $PY - "$WORK/r$k/summary.json" "$(($(sshd_accepted) - before))" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
if t["ok"] == 0 or t["errors"]:
    sys.exit("failed commands: %s" % t["errors"])
svc = t["service_ms"]
print("%.1f %.2f %.2f %s" % (t["ok"] / s["elapsed_s"], svc["p50"], svc["p99"],
                             sys.argv[2]))
PYEOF
}

read -r sp_rate sp_p50 sp_p99 < <(time_runs "$N" spawn)
rows=()
for k in 1 2 4 8; do
  read -r rate p50 p99 conns < <(driver "$k")
  rows+=("$k $rate $p50 $p99 $conns")
done
printf '`true` over SSH to 127.0.0.1:%s as %s (login shell %s); load: %s\n' \
  "$SSH_PORT" "$SSH_USER" "$(getent passwd "$SSH_USER" | cut -d: -f7)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %10s %9s %9s %6s\n' "" "cmds/s" "p50 ms" "p99 ms" "conns"
printf '%-40s %10s %9s %9s %6s\n' "ssh spawned per command ($N runs)" \
  "$sp_rate" "$sp_p50" "$sp_p99" "$N"
for r in "${rows[@]}"; do
  read -r k rate p50 p99 conns <<<"$r"
  printf '%-40s %10s %9s %9s %6s\n' \
    "eventdrill ssh, $k channel(s), 1 connection" "$rate" "$p50" "$p99" "$conns"
done
$PY - "$sp_rate" "${rows[@]}" <<'PYEOF'
import sys
sp = float(sys.argv[1])
rows = [r.split() for r in sys.argv[2:]]
rate = {int(r[0]): float(r[1]) for r in rows}
print("ratio 1 channel / spawned ssh:   %5.1fx (goal >= 20x)" % (rate[1] / sp))
best = max(rate, key=rate.get)
print("ratio best (%d channels) / spawned: %5.1fx" % (best, rate[best] / sp))
print("k channels / 1 channel:          " +
      ", ".join("k=%d %.2fx" % (k, rate[k] / rate[1]) for k in sorted(rate)))
PYEOF
