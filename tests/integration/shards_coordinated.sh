#!/usr/bin/env bash
# Four shards of one drill with a coordinator (--coordinator, shard 0
# listening on loopback), against eight BMCs of eventdrill-sim on four
# sites (--shard-by site):
#   1. started up to 2 s apart, with peers that do not speak the protocol
#      connected beside them, they meet at the start barrier: their load
#      starts within 5 ms of each other on the coordinator's clock (each
#      shard's t = 0 from its journal's clock event, put on the
#      coordinator's clock by the offset the channel measured, which on one
#      machine must be within half its round trip of 0); each exits 0, and
#      the merged folder's requests are the sum of the shards';
#   2. a shard killed (SIGKILL) while its fault is in force: every other
#      shard stops at once and exits 3 naming it; `recover` on the merged
#      folder runs the owed undo and the BMC is On again;
#   3. a shard with the wrong token is refused (it exits 3 saying so, the
#      coordinator's barrier gives up on it), also while its targets are
#      still starting; a token file others can read,
#      or a short token, is a usage error (exit 2).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim8.sh"
export EVENTDRILL_SHARD_TOKEN="tok-$RANDOM$RANDOM$RANDOM-$RANDOM$RANDOM"
sim8_start
[ "$(power 5)" = On ] || fail "BMC 5 is not On at the start"

