#!/usr/bin/env bash
# A watch seen by the duty team's tools: Debian's Prometheus scrapes its
# --metrics endpoint (a device the test takes down goes to up 0, its
# sensors carry their thresholds, promtool accepts the page) and Debian's
# Alertmanager receives its alarms through --alertmanager (firing with the
# device's inventory labels, then resolved with an end time) and keeps
# polling when Alertmanager is away.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/watch_lib.sh"
for p in prometheus promtool prometheus-alertmanager; do
  command -v $p >/dev/null || fail "$p is needed (scripts/install-deps.sh installs it)"
done
sim_start 3
write_files
cd "$WORK"
MPORT=$(free_port)
PPORT=$(free_port)
APORT=$(free_port)
ACPORT=$(free_port)

# ---- the peers ------------------------------------------------------------
mkdir -p tsdb am
cat >prom.yml <<EOF
global: { scrape_interval: 1s, scrape_timeout: 900ms }
scrape_configs:
  - job_name: watch
    static_configs: [ { targets: ["127.0.0.1:$MPORT"] } ]
EOF
prometheus --config.file=prom.yml --storage.tsdb.path=tsdb \
  --web.listen-address="127.0.0.1:$PPORT" >prom.log 2>&1 &
PROM_PID=$!
cleanup_hooks+=("kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null")
# Alertmanager's notifications go to a webhook the test records: the
# alert must come out of Alertmanager firing, then resolved.
HPORT=$(free_port)
$PY - "$HPORT" "$WORK/hook.jsonl" <<'EOF' >hook.log 2>&1 &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
HOOK_PID=$!
cleanup_hooks+=("kill $HOOK_PID 2>/dev/null")
cat >am.yml <<EOF
route: { receiver: hook, group_by: [device], group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers:
  - name: hook
    webhook_configs: [ { url: "http://127.0.0.1:$HPORT/", send_resolved: true } ]
EOF
prometheus-alertmanager --config.file=am.yml --storage.path=am \
  --web.listen-address="127.0.0.1:$APORT" \
  --cluster.listen-address="" >am.log 2>&1 &
AM_PID=$!
cleanup_hooks+=("kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null")
ready() { # ready URL NAME LOG
  for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done
  cat "$3" >&2
  fail "$2 did not start"
}
ready "http://127.0.0.1:$PPORT/-/ready" prometheus prom.log
ready "http://127.0.0.1:$APORT/-/ready" alertmanager am.log

# A wrong URL is refused before any device is touched.
expect_status 2 "$EVENTDRILL" watch fleet.json --alertmanager https://127.0.0.1:1 \
  --out never 2>bad.err
grep -q -- '--alertmanager' bad.err || fail "the error does not name --alertmanager"

# ---- the watch --------------------------------------------------------------
"$EVENTDRILL" watch fleet.json --rules rules.json --interval 500ms --budget 40 \
  --seed 4 --out out --json --metrics "127.0.0.1:$MPORT" \
  --alertmanager "http://127.0.0.1:$APORT" >watch.out 2>watch.err &
WATCH=$!
cleanup_hooks+=("kill -KILL $WATCH 2>/dev/null")
wait_for() { # wait_for CMD REGEX SECONDS
  local i
  for i in $(seq 1 $(($3 * 5))); do
    eval "$1" 2>/dev/null | grep -Eq -- "$2" && return 0
    kill -0 "$WATCH" 2>/dev/null || break
    sleep 0.2
  done
  eval "$1" >&2 || true
  tail -5 watch.err >&2
  fail "never saw /$2/ in: $1"
}
page() { curl -sf "http://127.0.0.1:$MPORT/metrics"; }
wait_for page 'eventdrill_device_up\{device="bmc-c"\} 1' 10
page >page.txt
promtool check metrics <page.txt >lint 2>&1 || { cat lint >&2; fail "promtool rejects the watch's page"; }
grep -Eq 'eventdrill_sensor_reading\{device="bmc-a",sensor="[^"]+",kind="temperature",unit="Cel"\} [0-9.]+' page.txt ||
  grep -Eq 'eventdrill_sensor_reading\{device="bmc-a",sensor="[^"]+",kind="[a-z]+",unit="[^"]*"\} [0-9.]+' page.txt ||
  fail "no sensor reading on the page"
grep -Eq 'eventdrill_sensor_upper_critical\{device="bmc-a",' page.txt ||
  fail "no sensor threshold on the page"
grep -q 'eventdrill_alarms_active{severity="critical"} 0' page.txt || fail "alarms_active not 0 at start"
pass "the watch's page: up, sensors with thresholds, alarms; promtool clean"

# bmc-b goes down: an alarm, up 0 in Prometheus, the alert in Alertmanager.
ctl /down '{"bmc": 1}'
wait_for "cat watch.out" '"ev":"alarm_raise".*"device":"bmc-b","kind":"unreachable"' 10
alerts() { curl -sf "http://127.0.0.1:$APORT/api/v2/alerts?active=true&silenced=false&inhibited=false"; }
wait_for alerts '"device":"bmc-b"' 15
alerts >firing.json
$PY - firing.json <<'EOF' || fail "the firing alert in Alertmanager is not right: $(cat firing.json)"
import json, sys
a = [x for x in json.load(open(sys.argv[1])) if x["labels"].get("device") == "bmc-b"]
assert len(a) == 1, a
l = a[0]["labels"]
assert l["alertname"] == "eventdrill_unreachable", l
assert l["severity"] == "critical" and l["kind"] == "unreachable", l
assert l["role"] == "web" and l["site"] == "hall-a", l  # the inventory's labels
assert l["inventory"] == "lab-fleet", l
assert a[0]["annotations"]["summary"], a[0]
assert a[0]["status"]["state"] == "active", a[0]["status"]
EOF
pass "the alarm reached Alertmanager, firing, with the device's labels"
query() {
  curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1"
}
wait_for "query 'eventdrill_device_up{device=\"bmc-b\"}'" '"value":\[[0-9.]+,"0"\]' 15
wait_for "query 'eventdrill_alarms_active{severity=\"critical\"}'" '"value":\[[0-9.]+,"1"\]' 10
pass "Prometheus sees bmc-b down (up 0) and one critical alarm"

# bmc-b comes back: the alarm clears, the alert is resolved with its end.
ctl /up '{"bmc": 1}'
wait_for "cat watch.out" '"ev":"alarm_clear".*"device":"bmc-b"' 10
all_alerts() { curl -sf "http://127.0.0.1:$APORT/api/v2/alerts"; }
# Alertmanager keeps a resolved alert with endsAt in the past; the active
# filter no longer lists it.
for _ in $(seq 50); do
  alerts | grep -q '"device":"bmc-b"' || break
  sleep 0.2
done
! alerts | grep -q '"device":"bmc-b"' || fail "the alert is still active after the alarm cleared"
wait_for "query 'eventdrill_device_up{device=\"bmc-b\"}'" '"value":\[[0-9.]+,"1"\]' 15
wait_for "cat '$WORK/hook.jsonl'" '"status": *"resolved".*"device": *"bmc-b"' 20
$PY - "$WORK/hook.jsonl" <<'EOF' || fail "Alertmanager's notifications: $(cat "$WORK/hook.jsonl")"
import json, sys
seen = []
for line in open(sys.argv[1]):
    n = json.loads(line)
    for a in n["alerts"]:
        if a["labels"].get("device") == "bmc-b":
            seen.append((a["status"], a["labels"].get("role"), a["endsAt"]))
states = [s for s, _, _ in seen]
assert "firing" in states and "resolved" in states, seen
assert states.index("firing") < states.index("resolved"), seen
assert all(r == "web" for _, r, _ in seen), seen
assert not seen[states.index("resolved")][2].startswith("0001"), seen  # a real end
EOF
pass "the clear resolved the alert (Alertmanager notified firing, then resolved); Prometheus sees bmc-b up again"

# Alertmanager goes away: polling goes on, the failures are counted.
kill "$AM_PID"; wait "$AM_PID" 2>/dev/null || true
polls_before=$(grep -c '"ev":"poll"' out/journal.jsonl)
ctl /down '{"bmc": 2}'
wait_for "cat watch.out" '"ev":"alarm_raise".*"device":"bmc-c","kind":"unreachable"' 10
sleep 3
polls_after=$(grep -c '"ev":"poll"' out/journal.jsonl)
[ $((polls_after - polls_before)) -ge 12 ] ||
  fail "polling slowed while Alertmanager was away ($polls_before -> $polls_after)"
kill -TERM "$WATCH"
status=0
wait "$WATCH" || status=$?
[ "$status" -eq 0 ] || fail "watch exited $status"
grep '"ev":"alertmanager"' out/journal.jsonl >am-end.json || fail "no alertmanager event in the journal"
$PY - am-end.json <<'EOF' || fail "the journal's Alertmanager figures: $(cat am-end.json)"
import json, sys
e = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert e["posts"] >= 2, e
assert e["failures"] >= 1 and e["last_error"], e
assert e["pending"] >= 1, e
EOF
pass "Alertmanager away: polls went on, the failed posts journaled"
