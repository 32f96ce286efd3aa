#!/usr/bin/env bash
# Runs the CI (.ci/run) from a clean clone of HEAD several times in a row
# while stress-ng keeps every core busy: the tests must hold on a loaded
# machine, as CI's may be. Stops at the first failing run.
#   bash scripts/ci-under-load.sh [RUNS]     (default 3)
# The clone is made in a temporary folder beside which ../shared is linked
# when this checkout has one, so the tests that use it run there too.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
src=$PWD

if ! command -v stress-ng >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  ${SUDO:-$([ "$(id -u)" -eq 0 ] || echo sudo)} apt-get update -q
  ${SUDO:-$([ "$(id -u)" -eq 0 ] || echo sudo)} apt-get install -y -q \
    --no-install-recommends stress-ng
fi

base=$(mktemp -d /tmp/ci-under-load.XXXXXX)
stress_pid=
stop() {
  [ -n "$stress_pid" ] && kill "$stress_pid" 2>/dev/null && wait "$stress_pid" 2>/dev/null
  rm -rf "$base"
}
trap stop EXIT

[ -d "$src/../shared" ] && ln -s "$(cd "$src/../shared" && pwd)" "$base/shared"
stress-ng --cpu "$(nproc)" --quiet &
stress_pid=$!
echo "ci-under-load: stress-ng --cpu $(nproc) (pid $stress_pid), $runs runs"

for i in $(seq "$runs"); do
  rm -rf "$base/clone"
  git clone -q "$src" "$base/clone"
  t0=$(date +%s)
  if ! (cd "$base/clone" && CI=true bash .ci/run) >"$base/run$i.log" 2>&1; then
    tail -n 60 "$base/run$i.log"
    cp "$base/run$i.log" "/tmp/ci-under-load-run$i.log"
    echo "ci-under-load: run $i of $runs FAILED after $(($(date +%s) - t0)) s (log: /tmp/ci-under-load-run$i.log)"
    exit 1
  fi
  echo "ci-under-load: run $i of $runs passed in $(($(date +%s) - t0)) s"
done
echo "ci-under-load: $runs of $runs runs passed under load"