# scenario FILE SECONDS: sites a..d, two BMCs each (BMC k is t<k>, site
# "abcd"[k/2]); Poisson load on all; BMC 5 (site c: shard 2) is powered off
# at 1 s for 30 s, its undo powers it on, a check on it verifies the fault.
scenario() {
  $PY - "$1" "$2" "$PORT" <<'PYEOF'
import json, sys
out, secs, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
targets = {f"t{k}": {"driver": "redfish", "url": f"http://127.0.0.1:{port + k}",
                     "auth": "basic", "credentials": "env:BMC_CREDS",
                     "rehearsal": True, "labels": {"site": "abcd"[k // 2]}}
           for k in range(8)}
json.dump({
  "name": "coordinated", "seed": 5, "targets": targets,
  "journal": {"requests": "all"},
  "workloads": [{"name": "poll", "targets": sorted(targets),
                 "op": {"get": "/redfish/v1"}, "arrival": "poisson",
                 "rate": [{"name": "steady", "constant": 10, "for": secs}]}],
  "checks": {"t5-off": {"target": "t5",
             "op": {"get": {"path": "/redfish/v1/Systems/1", "pointer": "/PowerState"}},
             "expect": {"equals": "Off"}, "mode": "during_fault"}},
  "faults": [{"name": "t5-power-loss", "at": "1s", "for": "30s", "target": "t5",
              "action": {"reset": "ForceOff"},
              "undo": {"action": {"reset": "On"}, "when": "always"},
              "verify": ["t5-off"]}],
  "slo": {"error_rate": 0.2},
}, open(out, "w"), indent=1)
PYEOF
}

CPORT=$(free_port)
shard() { # shard I SCENARIO OUT [ARGS...]: one shard in the background
  local i=$1 s=$2 out=$3
  shift 3
  "$EVENTDRILL" run "$s" --quiet --no-report --shard "$i/4" --shard-by site \
    --coordinator "127.0.0.1:$CPORT" --out "$out" "$@" >"$out.log" 2>&1 &
  pids[$i]=$!
}
pids=()
cleanup_hooks+=('for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done')

# ---- 1. the barrier ------------------------------------------------------
scenario "$WORK/short.json" 3s
$PY - "$WORK/short.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["faults"][0]["for"] = "1s"  # over before the end
json.dump(s, open(sys.argv[1], "w"))
PYEOF
# Beside them, peers that do not speak the protocol: one sends a frame
# out of bounds, one a hello without the token, one connects and says
# nothing. None of them may hold the barrier or stop the drill.
hostile() {
  $PY - "$CPORT" <<'PYEOF'
import json, socket, struct, sys, time
port = int(sys.argv[1])
def conn():
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", port))
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the coordinator never listened")
a, b, c = conn(), conn(), conn()
a.sendall(b"\xff\xff\xff\xff" + b"x" * 64)
hello = json.dumps({"type": "hello", "v": 1, "shard": 1, "count": 4,
                    "drill": "?", "nonce": "0" * 32, "mac": "0" * 64}).encode()
b.sendall(struct.pack(">I", len(hello)) + hello)
time.sleep(1)
refused = b.recv(4096)
assert b"wrong token" in refused, refused
time.sleep(3)
PYEOF
}
for i in 0 1 2 3; do
  shard "$i" "$WORK/short.json" "$WORK/b$i"
  [ "$i" -eq 0 ] && { hostile >"$WORK/hostile.log" 2>&1 & hostile_pid=$!; }
  sleep 0.6 # the last one starts 1.8 s after the first
done
cleanup_hooks+=("kill $hostile_pid 2>/dev/null")
for i in 0 1 2 3; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$WORK/b$i.log" >&2; fail "shard $i exited $rc"; }
done
wait "$hostile_pid" || { cat "$WORK/hostile.log" >&2; fail "the hostile peer"; }
$PY - "$WORK" <<'PYEOF' || fail "the barrier"
import json, sys
w = sys.argv[1]
starts = []
for i in range(4):
    ev = [json.loads(l) for l in open(f"{w}/b{i}/journal.jsonl")]
    clock = [e for e in ev if e["ev"] == "clock"][0]
    co = clock["coordinator"]
    assert co["shard"] == i, co
    # one machine, one clock: the true offset is 0, and the measure is
    # within half the round trip of it
    assert abs(co["offset_s"]) <= co["rtt_s"] / 2 + 2e-6, co
    starts.append(clock["wall_s"] - co["offset_s"])
    # nothing was sent before the start
    assert all(e["sent"] >= 0 for e in ev if e["ev"] == "req"), i
spread = max(starts) - min(starts)
print(f"load started within {spread * 1e3:.3f} ms of each other")
assert spread <= 0.005, spread
co = [json.loads(l) for l in open(f"{w}/b0/journal.jsonl")]
barrier = [e for e in co if e.get("what") == "barrier"]
assert len(barrier) == 1 and len(barrier[0]["shards"]) == 4, barrier
ended = {e["shard"] for e in co if e.get("what") == "ended"}
assert ended == {1, 2, 3}, ended
PYEOF
expect_status 0 "$EVENTDRILL" merge "$WORK"/b{0,1,2,3} --out "$WORK/bm" >"$WORK/bm.out" 2>&1 ||
  { cat "$WORK/bm.out" >&2; exit 1; }
$PY - "$WORK" <<'PYEOF' || fail "the merged figures"
import json, sys
w = sys.argv[1]
def sent(d):
    return sum(x["total"]["requests"] for x in json.load(open(f"{w}/{d}/summary.json"))["workloads"])
total = sent("bm")
parts = [sent(f"b{i}") for i in range(4)]
assert total == sum(parts) and all(parts), (total, parts)
m = json.load(open(f"{w}/bm/summary.json"))
assert m["verdict"]["pass"] is True, m["verdict"]
assert all("clock" in p for p in m["shards"]["parts"]), m["shards"]
PYEOF
grep -q "ms ±" "$WORK/bm/report.md" || fail "the report shows no measured clock"

# ---- 2. a shard killed mid-fault -----------------------------------------
scenario "$WORK/long.json" 40s
for i in 0 1 2 3; do shard "$i" "$WORK/long.json" "$WORK/k$i"; done
fault_in_force "$WORK/k2"
kill -KILL "${pids[2]}"
stopped_by_loss 2 "$WORK/k" 0 1 3
for i in 0 1 3; do
  $PY - "$WORK/k$i" <<'PYEOF' || fail "shard $i's summary"
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
assert "shard 2 of 4 disappeared" in s["interruption"], s.get("interruption")
assert s["elapsed_s"] < 30, s["elapsed_s"]  # stopped, not run to its end
PYEOF
done
[ "$(power 5)" = Off ] || fail "BMC 5 came back On without its undo"
rc=0
"$EVENTDRILL" merge "$WORK"/k{0,1,2,3} --out "$WORK/km" --no-report >"$WORK/km.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] || { cat "$WORK/km.out" >&2; fail "merge of a cut drill exited $rc"; }
expect_status 0 "$EVENTDRILL" recover "$WORK/km" --yes >"$WORK/rec.out" 2>&1 ||
  { cat "$WORK/rec.out" >&2; exit 1; }
grep -q "t5-power-loss" "$WORK/rec.out" || { cat "$WORK/rec.out" >&2; fail "recover did not name the owed undo"; }
for _ in $(seq 50); do [ "$(power 5)" = On ] && break; sleep 0.1; done
[ "$(power 5)" = On ] || fail "BMC 5 is not On after recover of the merged folder"
expect_status 0 "$EVENTDRILL" recover "$WORK/km" --yes >"$WORK/rec2.out" 2>&1
grep -q "nothing to do" "$WORK/rec2.out" || fail "recover owes the undo again"

# ---- 3. tokens -----------------------------------------------------------
two() { # two OUT SCENARIO ARGS...: shard I of 2 (I in ARGS)
  local out=$1 s=$2
  shift 2
  "$EVENTDRILL" run "$s" --quiet --no-report --coordinator "127.0.0.1:$CPORT" \
    --out "$out" "$@" >"$out.log" 2>&1
}
rc0=0
two "$WORK/w0" "$WORK/short.json" --shard 0/2 --barrier-timeout 3 &
p0=$!
pids+=("$p0")
sleep 0.3
rc1=0
EVENTDRILL_SHARD_TOKEN="another-token-of-enough-length" \
  two "$WORK/w1" "$WORK/short.json" --shard 1/2 --barrier-timeout 3 || rc1=$?
wait "$p0" || rc0=$?
[ "$rc1" -eq 3 ] && grep -q "refused this shard: wrong token" "$WORK/w1.log" ||
  { cat "$WORK/w1.log" >&2; fail "a wrong token: exit $rc1"; }
[ "$rc0" -eq 3 ] && grep -q "shard 1 (never joined)" "$WORK/w0.log" ||
  { cat "$WORK/w0.log" >&2; fail "the coordinator with no shard 1: exit $rc0"; }
# the same refusal while the refused shard's targets are still starting
# (its BMC takes 1.5 s to answer its login): said, not a crash
cat >"$WORK/slow.json" <<'JSON'
{ "name": "slow-start", "slo": { "error_rate": 1 },
  "targets": {
    "a": { "driver": "redfish", "rehearsal": true, "labels": { "s": "y" },
           "sim": { "knobs": { "latency": { "min": "1500ms", "max": "1600ms" } } } },
    "b": { "driver": "redfish", "rehearsal": true, "labels": { "s": "x" }, "sim": {} } },
  "workloads": [ { "name": "w", "targets": ["a", "b"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "s", "constant": 2, "for": "2s" } ] } ] }
JSON
rc0=0
two "$WORK/v0" "$WORK/slow.json" --shard 0/2 --shard-by s --barrier-timeout 3 &
p0=$!
pids+=("$p0")
sleep 0.3
rc1=0
EVENTDRILL_SHARD_TOKEN="another-token-of-enough-length" \
  two "$WORK/v1" "$WORK/slow.json" --shard 1/2 --shard-by s --barrier-timeout 3 || rc1=$?
wait "$p0" || rc0=$?
[ "$rc1" -eq 3 ] && [ "$rc0" -eq 3 ] ||
  { cat "$WORK/v1.log" "$WORK/v0.log" >&2; fail "refused while starting: exit $rc1 and $rc0"; }
grep -q "refused this shard: wrong token" "$WORK/v1/journal.jsonl" || fail "refused while starting: $(cat "$WORK/v1/journal.jsonl")"
grep -q "$EVENTDRILL_SHARD_TOKEN" "$WORK"/w0/* "$WORK"/w1/* "$WORK"/b0/* &&
  fail "the token is in a results folder"
printf '%s\n' "$EVENTDRILL_SHARD_TOKEN" >"$WORK/token"
chmod 644 "$WORK/token"
expect_status 2 "$EVENTDRILL" run "$WORK/short.json" --shard 1/2 \
  --coordinator "127.0.0.1:$CPORT" --token-file "$WORK/token" 2>"$WORK/err"
grep -q "chmod 600" "$WORK/err" || fail "token file: $(cat "$WORK/err")"
EVENTDRILL_SHARD_TOKEN=short expect_status 2 "$EVENTDRILL" run "$WORK/short.json" \
  --shard 1/2 --coordinator "127.0.0.1:$CPORT" 2>"$WORK/err"
grep -q "at least 16 characters" "$WORK/err" || fail "short token: $(cat "$WORK/err")"
expect_status 2 "$EVENTDRILL" run "$WORK/short.json" --coordinator "127.0.0.1:$CPORT" 2>"$WORK/err"
grep -q "needs --shard" "$WORK/err" || fail "--coordinator alone: $(cat "$WORK/err")"
pass "shards meet at the barrier, stop together, and a merged folder recovers"
