#!/usr/bin/env bash
# Results on a disk that fills up (a small tmpfs this test mounts; root):
#  1. full before a fault (the journal meets it first through the load's
#     lines, or, 1b, through the fault's own line): the fault is not injected (the simulator's power
#     state stays On), exit 3 with the file and "No space left on device",
#     the journal is whole lines, `recover` has nothing to do;
#  2. full mid-run: the same message, the run stops adding load (it ends
#     long before its planned end), exit 3, the journal valid up to the
#     failure, no empty summary.json and no temporary file left;
#  3. `report` of a finished run on a full disk: exit 4 with the reason,
#     and the outputs already there are left byte for byte.
. "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" = 0 ] || fail "this test mounts a tmpfs: it needs root"
MNT="$WORK/mnt"
mkdir "$MNT"
run_pid=""
teardown() {
  if [ -n "$run_pid" ]; then
    kill -9 "$run_pid" 2>/dev/null
    wait "$run_pid" 2>/dev/null
  fi
  umount "$MNT" 2>/dev/null || umount -l "$MNT"
}
cleanup_hooks+=(teardown)
mount -t tmpfs -o size=2m,mode=0755 tmpfs "$MNT" || fail "cannot mount a tmpfs on $MNT"

SIM="$ED_BIN/eventdrill-sim"
PORT=$(free_port)
export EDSIM_PW="pw-$RANDOM$RANDOM"
export BMC_CREDS="admin:$EDSIM_PW"
printf '{"power": {"on": "100ms", "off": "100ms"}}' >"$WORK/sim.json"
"$SIM" --config "$WORK/sim.json" --mode ports --address 127.0.0.1 --port "$PORT" \
  --user admin --password-env EDSIM_PW >"$WORK/sim.out" 2>&1 &
sim_pid=$!
cleanup_hooks+=("kill $sim_pid")
for _ in $(seq 100); do grep -q '^eventdrill-sim:' "$WORK/sim.out" && break; sleep 0.05; done
power() {
  curl -sf -u "admin:$EDSIM_PW" "http://127.0.0.1:$PORT/redfish/v1/Systems/1" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["PowerState"])'
}
[ "$(power)" = On ] || fail "the BMC is not On at the start"

# scenario NAME FOR FAULT_AT: 40 requests/s, each journaled (the journal
# grows by a few KB a second, so it meets the full disk within a second).
scenario() {
  local fault=""
  [ -n "$3" ] && fault=",
  \"faults\": [ { \"name\": \"power-loss\", \"at\": \"$3\", \"target\": \"bmc\",
                \"action\": { \"reset\": \"ForceOff\" },
                \"undo\": { \"action\": { \"reset\": \"On\" }, \"when\": \"always\" } } ]"
  cat >"$WORK/$1.json" <<JSON
{ "name": "$1",
  "targets": { "bmc": { "driver": "redfish", "url": "http://127.0.0.1:$PORT",
                        "auth": "basic", "credentials": "env:BMC_CREDS",
                        "rehearsal": true } },
  "journal": { "requests": "all" },
  "workloads": [ { "name": "poll", "targets": ["bmc"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "steady", "constant": 40, "for": "$2" } ] } ]$fault }
JSON
}

fill() { dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null || true; }
unfill() { rm -f "$MNT/fill"; }
wait_for() { # wait_for FILE PATTERN COUNT
  for _ in $(seq 300); do
    c=$(grep -c "$2" "$1" 2>/dev/null) || true
    [ "${c:-0}" -ge "$3" ] && return 0
    sleep 0.1
  done
  fail "$1: no $3 lines matching $2 after 30 s"
}
# Every line of the journal is whole JSON, and it ends with a newline.
journal_whole() {
  $PY - "$1" <<'PYEOF' || fail "$1 is not whole JSON lines"
import json, sys
data = open(sys.argv[1]).read()
assert data.endswith("\n"), "the last line is cut"
lines = data.split("\n")[:-1]
for l in lines:
    json.loads(l)
assert json.loads(lines[0])["ev"] == "run_start"
print(len(lines), "whole lines")
PYEOF
}
no_half_outputs() { # no empty or half summary.json, no temporary file left
  local d=$1
  if [ -e "$d/summary.json" ]; then
    $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/summary.json" ||
      fail "$d/summary.json is not whole JSON"
  fi
  if ls -A "$d" | grep -q '^\.'; then ls -la "$d"; fail "temporary files left in $d"; fi
}

