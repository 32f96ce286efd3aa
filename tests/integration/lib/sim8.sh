# Eight BMCs of eventdrill-sim on consecutive ports of 127.0.0.1 (sourced
# after common.sh): sim8_start sets PORT (BMC k answers on PORT + k) and
# exports the simulator's credentials as BMC_CREDS; power N prints BMC N's
# PowerState. The simulator is stopped by the test's cleanup. And two
# helpers of the tests that kill a shard while BMC 5 is off.
SIM="$ED_BIN/eventdrill-sim"
export EDSIM_PW="pw-$RANDOM$RANDOM"
export BMC_CREDS="admin:$EDSIM_PW"

# eight consecutive free ports, below the ephemeral range where outgoing
# connections take theirs
sim8_ports() { $PY -c '
import random, socket
while True:
    base = random.randrange(20000, 32000)
    try:
        held = [socket.socket() for _ in range(8)]
        for k, s in enumerate(held):
            s.bind(("127.0.0.1", base + k))
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in held:
            s.close()
'; }

# Another test may take one of the ports between the probe and the bind:
# a simulator that cannot bind them all is started again elsewhere.
sim8_start() {
  printf '{"bmcs": 8, "power": {"on": "100ms", "off": "100ms"}}' >"$WORK/sim.json"
  sim_pid=
  for _ in 1 2 3 4 5; do
    PORT=$(sim8_ports)
    "$SIM" --config "$WORK/sim.json" --mode ports --address 127.0.0.1 --port "$PORT" \
      --user admin --password-env EDSIM_PW >"$WORK/sim.out" 2>&1 &
    sim_pid=$!
    for _ in $(seq 100); do
      grep -q '^eventdrill-sim:' "$WORK/sim.out" && break
      kill -0 "$sim_pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -0 "$sim_pid" 2>/dev/null && grep -q '^eventdrill-sim:' "$WORK/sim.out" && break
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=
  done
  [ -n "$sim_pid" ] || fail "eventdrill-sim did not start: $(cat "$WORK/sim.out")"
  cleanup_hooks+=("kill $sim_pid")
}

power() { # power N: PowerState of BMC N
  curl -sf -u "admin:$EDSIM_PW" "http://127.0.0.1:$((PORT + $1))/redfish/v1/Systems/1" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["PowerState"])'
}

# fault_in_force DIR: wait until the shard in DIR has journaled its fault's
# start and BMC 5 is Off; fail otherwise.
fault_in_force() {
  for _ in $(seq 300); do
    grep -q '"fault_start"' "$1/journal.jsonl" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '"fault_start"' "$1/journal.jsonl" || fail "$(basename "$1"): the fault never started"
  for _ in $(seq 50); do [ "$(power 5)" = Off ] && break; sleep 0.1; done
  [ "$(power 5)" = Off ] || fail "BMC 5 is not Off during its fault"
}

# stopped_by_loss LOST PREFIX I...: the shards I... (pids[I], logs in
# PREFIX<I>.log) exited 3, each saying shard LOST of 4 disappeared.
stopped_by_loss() {
  local lost=$1 prefix=$2 i rc
  shift 2
  for i in "$@"; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    [ "$rc" -eq 3 ] || { cat "$prefix$i.log" >&2; fail "shard $i exited $rc, not 3"; }
    grep -q "shard $lost of 4 disappeared" "$prefix$i.log" ||
      { cat "$prefix$i.log" >&2; fail "shard $i does not say shard $lost disappeared"; }
  done
}
