#!/usr/bin/env bash
# deploy/slurm/drill.sbatch on a one-node Slurm cluster of this test's own
# (lib/slurm.sh: munged, slurmctld, slurmd on loopback), three jobs of 4
# tasks against the simulated BMCs of shards-sites.json split by site:
#  1. a passing drill: the job's exit status is the merged verdict's; the
#     merged request count is the sum of the shards'; each target's
#     requests come from one shard only; shard I ran as the task whose
#     SLURM_PROCID is I (a wrapper around eventdrill records what Slurm gave
#     each process), each once, with the coordinator's host (the job's first
#     node) and port in its environment;
#  2. an SLO no loopback request can meet: every shard runs, the merged
#     verdict fails, and so does the job (exit status 1);
#  3. shard 2's process killed (SIGKILL) mid-run by this test: the
#     coordinator (shard 0) sees it go and the other shards stop at once,
#     each exiting 3 with the reason; the job's exit status is 3 (aborted),
#     and the merge says shard 2 did not finish and fails the verdict on it;
#  4. a chain across three shards against one eventdrill-sim
#     (lib/cross_scenario.py): the fault on a target of shard 2, the check
#     that triggers and verifies its plan on a target of shard 3, the
#     plan's step on a target of shard 1; BMC 5 is recovered, the RTO
#     measured and met, and the job passes (lib/cross_check.py);
#  5. the same chain, its plan held back, with the fault's shard (2)
#     killed while BMC 5 is off: the job exits 3, and `recover` on the
#     merged folder runs the undo shard 2 owed; BMC 5 is On again.
# Bad parameters are refused first, before any cluster is needed.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/slurm.sh"
. "$(dirname "$0")/lib/sim8.sh"
SBATCH_SCRIPT=$ED_SRC/deploy/slurm/drill.sbatch
[ -f "$SBATCH_SCRIPT" ] || fail "no $SBATCH_SCRIPT"

# Bad parameters stop the job before any task starts, with exit status 2
# and the variable named (checked before srun: no cluster needed).
bad() { # WANT-MESSAGE VAR=VALUE...
  local want=$1 rc=0
  shift
  env -u SLURM_JOB_ID -u SLURM_NTASKS -u ED_SCENARIO -u ED_RESULTS -u ED_MODE -u ED_BIN \
    "$@" bash "$SBATCH_SCRIPT" >"$WORK/bad.out" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || fail "drill.sbatch with $*: exit $rc, expected 2: $(cat "$WORK/bad.out")"
  grep -q -- "$want" "$WORK/bad.out" || fail "drill.sbatch with $*: $(cat "$WORK/bad.out")"
}
inside=(SLURM_JOB_ID=1 SLURM_NTASKS=4)
bad "not inside a Slurm job" ED_SCENARIO="$SCEN/shards-sites.json" ED_RESULTS="$WORK/b"
bad "ED_SCENARIO is not set" "${inside[@]}" ED_RESULTS="$WORK/b"
bad "ED_SCENARIO=$WORK/none.json: no such readable file" "${inside[@]}" \
  ED_SCENARIO="$WORK/none.json" ED_RESULTS="$WORK/b"
bad "ED_RESULTS is not set" "${inside[@]}" ED_SCENARIO="$SCEN/shards-sites.json"
bad "ED_MODE=fly: expected run, rehearse or verify" "${inside[@]}" ED_MODE=fly \
  ED_SCENARIO="$SCEN/shards-sites.json" ED_RESULTS="$WORK/b"
bad "ED_BIN=$WORK/none: not an executable" "${inside[@]}" ED_BIN="$WORK/none" \
  ED_SCENARIO="$SCEN/shards-sites.json" ED_RESULTS="$WORK/b"
bad "ED_COORDINATOR_PORT=70000: expected a port from 1 to 65535" "${inside[@]}" \
  ED_BIN="$EVENTDRILL" ED_COORDINATOR_PORT=70000 ED_SCENARIO="$SCEN/shards-sites.json" \
  ED_RESULTS="$WORK/b"
mkdir -p "$WORK/b/shard-0"
bad "holds shard-0 already" "${inside[@]}" ED_BIN="$EVENTDRILL" \
  ED_SCENARIO="$SCEN/shards-sites.json" ED_RESULTS="$WORK/b"

slurm_up

