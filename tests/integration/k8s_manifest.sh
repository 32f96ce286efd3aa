#!/usr/bin/env bash
# deploy/k8s/drill-job.yaml, without a cluster: the manifests are an
# Indexed Job whose completions, parallelism and --shard N agree, pods named
# through a headless Service that publishes not-ready pods, the token from a
# Secret (never in the manifest), no restart of a lost shard. Then the
# container's own command runs as the Job would run it, once per completion
# index, on this machine (the pod names and 0.0.0.0 put on loopback, the
# volumes on folders): the four shards meet at the coordinator, and their
# folders merge into one passing drill.
. "$(dirname "$0")/lib/common.sh"
M="$ED_SRC/deploy/k8s/drill-job.yaml"
$PY - "$M" "$WORK/shard.sh" <<'PYEOF' || fail "the manifests"
import re, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
svc = next(d for d in docs if d["kind"] == "Service")
job = next(d for d in docs if d["kind"] == "Job")
spec, pod = job["spec"], job["spec"]["template"]["spec"]
assert svc["spec"]["clusterIP"] == "None" and svc["spec"]["publishNotReadyAddresses"]
assert svc["spec"]["selector"] == {"job-name": job["metadata"]["name"]}
assert pod["subdomain"] == svc["metadata"]["name"]
assert spec["completionMode"] == "Indexed"
n = spec["completions"]
assert spec["parallelism"] == n and spec["backoffLimit"] == 0
assert pod["restartPolicy"] == "Never"
c = pod["containers"][0]
script = c["args"][0]
assert f'--shard "$i/{n}"' in script, script
host = f'{job["metadata"]["name"]}-0.{svc["metadata"]["name"]}'
port = svc["spec"]["ports"][0]["port"]
assert f"{host}:{port}" in script and f"0.0.0.0:{port}" in script, script
env = {e["name"]: e for e in c["env"]}
tok = env["EVENTDRILL_SHARD_TOKEN"]
assert "value" not in tok and tok["valueFrom"]["secretKeyRef"]["name"], tok
open(sys.argv[2], "w").write(script)
print(n, host, port)
PYEOF
read -r N HOST PORT < <($PY - "$M" <<'PYEOF'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
job = next(d for d in docs if d["kind"] == "Job")
svc = next(d for d in docs if d["kind"] == "Service")
print(job["spec"]["completions"], f'{job["metadata"]["name"]}-0.{svc["metadata"]["name"]}',
      svc["spec"]["ports"][0]["port"])
PYEOF
)
CPORT=$(free_port)
mkdir -p "$WORK/bin" "$WORK/results"
ln -s "$EVENTDRILL" "$WORK/bin/eventdrill"
sed -e "s|$HOST:$PORT|127.0.0.1:$CPORT|; s|0\.0\.0\.0:$PORT|127.0.0.1:$CPORT|" \
  -e "s|/scenario/drill.json|$SCEN/shards-sites.json|; s|/results/|$WORK/results/|" \
  "$WORK/shard.sh" >"$WORK/local.sh"
grep -q "0.0.0.0\|$HOST" "$WORK/local.sh" && fail "the command still names the pod network"
export EVENTDRILL_SHARD_TOKEN="k8s-$RANDOM$RANDOM$RANDOM$RANDOM"
pids=()
cleanup_hooks+=('for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done')
for i in $(seq 0 $((N - 1))); do
  JOB_COMPLETION_INDEX=$i PATH="$WORK/bin:$PATH" sh "$WORK/local.sh" >"$WORK/s$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 0 $((N - 1))); do
  rc=0
  wait "${pids[$i]}" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$WORK/s$i.log" >&2; fail "index $i exited $rc"; }
  grep -q '"what":"barrier"\|"coordinator"' "$WORK/results/shard-$i/journal.jsonl" ||
    fail "index $i did not run with the coordinator"
done
dirs=()
for i in $(seq 0 $((N - 1))); do dirs+=("$WORK/results/shard-$i"); done
expect_status 0 "$EVENTDRILL" merge "${dirs[@]}" --out "$WORK/results/merged" --no-report \
  >"$WORK/merge.log" 2>&1 || { cat "$WORK/merge.log" >&2; exit 1; }
pass "the Kubernetes Job's manifests agree, and its command runs a coordinated drill"
