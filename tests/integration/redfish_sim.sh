# The Redfish driver against the simulator (eventdrill-sim) with session
# auth; skipped (exit 0, says so) while the simulator is not built.
. "$(dirname "$0")/redfish_lib.sh"
SIM="$ED_BIN/eventdrill-sim"
if [ ! -x "$SIM" ]; then
  echo "skip: $SIM not built"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
P=$(rf_port)
"$SIM" --listen "127.0.0.1:$P" >"$D/sim.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^eventdrill-sim:' "$D/sim.out" && break; sleep 0.05; done
export RF_SECRET="${RF_SIM_SECRET:-password}"
out=$(rf_host -u "${RF_SIM_USER:-admin}" -t url="\"http://127.0.0.1:$P\"" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/PowerState"' -n 200 -c 8 -q 2>&1 || true)
check "sim: session GETs" '"done":200,"ok":200' "$out"
rf_done