# ---- 1. full before the fault ---------------------------------------------
scenario before 30s 6s
status=0
"$EVENTDRILL" rehearse "$WORK/before.json" --plain --out "$MNT/before" \
  >"$WORK/before.out" 2>&1 &
run_pid=$!
wait_for "$MNT/before/journal.jsonl" '"ev":"run_start"' 1
fill
wait "$run_pid" || status=$?
run_pid=""
[ "$status" = 3 ] || { cat "$WORK/before.out"; fail "full before the fault: exit $status, expected 3"; }
grep -q "cannot write $MNT/before/journal.jsonl: No space left on device" "$WORK/before.out" ||
  { cat "$WORK/before.out"; fail "the message does not name the journal and the cause"; }
grep -q 'injected on' "$WORK/before.out" && fail "a fault was injected on a full disk"
grep -q '"ev":"fault_start"' "$MNT/before/journal.jsonl" &&
  fail "fault_start is in the journal: the fault went out"
sleep 0.5
[ "$(power)" = On ] || fail "1: the simulator says the BMC is $(power): the fault went out"
journal_whole "$MNT/before/journal.jsonl"
no_half_outputs "$MNT/before"
expect_status 0 "$EVENTDRILL" recover "$MNT/before" --yes >"$WORK/rec.out" 2>&1
grep -q "nothing to do" "$WORK/rec.out" || { cat "$WORK/rec.out"; fail "recover found work"; }
[ "$(power)" = On ] || fail "the BMC is not On after recover"
unfill

# ---- 1b. the fault's own journal line meets the full disk ------------------
# No load, so nothing is written between drill_start and fault_start. A
# first run tells where fault_start begins in the journal; the scenario's
# path (in the journal's command line) is then padded so that the second
# run's fault_start begins 60 bytes before a page boundary: the tmpfs
# takes those 60 bytes in the journal's last page and refuses the rest,
# whatever the few bytes of jitter in the figures before it.
mkscen() { # mkscen FILE
  cat >"$1" <<JSON
{ "name": "wa",
  "targets": { "bmc": { "driver": "redfish", "url": "http://127.0.0.1:$PORT",
                        "auth": "basic", "credentials": "env:BMC_CREDS",
                        "rehearsal": true } },
  "checks": { "up": { "target": "bmc", "op": { "get": "/redfish/v1" },
                      "expect": { "status": 200 }, "mode": "before" } },
  "faults": [ { "name": "power-loss", "at": "3s", "target": "bmc",
                "action": { "reset": "ForceOff" },
                "undo": { "action": { "reset": "On" }, "when": "always" } } ] }
JSON
}
mkscen "$WORK/wa.json"
expect_status 0 "$EVENTDRILL" rehearse "$WORK/wa.json" --plain --no-report \
  --out "$MNT/wa-1" >"$WORK/wa-1.out" 2>&1
at=$(grep -bo '"ev":"fault_start"' "$MNT/wa-1/journal.jsonl" | cut -d: -f1)
[ -n "$at" ] || fail "the first run journaled no fault_start"
rm -rf "$MNT/wa-1"
# The first run's undo powered it back on; make sure it is On before the
# second (power it on through Redfish if the undo met a transition).
power_on() {
  for _ in $(seq 50); do [ "$(power)" = On ] && return 0; sleep 0.1; done
  curl -sf -u "admin:$EDSIM_PW" -H 'Content-Type: application/json' -d '{"ResetType":"On"}' \
    "http://127.0.0.1:$PORT/redfish/v1/Systems/1/Actions/ComputerSystem.Reset" >/dev/null || true
  for _ in $(seq 50); do [ "$(power)" = On ] && return 0; sleep 0.1; done
  fail "the BMC is $(power) before the write-ahead run"
}
power_on
pad=$((((4096 - 60 - (at - 1)) % 4096 + 4096) % 4096))
dir="$WORK"
while [ "$pad" -gt 0 ]; do # components of at most 200 bytes, each with its /
  n=$((pad > 201 ? 200 : pad - 1))
  [ "$n" -ge 1 ] || { dir="$dir/"; pad=$((pad - 1)); continue; } # "//" pads 1
  dir="$dir/$(printf 'p%.0s' $(seq "$n"))"
  pad=$((pad - n - 1))