# eventdrill as every task runs it, through a wrapper that first writes what
# Slurm and the batch script gave that process: its job, SLURM_PROCID, pid,
# the coordinator's host and port, and its arguments.
mkdir -p "$WORK/procs"
cat >"$WORK/eventdrill" <<EOF
#!/usr/bin/env bash
echo "\${SLURM_JOB_ID:-} \${SLURM_PROCID:-} \$\$ \${ED_COORDINATOR_HOST:-}:\${ED_COORDINATOR_PORT:-} \$*" \\
  >"$WORK/procs/\${SLURM_JOB_ID:-x}.\$\$"
exec "$EVENTDRILL" "\$@"
EOF
chmod +x "$WORK/eventdrill"

# scenario NAME PYTHON: shards-sites.json changed by PYTHON (on dict s).
scenario() {
  $PY - "$SCEN/shards-sites.json" "$WORK/$1.json" "$2" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], "w"), indent=1)
PYEOF
}

# job NAME [VAR=VALUE...]: sets $job_cmd to the command that submits
# drill.sbatch with 4 tasks on $WORK/NAME.json into $WORK/NAME (and those
# variables) and waits for the job's end (sbatch --wait: its exit status is
# the job's).
job() {
  job_cmd=(env ED_BIN="$WORK/eventdrill" ED_SCENARIO="$WORK/$1.json" ED_RESULTS="$WORK/$1"
    ED_SHARD_BY=site ED_MODE=run ED_ARGS=--no-report "${@:2}"
    sbatch --wait -n 4 --job-name="ed-$1" --output="$WORK/$1.job.out" "$SBATCH_SCRIPT")
}
# submit NAME [VAR=VALUE...]: that job, in the foreground; $job_rc its
# exit status.
submit() {
  job "$@"
  job_rc=0
  "${job_cmd[@]}" >"$WORK/$1.sbatch.out" 2>&1 || job_rc=$?
  echo "job $1: exit status $job_rc" >&2
}

# check_drill NAME RC COORDINATOR: the job's figures against its folders
# (see the top); each shard's task had COORDINATOR (host:port) in its
# environment.
check_drill() {
  $PY - "$WORK" "$1" "$2" "$3" <<'PYEOF'
import glob, json, os, sys
w, name, rc, coordinator = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
r = f"{w}/{name}"
m = json.load(open(f"{r}/merged/summary.json"))
# the job's exit status is the merged verdict's
assert rc == (0 if m["verdict"]["pass"] else 1), (rc, m["verdict"])
def journal(d):
    return [json.loads(l) for l in open(f"{d}/journal.jsonl")]
shards = {i: journal(f"{r}/shard-{i}") for i in range(4)}
mapping = shards[0][0]["shard"]["targets"]
names = [wl["targets"] for wl in shards[0][0]["workloads"]]
owner, total = {}, 0
for i, ev in shards.items():
    assert ev[0]["shard"]["index"] == i and ev[0]["shard"]["count"] == 4, ev[0]["shard"]
    for e in ev:
        if e["ev"] == "req":
            owner.setdefault(names[e["w"]][e["tg"]], set()).add(i)
            total += 1
# each target's requests from one shard only, the one the mapping gives it
assert set(owner) == set(mapping), (owner, mapping)
for target, s in owner.items():
    assert s == {mapping[target]}, ("requests of", target, "from shards", s)
# the merged request count is the sum of the shards'
shard_requests = 0
for i in range(4):
    s = json.load(open(f"{r}/shard-{i}/summary.json"))
    assert s["shard"]["index"] == i, s["shard"]
    shard_requests += sum(x["total"]["requests"] for x in s["workloads"])
merged_requests = sum(x["total"]["requests"] for x in m["workloads"])
assert merged_requests == shard_requests == total > 0, (merged_requests, shard_requests, total)
assert [p["index"] for p in m["shards"]["parts"]] == [0, 1, 2, 3], m["shards"]
assert all(p["complete"] for p in m["shards"]["parts"]), m["shards"]["parts"]
# shard I ran as the task of SLURM_PROCID I: what the wrapper recorded
job = open(f"{w}/{name}.sbatch.out").read().split()[-1]
runs = {}
for f in glob.glob(f"{w}/procs/{job}.*"):
    jid, procid, pid, coord, *args = open(f).read().split()
    if args[0] != "run":
        continue
    assert coord == coordinator, (procid, coord, coordinator)
    shard = args[args.index("--shard") + 1]
    assert shard.endswith("/4"), args
    assert procid not in runs, ("SLURM_PROCID twice", procid, runs)
    runs[procid] = int(shard.split("/")[0])
    out = args[args.index("--out") + 1]
    assert json.load(open(f"{out}/summary.json"))["shard"]["index"] == int(procid), out
assert runs == {str(i): i for i in range(4)}, runs
print(f"job {name}: status {rc}, {total} requests in 4 shards, verdict "
      f"{'pass' if m['verdict']['pass'] else 'fail'}")
PYEOF
}

