#!/usr/bin/env bash
# The on-duty console in a real terminal (tmux, 160x48) against a
# standalone simulator fleet: a BMC going down and a sensor jumping over
# its critical threshold each raise their alarm within two poll intervals;
# the view shows them with their emergency-plan entry; `a` acknowledges,
# `r` runs the plan's read-only verification, `/` filters by label, `p`
# pauses; clearing the faults clears the alarms; `q` ends cleanly. The
# journal holds raise -> ack -> clear in order, and the simulator's access
# log shows only GET/HEAD requests, within the budget.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/watch_lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (Debian package tmux)"
INTERVAL_MS=500
BUDGET=40
sim_start 3
write_files
OUT=$WORK/out
TMUX_SOCK=$WORK/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
cleanup_hooks+=("tm kill-server 2>/dev/null")
cd "$WORK"
tm new-session -d -x 160 -y 48 -s watch \
  "BMC_CRED=$BMC_CRED '$EVENTDRILL' watch fleet.json --plan plan.json \
   --rules rules.json --interval ${INTERVAL_MS}ms --budget $BUDGET --seed 7 \
   --out '$OUT'; echo \$? >'$WORK/exit'; sleep 30"

screen() { tm capture-pane -p -t watch; }
# wait_screen REGEX [SECONDS]: until the screen shows REGEX.
wait_screen() {
  local i
  for i in $(seq 1 $((${2:-5} * 20))); do
    screen | grep -Eq -- "$1" && return 0
    [ -f "$WORK/exit" ] && break
    sleep 0.05
  done
  screen >&2
  fail "the screen never showed /$1/"
}
now() { date +%s.%N; }

wait_screen 'bmc-c +role=web,site=hall-b +yes +on' 10
wait_screen 'no alarm raised'
pass "the view shows the fleet, all up"

# BMC 2 (bmc-b) goes down.
t_down=$(now)
ctl /down '{"bmc": 1}'
wait_screen 'CRITICAL +1 +bmc-b +unreachable'
wait_screen 'PLAN bmc-b-restore +for fault bmc-b-bmc-down'
wait_screen '2\. power on +action: reset "On" on bmc-b +verify: bmc-b-on'
screen | grep -Eq 'bmc-b +role=web,site=hall-a +NO' || fail "bmc-b not shown down"
pass "bmc-b down: alarm and its plan entry on screen"

tm send-keys -t watch a
wait_screen 'CRITICAL +1 +bmc-b +unreachable +[0-9]+s +yes'
pass "a acknowledged alarm 1"

# A CPU of bmc-c jumps over its critical threshold (90 C).
t_sensor=$(now)
ctl /sensor '{"bmc": 2, "name": "CPU1 Temp", "value": 95}'
wait_screen 'CRITICAL +2 +bmc-c +sensor .*CPU1 Temp 95 C at or over critical threshold 90'
tm send-keys -t watch Down
wait_screen '>CRITICAL +2 +bmc-c'
wait_screen 'PLAN bmc-c-cooling +for fault bmc-c-overheat'
tm send-keys -t watch r
wait_screen 'check CPU temperature +verify bmc-c-cpu-cool +FAIL .*value 95 outside'
pass "sensor alarm selected; r ran its plan's verification (fails: 95 > 85)"

tm send-keys -t watch / r o l e = d b Enter
wait_screen 'filter: role=db'
screen | grep -q 'bmc-c' && fail "the filter role=db still shows bmc-c"
wait_screen '2 alarms hidden by the filter \(role=db\)'
screen | grep -q 'no alarm raised' && fail "the filter hides 2 alarms, the screen says none is raised"
wait_screen 'filter: role=db \(hides 2 alarms\)'
tm send-keys -t watch / BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
wait_screen 'CRITICAL +2 +bmc-c'
pass "/ filters devices and alarms by label"

tm send-keys -t watch p
wait_screen 'PAUSED'
tm send-keys -t watch p
wait_screen 'budget 40 req/s/device +polling'

