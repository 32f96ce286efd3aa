#!/usr/bin/env bash
# A drill's --metrics endpoint read by Debian's Prometheus: Prometheus
# scrapes it every second (OpenMetrics, as it asks), the figures it stored
# equal the run's summary.json, and promtool accepts the text format.
. "$(dirname "$0")/lib/common.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
  fail "prometheus and promtool are needed (scripts/install-deps.sh installs them)"
MPORT=$(free_port)
PPORT=$(free_port)

# Load for 12 s, then an idle phase: the counters are final while
# Prometheus still scrapes, so its last sample must equal the summary.
cat >"$WORK/s.json" <<'EOF'
{ "name": "prom", "seed": 3,
  "targets": { "bmc1": { "driver": "redfish", "sim": {} },
               "bmc2": { "driver": "redfish", "sim": {} } },
  "workloads": [ { "name": "poll", "targets": ["bmc1", "bmc2"],
    "op": { "get": "/redfish/v1/Systems/{first}" },
    "rate": [ { "name": "load", "constant": 20, "for": "12s" },
              { "name": "idle", "constant": 0, "for": "8s" } ] } ],
  "checks": { "bmc1-up": { "target": "bmc1", "mode": "continuous",
                "every": "1s", "op": { "get": "/redfish/v1" },
                "expect": { "status": 200 } } }
}
EOF
mkdir -p "$WORK/tsdb"
cat >"$WORK/prom.yml" <<EOF
global: { scrape_interval: 1s, scrape_timeout: 900ms }
scrape_configs:
  - job_name: eventdrill
    static_configs: [ { targets: ["127.0.0.1:$MPORT"] } ]
EOF
prometheus --config.file="$WORK/prom.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PPORT" >"$WORK/prom.log" 2>&1 &
PROM_PID=$!
cleanup_hooks+=("kill $PROM_PID; wait $PROM_PID 2>/dev/null")
API="http://127.0.0.1:$PPORT"
for _ in $(seq 100); do
  curl -sf "$API/-/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "$API/-/ready" >/dev/null || { cat "$WORK/prom.log" >&2; fail "prometheus did not start"; }

# A wrong address is a usage error, named, before any device is touched.
expect_status 2 "$EVENTDRILL" run "$WORK/s.json" --quiet --results "$WORK/r0" \
  --metrics bmc.example:1 2>"$WORK/bad.err"
grep -q -- '--metrics' "$WORK/bad.err" || fail "the error does not name --metrics"
[ ! -d "$WORK/r0" ] || fail "a wrong --metrics address left a results folder"

"$EVENTDRILL" run "$WORK/s.json" --plain --no-report --out "$WORK/r" \
  --metrics "127.0.0.1:$MPORT" >"$WORK/run.out" 2>"$WORK/run.err" &
RUN_PID=$!
cleanup_hooks+=("kill $RUN_PID 2>/dev/null; wait $RUN_PID 2>/dev/null")
# While it runs: the text format passes promtool's lint, and OpenMetrics
# ends with its EOF marker.
sleep 4
curl -sf "http://127.0.0.1:$MPORT/metrics" >"$WORK/page.txt" ||
  fail "no page at /metrics"
promtool check metrics <"$WORK/page.txt" >"$WORK/lint" 2>&1 ||
  { cat "$WORK/lint" >&2; fail "promtool rejects the text format"; }
curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' \
  "http://127.0.0.1:$MPORT/metrics" -D "$WORK/om.head" >"$WORK/page.om"
grep -qi 'content-type: application/openmetrics-text' "$WORK/om.head" ||
  fail "OpenMetrics was asked for and not served"
[ "$(tail -n 1 "$WORK/page.om")" = "# EOF" ] || fail "OpenMetrics page without # EOF"
grep -q '^# TYPE eventdrill_requests_completed counter' "$WORK/page.om" ||
  fail "OpenMetrics names a counter family without _total"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/nope" |
  grep -qx 404 || fail "an unknown path is not a 404"
wait $RUN_PID || fail "the drill failed: $(cat "$WORK/run.err")"
grep -q "metrics: http://127.0.0.1:$MPORT/metrics" "$WORK/run.err" ||
  fail "the run does not say where its metrics are"

# What Prometheus stored. Stale markers end the series when the run is
# gone: read the last sample of each with last_over_time.
query() {
  curl -sf "$API/api/v1/query" --data-urlencode "query=$1" >"$WORK/q.json" ||
    fail "prometheus query failed: $1"
}
query 'count_over_time(up{job="eventdrill"}[5m])'
scrapes=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' "$WORK/q.json")
query 'sum_over_time(up{job="eventdrill"}[5m])'
good=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' "$WORK/q.json")
[ "$good" -ge 2 ] || { cat "$WORK/prom.log" >&2; fail "fewer than 2 good scrapes ($good of $scrapes)"; }
query 'last_over_time(eventdrill_requests_completed_total[5m])'
$PY - "$WORK/q.json" "$WORK/r/summary.json" <<'EOF' || fail "Prometheus's figures differ from summary.json"
import json, sys
res = json.load(open(sys.argv[1]))["data"]["result"]
summ = json.load(open(sys.argv[2]))
got = {r["metric"]["target"]: float(r["value"][1]) for r in res
       if r["metric"].get("workload") == "poll"}
want_total = summ["workloads"][0]["total"]["completed"]
assert want_total > 300, want_total
assert set(got) == {"bmc1", "bmc2"}, got
assert sum(got.values()) == want_total, (got, want_total)
print("completed: prometheus", got, "summary", want_total)
EOF
query 'last_over_time(eventdrill_check_green{check="bmc1-up"}[5m])'
grep -q '"value":\[[0-9.]*,"1"\]' "$WORK/q.json" ||
  fail "the check's state did not reach Prometheus: $(cat "$WORK/q.json")"
query 'max_over_time(eventdrill_workload_phase{phase="idle"}[5m])'
grep -q '"value":\[[0-9.]*,"1"\]' "$WORK/q.json" ||
  fail "the idle phase was never seen: $(cat "$WORK/q.json")"
pass "Prometheus scraped $good times; its counts equal summary.json; promtool lint clean"
