#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quickstart drill against the
# built-in simulator (no hardware needed). Prints where the results are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
status=0
./build/bin/eventdrill run scenarios/quickstart.json "$@" || status=$?
latest=$(ls -1dt results/*-quickstart 2>/dev/null | head -n 1 || true)
if [ -n "$latest" ]; then
  echo
  echo "quickstart results: $latest/"
  echo "  summary:     $latest/summary.json"
  echo "  time series: $latest/timeseries.csv"
  echo "  journal:     $latest/journal.jsonl"
  [ -f "$latest/report.html" ] && echo "  report:      $latest/report.html"
fi
exit $status
