#!/bin/bash
# `true` over SSH against a private sshd on 127.0.0.1, in one run: the
# eventdrill SSH driver (reused connections: 1, then 4 channels) versus the
# OpenSSH client spawned once per command (a new process and handshake each
# time). Prints commands/s and p50/p99 of each and the ratios.
#
# Usage: bench/ssh-vs-openssh.sh [BUILD_DIR]       (default: build)
# Goal: the driver >= 20x the per-command rate of the spawned client.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ED=$BUILD/bin/eventdrill
N=${ED_BENCH_SPAWNS:-20}
SECS=${ED_BENCH_SECONDS:-5}
[ -x "$ED" ] || { echo "build first: $ED not found" >&2; exit 1; }
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || bash "$SRC/scripts/install-deps.sh"

. "$SRC/bench/lib.sh"
# The sshd of the integration tests (private config and keys, free port).
. "$SRC/tests/integration/ssh_lib.sh"
sshd_start

spawn() {
  ssh -q -i "$SSHD/client_key" -p "$SSH_PORT" -o BatchMode=yes \
    -o UserKnownHostsFile="$SSHD/known_hosts" -o StrictHostKeyChecking=yes \
    "$SSH_USER@127.0.0.1" true
}

# driver CHANNELS: offered more than it can do: "cmds/s p50_ms p99_ms".
driver() {
  local n=$1
  cat >"$WORK/s$n.json" <<JSON
{ "name": "ssh-bench-$n",
  "targets": { "h": { "driver": "ssh", "host": "127.0.0.1", "port": $SSH_PORT,
                      "user": "$SSH_USER", "auth": "key",
                      "key_file": "$SSHD/client_key",
                      "known_hosts": "$SSHD/known_hosts", "max_channels": $n } },
  "workloads": [ { "name": "true", "targets": ["h"], "op": { "check": "true" },
                   "rate": [ { "name": "load", "constant": 2000, "for": "${SECS}s" } ],
                   "max_in_flight": $n, "timeout": "5s" } ],
  "journal": { "requests": "aggregate" } }
JSON
  "$ED" run "$WORK/s$n.json" --quiet --no-report --out "$WORK/r$n" || true
  $PY - "$WORK/r$n/summary.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["workloads"][0]["total"]
if t["ok"] == 0:
    sys.exit("no successful command: %s" % t["errors"])
svc = t["service_ms"]
print("%.2f %.1f %.1f" % (t["ok"] / s["elapsed_s"], svc["p50"], svc["p99"]))
PYEOF
}

read -r sp_rate sp_p50 sp_p99 < <(time_runs "$N" spawn)
read -r d1_rate d1_p50 d1_p99 < <(driver 1)
read -r d4_rate d4_p50 d4_p99 < <(driver 4)
printf '`true` over SSH to 127.0.0.1:%s\n' "$SSH_PORT"
printf '%-34s %10s %9s %9s\n' "" "cmds/s" "p50 ms" "p99 ms"
printf '%-34s %10s %9s %9s\n' "ssh spawned per command" "$sp_rate" "$sp_p50" "$sp_p99"
printf '%-34s %10s %9s %9s\n' "eventdrill ssh, 1 channel" "$d1_rate" "$d1_p50" "$d1_p99"
printf '%-34s %10s %9s %9s\n' "eventdrill ssh, 4 channels" "$d4_rate" "$d4_p50" "$d4_p99"
$PY - "$d1_rate" "$sp_rate" "$d4_rate" <<'PYEOF'
import sys
d1, sp, d4 = map(float, sys.argv[1:])
print("ratio 1 channel / spawned ssh: %.1fx (goal >= 20x)" % (d1 / sp))
print("ratio 4 channels / 1 channel:  %.2fx" % (d4 / d1))
PYEOF
