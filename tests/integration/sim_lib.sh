# Helpers sourced by the sim_*.sh integration tests (not a test itself).
# Each test gets a temporary folder $D, removed at exit with the simulator
# it started stopped.
set -euo pipefail
: "${ED_BIN:?ED_BIN must point at the built programs}"
SIM="$ED_BIN/eventdrill-sim"
D=$(mktemp -d)
SIM_PID=
PY=/usr/bin/python3

sim_cleanup() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap sim_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  [ -f "$D/sim.err" ] && tail -20 "$D/sim.err" >&2
  exit 1
}

# sim_start ARGS...: start eventdrill-sim and wait for its readiness line.
sim_start() {
  "$SIM" "$@" >"$D/sim.out" 2>"$D/sim.err" &
  SIM_PID=$!
  for _ in $(seq 1 200); do
    grep -q "serving" "$D/sim.out" 2>/dev/null && break
    kill -0 "$SIM_PID" 2>/dev/null || fail "eventdrill-sim exited at start"
    sleep 0.05
  done
  grep -q "serving" "$D/sim.out" || fail "no readiness line within 10 s"
  CONTROL=$(grep -o 'control http://[0-9.:]*' "$D/sim.out" | cut -d' ' -f2 || true)
}

# sim_stop: SIGTERM, and the exit status must be 0.
sim_stop() {
  kill -TERM "$SIM_PID"
  local rc=0
  wait "$SIM_PID" || rc=$?
  SIM_PID=
  [ "$rc" -eq 0 ] || fail "eventdrill-sim exited with $rc after SIGTERM"
  if grep -q "ERROR: AddressSanitizer\|runtime error:" "$D/sim.err"; then
    fail "sanitizer report"
  fi
}

# ctl METHOD PATH [JSON]: call the control channel, print the body.
ctl() {
  if [ $# -ge 3 ]; then
    curl -sS -X "$1" -H 'Content-Type: application/json' -d "$3" "$CONTROL$2"
  else
    curl -sS -X "$1" "$CONTROL$2"
  fi
}

expect_eq() { # expect_eq WHAT GOT WANT
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
  echo "ok: $1 = $3"
}