# Both faults cleared: both alarms clear.
ctl /up '{"bmc": 1}'
ctl /sensor '{"bmc": 2, "name": "CPU1 Temp", "value": 45}'
wait_screen 'no alarm raised'
pass "faults cleared: alarms cleared"

# A resize must not break the view.
tm resize-window -t watch -x 100 -y 30 2>/dev/null || tm resize-pane -t watch -x 100 -y 30
wait_screen 'eventdrill watch +lab-fleet'
tm send-keys -t watch q
for _ in $(seq 1 100); do [ -f "$WORK/exit" ] && break; sleep 0.05; done
[ -f "$WORK/exit" ] || fail "q did not end the watch"
[ "$(cat "$WORK/exit")" = 0 ] || fail "watch exited $(cat "$WORK/exit")"
pass "q ended the watch (exit 0)"

$PY - "$OUT/journal.jsonl" "$t_down" "$t_sensor" "$INTERVAL_MS" <<'PYEOF' || fail "journal"
import json, sys, calendar, time
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "journal does not end with a newline"
ev = [json.loads(l) for l in lines[:-1]]
kinds = [e["ev"] for e in ev]
assert kinds[0] == "watch_start" and kinds[-1] == "watch_end", (kinds[0], kinds[-1])
assert ev[-1]["reason"] == "quit", ev[-1]
def at(e):  # "2026-11-26T20:56:57.491Z" -> epoch seconds
    s, ms = e["at"][:-1].split(".")
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S")) + int(ms) / 1000
interval = int(sys.argv[4]) / 1000
for aid, t_inj, kind in ((1, float(sys.argv[2]), "unreachable"),
                         (2, float(sys.argv[3]), "sensor")):
    seq = [(i, e) for i, e in enumerate(ev) if e.get("id") == aid and e["ev"].startswith("alarm_")]
    names = [e["ev"] for _, e in seq]
    want = ["alarm_raise", "alarm_ack", "alarm_clear"] if aid == 1 else ["alarm_raise", "alarm_clear"]
    assert names == want, (aid, names)
    raise_ev = seq[0][1]
    assert raise_ev["kind"] == kind, raise_ev
    lat = at(raise_ev) - t_inj
    assert 0 <= lat <= 2 * interval, "alarm %d raised %.3f s after the fault (> 2 intervals)" % (aid, lat)
    print("alarm %d (%s) raised %.0f ms after the fault" % (aid, kind, lat * 1000))
r1 = next(e for e in ev if e["ev"] == "alarm_raise" and e["id"] == 1)
assert r1["device"] == "bmc-b" and r1["plan"]["plan"] == "bmc-b-restore", r1
assert [s["name"] for s in r1["plan"]["steps"]] == ["confirm outage", "power on"], r1["plan"]
ack = next(e for e in ev if e["ev"] == "alarm_ack")
assert ack["id"] == 1 and ack["acked"] is True, ack
pv = [e for e in ev if e["ev"] == "plan_verify"]
assert pv and pv[0]["check"] == "bmc-c-cpu-cool" and pv[0]["ok"] is False, pv
assert "pause" in kinds and "resume" in kinds, "no pause/resume"
polls = [e for e in ev if e["ev"] == "poll"]
assert {p["device"] for p in polls} == {"bmc-a", "bmc-b", "bmc-c"}
assert any(not p["reachable"] for p in polls if p["device"] == "bmc-b")
assert any(p["sensors"].get("CPU1 Temp") == 95 for p in polls if p["device"] == "bmc-c")
text = open(sys.argv[1]).read()
assert "password" not in text, "a secret in the journal"
PYEOF
pass "journal: raise -> ack -> clear, within two intervals, plan and verification"

access_check "$BUDGET"
pass "simulator access log: only GET/HEAD, within the budget"
grep -q "Timeline of alarms" "$OUT/report.md" || fail "no report.md at the end"
pass "watch in a terminal"
