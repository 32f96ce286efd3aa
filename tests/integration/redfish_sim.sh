# The Redfish driver against the simulator (eventdrill-sim) with session
# auth, then with basic auth, and the reset action changing the power state.
. "$(dirname "$0")/redfish_lib.sh"
SIM="$ED_BIN/eventdrill-sim"
[ -x "$SIM" ] || { echo "not ok - $SIM is not built"; exit 1; }
P=$(rf_port)
export EDSIM_PW="sim-$RANDOM-$RANDOM"
printf '{"power":{"on":"300ms","off":"300ms"}}' >"$D/sim.json"
"$SIM" --config "$D/sim.json" --mode ports --address 127.0.0.1 --port "$P" \
  --user admin --password-env EDSIM_PW >"$D/sim.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^eventdrill-sim:' "$D/sim.out" && break; sleep 0.05; done
grep -q '^eventdrill-sim:' "$D/sim.out" || { cat "$D/sim.out"; echo "not ok - simulator did not start"; exit 1; }
export RF_SECRET="$EDSIM_PW"
url="\"http://127.0.0.1:$P\""
out=$(rf_host -u admin -t url="$url" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/PowerState"' -n 200 -c 8 -q 2>&1 || true)
check "sim: session GETs" '"done":200,"ok":200' "$out"
out=$(rf_host -u admin -t url="$url" -t auth='"basic"' -o get -a path='"/redfish/v1/Chassis/{first}"' -n 50 -c 4 -q 2>&1 || true)
check "sim: basic-auth GETs" '"done":50,"ok":50' "$out"
out=$(rf_host -u admin -t url="$url" -o reset -a type='"ForceOff"' -n 1 -c 1 2>&1 || true)
check "sim: reset ForceOff accepted" '"ok":1' "$out"
out=$(rf_host -u admin -t url="$url" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/PowerState"' -n 1 -c 1 2>&1 || true)
check "sim: power state is Off" '"value":"Off"' "$out"
RF_SECRET=wrong out=$(rf_host -u admin -t url="$url" -o get -a path='"/redfish/v1/Systems"' -n 1 -c 1 2>&1 || true)
check "sim: wrong password refused" 'login refused: HTTP 401' "$out"
rf_done
