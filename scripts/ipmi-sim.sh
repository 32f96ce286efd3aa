#!/bin/bash
# Starts OpenIPMI's ipmi_sim as a LAN BMC on 127.0.0.1 (default port 9623,
# or $1), with a temperature sensor, one SEL entry, chassis power control and
# the accounts admin/secret and viewer/peek; runs until Ctrl-C. It is the BMC
# the IPMI scenarios and tests use:
#   bash scripts/ipmi-sim.sh &
#   IPMI_CREDS=admin:secret ./build/bin/eventdrill rehearse scenarios/ipmi-power-cycle.json
# The chassis power state is held in ipmi_sim by the module the build makes
# from tests/peers/ipmisim_chassis.c (in build/, or the build folder $2);
# without it, ipmi_sim runs a control script for every chassis request.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
PORT=${1:-9623}
ED_BUILD=${2:-${ED_BUILD:-$SRC/build}}
command -v ipmi_sim >/dev/null || bash "$SRC/scripts/install-deps.sh"
PY=/usr/bin/python3
WORK=$(mktemp -d)
cleanup_hooks=()
fail() { echo "ipmi-sim: $*" >&2; exit 1; }
cleanup() {
  for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
. "$SRC/tests/integration/ipmi_lib.sh"
free_udp_port() { echo "$PORT"; }
bmc_start
echo "ipmi-sim: BMC on $BMC_HOST (FreeIPMI form), admin/secret, chassis" \
  "control by $BMC_CHASSIS; Ctrl-C stops it"
wait "$BMC_PID"