done
mkdir -p "$dir"
mkscen "$dir/wa.json"
status=0
"$EVENTDRILL" rehearse "$dir/wa.json" --plain --no-report --out "$MNT/wa-2" \
  >"$WORK/wa.out" 2>&1 &
run_pid=$!
wait_for "$MNT/wa-2/journal.jsonl" '"ev":"drill_start"' 1
fill
wait "$run_pid" || status=$?
run_pid=""
grep -q "fault power-loss not injected: its pending undo could not be written to the journal" "$WORK/wa.out" ||
  { cat "$WORK/wa.out"; fail "the fault's own journal line did not stop it (padding off?)"; }
[ "$status" = 3 ] || { cat "$WORK/wa.out"; fail "write-ahead failure: exit $status, expected 3"; }
grep -q "cannot write $MNT/wa-2/journal.jsonl: No space left on device" "$WORK/wa.out" ||
  fail "the cause is not named"
grep -q 'injected on' "$WORK/wa.out" && fail "the fault was injected"
sleep 0.5
[ "$(power)" = On ] || fail "1b: the simulator says the BMC is $(power): the fault went out"
journal_whole "$MNT/wa-2/journal.jsonl"
grep -q '"ev":"fault_start"' "$MNT/wa-2/journal.jsonl" &&
  fail "a fault_start is in the journal of a fault that was not sent"
expect_status 0 "$EVENTDRILL" recover "$MNT/wa-2" --yes >"$WORK/rec.out" 2>&1
grep -q "nothing to do" "$WORK/rec.out" || { cat "$WORK/rec.out"; fail "recover found work"; }
unfill

# ---- 2. full mid-run ------------------------------------------------------
scenario mid 60s ""
start=$(date +%s)
status=0
"$EVENTDRILL" run "$WORK/mid.json" --plain --out "$MNT/mid" >"$WORK/mid.out" 2>&1 &
run_pid=$!
wait_for "$MNT/mid/journal.jsonl" '"ev":"req"' 40
fill
wait "$run_pid" || status=$?
run_pid=""
took=$(($(date +%s) - start))
[ "$status" = 3 ] || { cat "$WORK/mid.out"; fail "full mid-run: exit $status, expected 3 (README)"; }
grep -q "cannot write $MNT/mid/journal.jsonl: No space left on device" "$WORK/mid.out" ||
  { cat "$WORK/mid.out"; fail "the message does not name the journal and the cause"; }
grep -q "aborted: the journal cannot be written" "$WORK/mid.out" ||
  { cat "$WORK/mid.out"; fail "the run did not say it stopped"; }
grep -q 'VERDICT: PASS' "$WORK/mid.out" && fail "a run that lost its journal passed"
# 60 s planned: a run that kept adding load would last them all.
[ "$took" -lt 40 ] || fail "the run went on for ${took} s after its journal failed"
journal_whole "$MNT/mid/journal.jsonl"
no_half_outputs "$MNT/mid"
unfill

# ---- 3. report on a full disk keeps what is there --------------------------
scenario done 2s ""
expect_status 0 "$EVENTDRILL" run "$WORK/done.json" --plain --out "$MNT/done" >"$WORK/done.out" 2>&1
for f in summary.json report.md report.html timeseries.csv summary.rebuilt.json; do
  [ -s "$MNT/done/$f" ] || fail "the finished run has no $f"
done
before=$(cd "$MNT/done" && sha256sum summary.json report.md report.html timeseries.csv summary.rebuilt.json)
fill
status=0
"$EVENTDRILL" report "$MNT/done" >"$WORK/report.out" 2>&1 || status=$?
[ "$status" = 4 ] || { cat "$WORK/report.out"; fail "report on a full disk: exit $status, expected 4"; }
grep -q "cannot write $MNT/done/.*: No space left on device" "$WORK/report.out" ||
  { cat "$WORK/report.out"; fail "report on a full disk does not say why"; }
after=$(cd "$MNT/done" && sha256sum summary.json report.md report.html timeseries.csv summary.rebuilt.json)
[ "$before" = "$after" ] || fail "report on a full disk changed the outputs already there"
no_half_outputs "$MNT/done"
[ -z "$(ls -A "$MNT/done/plots" | grep '^\.' || true)" ] || fail "temporary files left in plots/"
unfill
pass "full disk: no fault without its undo on disk, whole journal, outputs kept"