# ---- 1. a passing drill -------------------------------------------------
scenario pass 'pass'
submit pass
[ -s "$WORK/pass/merged/summary.json" ] ||
  { cat "$WORK/pass.job.out" "$WORK/pass.sbatch.out" >&2; slurm_log_tail; fail "job pass: no merged summary"; }
[ "$job_rc" -eq 0 ] || { cat "$WORK/pass.job.out" >&2; fail "job pass exited $job_rc"; }
# the job's first (only) node is the test cluster's "localhost"
check_drill pass "$job_rc" localhost:7450 || { cat "$WORK/pass.job.out" >&2; fail "job pass: figures"; }
grep -q "^drill.sbatch: job .* 4 shards by site" "$WORK/pass.job.out" ||
  fail "job pass: no start line in its output: $(cat "$WORK/pass.job.out")"

# ---- 2. an SLO no request can meet: the job fails as the verdict does ------
scenario slo 's["slo"]["p50_ms"] = 0.001'
submit slo ED_COORDINATOR_PORT=7461
[ -s "$WORK/slo/merged/summary.json" ] ||
  { cat "$WORK/slo.job.out" >&2; fail "job slo: no merged summary"; }
[ "$job_rc" -eq 1 ] || { cat "$WORK/slo.job.out" >&2; fail "job slo exited $job_rc, expected 1"; }
check_drill slo "$job_rc" localhost:7461 || { cat "$WORK/slo.job.out" >&2; fail "job slo: figures"; }
$PY - "$WORK/slo/merged/summary.json" <<'PYEOF' || fail "job slo: the verdict's reason"
import json, sys
v = json.load(open(sys.argv[1]))["verdict"]
assert not v["pass"] and any("p50" in r for r in v["reasons"]), v
PYEOF

# ---- 3. shard 2 killed mid-run ---------------------------------------------
# Load for 16 s, so that the other shards still run when shard 2 dies.
scenario kill '
for wl in s["workloads"]:
    for ph in wl["rate"]:
        ph["for"] = "8s" if wl["name"] == "system" else "16s"'
job kill
"${job_cmd[@]}" >"$WORK/kill.sbatch.out" 2>&1 &
sbatch_pid=$!
cleanup_hooks+=('kill "$sbatch_pid" 2>/dev/null')
victim=
for _ in $(seq 1200); do
  victim=$(pgrep -f -- "--shard 2/4 --out $WORK/kill/shard-2" || true)
  # once it has journaled some load
  [ -n "$victim" ] &&
    [ "$(grep -c '"ev":"req"' "$WORK/kill/shard-2/journal.jsonl" 2>/dev/null)" -gt 20 ] &&
    break
  victim=
  kill -0 "$sbatch_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$victim" ] || { cat "$WORK/kill.job.out" >&2; fail "job kill: shard 2's process never seen running"; }
[ "$(echo "$victim" | wc -l)" -eq 1 ] || fail "job kill: more than one shard 2: $victim"
killed_at=$(date +%s.%N)
kill -KILL "$victim"
job_rc=0
wait "$sbatch_pid" || job_rc=$?
echo "job kill: exit status $job_rc" >&2
# a shard killed by a signal is a drill aborted: 3, whatever the others did
[ "$job_rc" -eq 3 ] || { cat "$WORK/kill.job.out" >&2; fail "job kill exited $job_rc, expected 3"; }
grep -q "shard 2/4 exited 137" "$WORK/kill.job.out" ||
  fail "job kill: the job does not say shard 2 was killed: $(cat "$WORK/kill.job.out")"
# the merge of a cut shard: its verdict as an aborted run's
grep -q "^drill.sbatch: merge exited 3" "$WORK/kill.job.out" ||
  fail "job kill: the merge did not exit 3: $(cat "$WORK/kill.job.out")"
[ -s "$WORK/kill/merged/summary.json" ] ||
  { cat "$WORK/kill.job.out" >&2; fail "job kill: no merged summary"; }
$PY - "$WORK/kill" "$killed_at" <<'PYEOF' || { cat "$WORK/kill.job.out" >&2; fail "job kill: the merge"; }
import json, sys
r = sys.argv[1]
def journal(d):
    return [json.loads(l) for l in open(f"{d}/journal.jsonl") if l.endswith("}\n")]
