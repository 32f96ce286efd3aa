# The Redfish driver against misbehaving peers: session auth (login, token,
# re-login on 401, logout, no login per request when every request is
# refused), a refused login, the reset action discovered at
# run time, a slow answer (timeout), a reset connection, a truncated answer,
# garbage instead of HTTP, invalid JSON; the secret never in any output.
. "$(dirname "$0")/redfish_lib.sh"
P=$(rf_port)
"$PY" "$(dirname "$0")/redfish_peer.py" "$P" &
PIDS+=($!)
rf_wait_port "$P"
U="http://127.0.0.1:$P"
export RF_SECRET=s3cret-pw
A=(-u admin -t url="\"$U\"")

out=$(rf_host "${A[@]}" -o get -a path='"/redfish/v1/Systems/{first}"' -a pointer='"/PowerState"' -n 40 -c 4 2>&1)
check "session: all ok through re-logins" '"done":40,"ok":40' "$out"
check "session: value" '"value":"On"' "$out"
check "session: stopped" '"stopped":0' "$out"
check_not "secret never printed" "s3cret-pw" "$out"
stats=$(curl -s "$U/stats")
check "session: logged out" '"logouts": 1' "$stats"
check_not "session: one login per expiry, not per request" '"logins": 40' "$stats"

# a service that refuses every request, even with a fresh session: one
# re-login, then every 401 fails at once; never a login per request
l0=$(curl -s "$U/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["logins"])')
out=$(rf_host "${A[@]}" -o get -a path='"/refused"' -n 40 -c 4 2>&1 || true)
check "refused: every request is auth" '"done":40,"ok":0' "$out"
check "refused: said why" 'not logging in again in this run' "$out"
stats=$(curl -s "$U/stats")
logins=$(echo "$stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["logins"])')
if [ $((logins - l0)) -le 2 ]; then
  echo "ok - refused: $((logins - l0)) logins for 40 refused requests"
  PASSES=$((PASSES + 1))
else
  echo "not ok - refused: $((logins - l0)) logins for 40 refused requests (at most 2: start and one re-login)"
  FAILS=$((FAILS + 1))
fi

out=$(rf_host "${A[@]}" -o get -a path='"/redfish/v1/Systems/sys-1#/Status"' -a pointer='"/PowerState"' -n 2 2>&1 || true)
check "a fragment is not sent" '"done":2,"ok":2' "$out"

out=$(rf_host "${A[@]}" -o reset -a type='"ForceOff"' -n 1 2>&1)
check "reset: action target discovered" '"err":"ok","code":204' "$out"
check "reset: body" '"ForceOff"' "$(curl -s "$U/stats")"

out=$(RF_SECRET=wrong rf_host "${A[@]}" -o get -a path='"/redfish/v1"' -n 1 2>&1 || true)
check "bad password: start fails as auth" '"start_error"' "$out"
check "bad password: reason" 'session login refused: HTTP 401' "$out"
check_not "wrong secret never printed" '"wrong"' "$out"

N=(-t url="\"$U\"" -t auth='"none"')
out=$(rf_host "${N[@]}" -t timeout='"500ms"' -o get -a path='"/slow"' -n 1 || true)
check "slow answer is timeout" '"err":"timeout"' "$out"
out=$(rf_host "${N[@]}" -o get -a path='"/reset"' -n 1 || true)
check "reset before answer is connect" '"err":"connect"' "$out"
out=$(rf_host "${N[@]}" -o get -a path='"/trunc"' -n 1 || true)
check "truncated answer is protocol" '"err":"protocol"' "$out"
out=$(rf_host "${N[@]}" -o get -a path='"/garbage"' -n 1 || true)
check "garbage is protocol" '"err":"protocol"' "$out"
out=$(rf_host "${N[@]}" -o get -a path='"/badjson"' -a pointer='"/PowerState"' -n 1 || true)
check "invalid JSON is bad_json" '"err":"bad_json"' "$out"
out=$(rf_host "${N[@]}" -o get -a path='"/redfish/v1/Systems/sys-1"' -n 1 || true)
check "401 without session is auth" '"err":"auth","code":401' "$out"
out=$(rf_host "${N[@]}" -o get -a path='"/slow"' -n 4 -c 4 -S 300 || true)
check "stop cancels requests in flight" '"err":"cancelled"' "$out"
check "stop after cancel" '"stopped":0' "$out"

rf_done
