# A one-node Slurm cluster on loopback, owned by the test that sources this
# file (after lib/common.sh). slurm_up installs Debian's slurm-wlm and munge
# when missing, writes the cluster's configuration, munge key, state, spool
# and log folders under $WORK, starts munged, slurmctld and slurmd as this
# test's own processes and waits until the node is idle. Their stop is in
# cleanup_hooks, so they end with the test even when it fails. Every client
# command (sbatch, srun, sinfo, scontrol) finds the cluster through
# SLURM_CONF, which slurm_up exports.
#
# Nothing here touches a system Slurm or munge: its own munge socket, its own
# ports (free ones picked per run), its own cluster name, no accounting
# database. The node declares more CPUs than a small box has (config_overrides)
# so that a job of several tasks runs on a 2-core machine.

SLURM_DIR=$WORK/slurm
slurm_pids=()

# The packages, as scripts/install-deps.sh lists them; installed here too so
# that the test runs on a box where they are not yet.
slurm_install() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] ||
    fail "${missing[*]} not installed and not root to install them (scripts/install-deps.sh)"
  echo "slurm.sh: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >"$WORK/slurm-install.log" 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$WORK/slurm-install.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >>"$WORK/slurm-install.log" 2>&1; } ||
    { tail -20 "$WORK/slurm-install.log" >&2; fail "could not install ${missing[*]}"; }
}

# slurm_stop: the cluster's jobs cancelled (their steps end their tasks),
# then the daemons this test started, by their pids, newest first; waits for
# each so that none outlives the test.
slurm_stop() {
  local i p jobs
  # the jobs first, while the cluster can still end their tasks
  jobs=$(squeue -h -o %i 2>/dev/null || true)
  if [ -n "$jobs" ]; then
    scancel $jobs 2>/dev/null || true
    for _ in $(seq 100); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  for ((i = ${#slurm_pids[@]} - 1; i >= 0; i--)); do
    p=${slurm_pids[$i]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 100); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  slurm_pids=()
}

# slurm_log_tail: the daemons' logs, for a failure's message.
slurm_log_tail() {
  local f
  for f in "$SLURM_DIR"/log/*.log; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    tail -15 "$f" >&2
  done
}

slurm_write_conf() {
  local ctld_port=$1 d_port=$2 cpus=$3
  cat >"$SLURM_CONF" <<EOF
# A one-node test cluster on loopback (tests/integration/lib/slurm.sh).
ClusterName=edtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SLURM_DIR/munge/munge.socket
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/run/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/run/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups in a container: processes tracked by their parent pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# a task killed by a signal does not end the others (drill.sbatch says so
# with --kill-on-bad-exit=0 too)
KillOnBadExit=0
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=300
KillWait=5
# the node as declared, not as slurmd measures it: more CPUs than the box
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus State=UNKNOWN
PartitionName=drill Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
}

# slurm_start_munge: a key of its own, its own socket, in the foreground as
# a child of this test.
slurm_start_munge() {
  local m=$SLURM_DIR/munge
  mkdir -p "$m"
  chmod 0700 "$m"
  dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$m/munge.key"
  munged --foreground --force --socket="$m/munge.socket" --key-file="$m/munge.key" \
    --pid-file="$m/munged.pid" --seed-file="$m/munged.seed" \
    --log-file="$SLURM_DIR/log/munged.log" >"$SLURM_DIR/log/munged.out" 2>&1 &
  slurm_pids+=($!)
  for _ in $(seq 100); do
    [ -S "$m/munge.socket" ] && return 0
    kill -0 "${slurm_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  slurm_log_tail
  fail "munged did not start (its socket $m/munge.socket)"
}

# slurm_up [CPUS]: the whole cluster, up and its node idle.
slurm_up() {
  local cpus=${1:-8} c
  slurm_install
  for c in munged slurmctld slurmd sbatch srun sinfo scontrol; do
    command -v "$c" >/dev/null || fail "$c not found after installing slurm-wlm and munge"
  done
  mkdir -p "$SLURM_DIR"/{state,spool,run,log}
  export SLURM_CONF=$SLURM_DIR/slurm.conf
  cleanup_hooks+=(slurm_stop)
  slurm_start_munge
  local try
  for try in 1 2 3; do
    slurm_write_conf "$(free_port)" "$(free_port)" "$cpus"
    slurmctld -D -i -f "$SLURM_CONF" >"$SLURM_DIR/log/slurmctld.out" 2>&1 &
    slurm_pids+=($!)
    slurmd -D -N localhost -f "$SLURM_CONF" >"$SLURM_DIR/log/slurmd.out" 2>&1 &
    slurm_pids+=($!)
    if slurm_wait_idle 600; then
      return 0
    fi
    # a port taken between picking and binding: again with others
    echo "slurm.sh: cluster not up (try $try)" >&2
    slurm_log_tail
    kill -TERM "${slurm_pids[-1]}" "${slurm_pids[-2]}" 2>/dev/null || true
    wait "${slurm_pids[-1]}" "${slurm_pids[-2]}" 2>/dev/null || true
    unset 'slurm_pids[-1]' 'slurm_pids[-2]'
  done
  fail "the test Slurm cluster did not come up (logs in $SLURM_DIR/log)"
}

# slurm_wait_idle TENTHS: 0 once sinfo shows the node idle.
slurm_wait_idle() {
  local state
  for _ in $(seq "$1"); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null || true)
    [ "$state" = idle ] && return 0
    kill -0 "${slurm_pids[-1]}" 2>/dev/null && kill -0 "${slurm_pids[-2]}" 2>/dev/null ||
      return 1
    sleep 0.1
  done
  return 1
}