for i in range(4):
    ends = [e for e in journal(f"{r}/shard-{i}") if e["ev"] == "run_end"]
    status = open(f"{r}/shard-{i}.status").read().strip()
    if i == 2:
        assert not ends and status == "137", (i, ends, status)
    else:
        # the others stopped after shard 2 died, long before their 16 s of
        # load, saying why, and exited 3
        j = journal(f"{r}/shard-{i}")
        wall = next(e["wall_s"] for e in j if e["ev"] == "clock")
        assert len(ends) == 1 and ends[0]["interrupted"], (i, ends)
        assert ends[0]["elapsed_s"] < 15, (i, ends)
        assert wall + ends[0]["elapsed_s"] > float(sys.argv[2]), (i, wall, ends, sys.argv[2])
        why = [e["reason"] for e in j if e["ev"] == "interrupt"]
        assert why and "shard 2 of 4 disappeared" in why[0], (i, why)
        assert status == "3", (i, status)
m = json.load(open(f"{r}/merged/summary.json"))
parts = {p["index"]: p for p in m["shards"]["parts"]}
assert sorted(parts) == [0, 1, 2, 3], parts
assert [i for i, p in parts.items() if not p["complete"]] == [2], parts
assert not m["verdict"]["pass"], m["verdict"]
assert not any(e["ev"] == "run_end" for e in journal(f"{r}/merged")), "merged run_end"
print("job kill: verdict reasons:", m["verdict"]["reasons"])
PYEOF

# ---- 4. a chain across three shards -----------------------------------------
sim8_start
[ "$(power 5)" = On ] || fail "BMC 5 is not On at the start"
$PY "$ED_TESTS/lib/cross_scenario.py" "$WORK/cross.json" 6s 1s on_abort 300ms "$PORT"
submit cross ED_COORDINATOR_PORT=7462
[ "$job_rc" -eq 0 ] || { cat "$WORK/cross.job.out" >&2; fail "job cross exited $job_rc"; }
$PY "$ED_TESTS/lib/cross_check.py" "$WORK"/cross/shard-{0,1,2,3} "$WORK/cross/merged" ||
  { cat "$WORK/cross.job.out" >&2; fail "job cross: the chain's evidence"; }
[ "$(power 5)" = On ] || fail "job cross: BMC 5 is not On after its plan"

# ---- 5. the fault's shard killed mid-fault; recover on the merged folder -----
# the plan waits 30 s after detection: BMC 5 stays off until the kill
$PY "$ED_TESTS/lib/cross_scenario.py" "$WORK/owed.json" 40s 1s always 30s "$PORT"
job owed ED_COORDINATOR_PORT=7463
"${job_cmd[@]}" >"$WORK/owed.sbatch.out" 2>&1 &
sbatch_pid=$!
cleanup_hooks+=('kill "$sbatch_pid" 2>/dev/null')
victim=
for _ in $(seq 1200); do
  victim=$(pgrep -f -- "--shard 2/4 --out $WORK/owed/shard-2" || true)
  [ -n "$victim" ] && grep -q '"fault_start"' "$WORK/owed/shard-2/journal.jsonl" 2>/dev/null && break
  victim=
  kill -0 "$sbatch_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$victim" ] || { cat "$WORK/owed.job.out" >&2; fail "job owed: shard 2's fault never started"; }
for _ in $(seq 50); do [ "$(power 5)" = Off ] && break; sleep 0.1; done
[ "$(power 5)" = Off ] || fail "job owed: BMC 5 is not Off during its fault"
kill -KILL "$victim"
job_rc=0
wait "$sbatch_pid" || job_rc=$?
[ "$job_rc" -eq 3 ] || { cat "$WORK/owed.job.out" >&2; fail "job owed exited $job_rc, expected 3"; }
[ "$(power 5)" = Off ] || fail "job owed: BMC 5 came back On without its undo"
[ -s "$WORK/owed/merged/journal.jsonl" ] || { cat "$WORK/owed.job.out" >&2; fail "job owed: no merged folder"; }
expect_status 0 "$EVENTDRILL" recover "$WORK/owed/merged" --yes >"$WORK/owed.rec" 2>&1 ||
  { cat "$WORK/owed.rec" >&2; exit 1; }
grep -q "c-power-loss" "$WORK/owed.rec" || { cat "$WORK/owed.rec" >&2; fail "job owed: recover did not name the undo"; }
for _ in $(seq 50); do [ "$(power 5)" = On ] && break; sleep 0.1; done
[ "$(power 5)" = On ] || fail "job owed: BMC 5 is not On after recover of the merged folder"
pass "drill.sbatch on Slurm: merged verdict is the job's status; a failing SLO fails the job; a killed shard fails it; a chain across three shards is recovered, and its owed undo recovered from the merged folder"
