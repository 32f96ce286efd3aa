# Helpers of the watch_* integration tests (sourced after lib/common.sh,
# not a test itself): a standalone eventdrill-sim fleet in ports mode with
# its access log, and the inventory, plan and rules files that point at it.
SIM="$ED_BIN/eventdrill-sim"
SIM_PID=
export BMC_CRED=admin:password # the simulator's default account

sim_stop() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  SIM_PID=
}
cleanup_hooks+=("sim_stop")

# sim_start N: N BMCs on consecutive loopback ports (a free base is
# searched), the control channel on a free port; sets BASE and CONTROL.
sim_start() {
  local n=$1 try
  for try in 1 2 3 4 5; do
    BASE=$($PY - "$n" <<'PYEOF'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 60000)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    break
PYEOF
)
    "$SIM" --bmcs "$n" --mode ports --address 127.0.0.1 --port "$BASE" \
      --control 127.0.0.1:0 --access-log >"$WORK/sim.out" 2>"$WORK/sim.err" &
    SIM_PID=$!
    for _ in $(seq 1 100); do
      grep -q serving "$WORK/sim.out" 2>/dev/null && break
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.05
    done
    if grep -q serving "$WORK/sim.out"; then
      CONTROL=$(grep -o 'control http://[0-9.:]*' "$WORK/sim.out" | cut -d' ' -f2)
      return 0
    fi
    sim_stop
  done
  fail "eventdrill-sim did not start: $(tail -3 "$WORK/sim.err")"
}

# ctl PATH JSON: a command on the simulator's control channel.
ctl() {
  curl -sS -f -d "$2" "$CONTROL$1" >/dev/null || fail "control $1 $2 failed"
}

# write_files INTERVAL: fleet.json (three BMCs, basic auth: a session login
# would be a POST), plan.json (a plan for bmc-b unreachable, another for a
# bmc-c sensor), rules.json (alarms on the first poll that shows them).
write_files() {
  local i
  cat >"$WORK/fleet.json" <<EOF
{
  "name": "lab-fleet",
  "devices": {
    "bmc-a": {"driver": "redfish", "url": "http://127.0.0.1:$BASE", "auth": "basic",
              "credentials": "env:BMC_CRED", "labels": {"role": "db", "site": "hall-a"}},
    "bmc-b": {"driver": "redfish", "url": "http://127.0.0.1:$((BASE + 1))", "auth": "basic",
              "credentials": "env:BMC_CRED", "labels": {"role": "web", "site": "hall-a"}},
    "bmc-c": {"driver": "redfish", "url": "http://127.0.0.1:$((BASE + 2))", "auth": "basic",
              "credentials": "env:BMC_CRED", "labels": {"role": "web", "site": "hall-b"}}
  }
}
EOF
  cat >"$WORK/plan.json" <<'EOF'
{
  "name": "lab-plan",
  "inventory": "fleet.json",
  "checks": {
    "bmc-b-answers": {"target": "bmc-b", "op": {"get": "/redfish/v1"},
                      "expect": {"status": 200}, "mode": "before"},
    "bmc-b-on": {"target": "bmc-b",
                 "op": {"get": {"path": "/redfish/v1/Systems/1", "pointer": "/PowerState"}},
                 "expect": {"equals": "On"}, "mode": "before"},
    "bmc-c-cpu-cool": {"target": "bmc-c",
                       "op": {"get": {"path": "/redfish/v1/Chassis/1/Thermal",
                                      "pointer": "/Temperatures/0/ReadingCelsius"}},
                       "expect": {"max": 85}, "mode": "before"}
  },
  "faults": [
    {"name": "bmc-b-bmc-down", "at": "10s", "target": "bmc-b", "alarm": "unreachable",
     "action": {"reset": "ForceOff"}, "plan": "bmc-b-restore"},
    {"name": "bmc-c-overheat", "at": "20s", "target": "bmc-c", "alarm": "sensor",
     "action": {"reset": "ForceOff"}, "plan": "bmc-c-cooling"}
  ],
  "plans": {
    "bmc-b-restore": {"rto": "60s", "steps": [
      {"name": "confirm outage", "verify": ["bmc-b-answers"], "timeout": "5s"},
      {"name": "power on", "target": "bmc-b", "action": {"reset": "On"},
       "verify": ["bmc-b-on"], "timeout": "30s"}]},
    "bmc-c-cooling": {"steps": [
      {"name": "check CPU temperature", "verify": ["bmc-c-cpu-cool"], "timeout": "5s"}]}
  }
}
EOF
  cat >"$WORK/rules.json" <<'EOF'
{
  "unreachable": {"polls": 1},
  "sensor": {"hold": "0s"}
}
EOF
}

# access_check BUDGET: from the simulator's access log, every request was a
# GET or HEAD, and each BMC's rate stayed within BUDGET requests/s: over any
# window of W seconds at most BUDGET*W requests, plus one poll's burst (a
# poll sends its requests together, then the next waits).
access_check() {
  $PY - "$WORK/sim.err" "$1" <<'PYEOF' || fail "access log: $(tail -1 "$WORK/sim.err")"
import json, sys
budget = float(sys.argv[2])
reqs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"ts"')]
assert len(reqs) > 30, "only %d requests in the access log" % len(reqs)
bad = [r for r in reqs if r["method"] not in ("GET", "HEAD")]
assert not bad, "state-changing requests: %r" % bad[:3]
for bmc in sorted({r["bmc"] for r in reqs}):
    ts = sorted(r["ts"] for r in reqs if r["bmc"] == bmc)
    burst = 13  # one light poll (12 requests) and the start's check
    for w in (1.0, 3.0, 6.0):
        worst = max(sum(1 for t in ts[i:] if t < ts[i] + w) for i in range(len(ts)))
        allowed = budget * w + burst
        assert worst <= allowed, "bmc %d: %d requests in %.0f s, budget allows %.1f" % (
            bmc, worst, w, allowed)
    span = ts[-1] - ts[0]
    print("bmc %d: %d requests (all GET/HEAD) over %.1f s: %.2f/s (budget %g/s)" % (
        bmc, len(ts), span, (len(ts) - burst) / span if span > 0 else 0, budget))
PYEOF
}
