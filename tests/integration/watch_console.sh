#!/usr/bin/env bash
# The on-duty console for a whole shift, in a real terminal (tmux, 200x50)
# against a standalone simulator fleet: a device Critical from the start is
# counted in the header and sorted first; `/` opens the filter selected, so
# that typing replaces it (never "role=webrole=db"), and the screen says how
# many alarms the filter hides instead of "no alarm raised"; a device whose
# poll is outstanding past its interval has its figures marked stale; the
# selected alarm's full text is in the detail pane even where its row is
# cut; a resize to 80x24 and back draws cleanly and the watch goes on.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/watch_lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (Debian package tmux)"
sim_start 3
write_files
# bmc-c (last by name) is Critical before the watch starts.
ctl /patch '{"bmc": 2, "path": "/redfish/v1/Systems/1", "pointer": "/Status/Health", "value": "Critical"}'
OUT=$WORK/out
TMUX_SOCK=$WORK/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
cleanup_hooks+=("tm kill-server 2>/dev/null")
cd "$WORK"
tm new-session -d -x 200 -y 50 -s watch \
  "BMC_CRED=$BMC_CRED '$EVENTDRILL' watch fleet.json --rules rules.json \
   --interval 500ms --budget 40 --seed 7 --out '$OUT'; \
   echo \$? >'$WORK/exit'; sleep 30"

screen() { tm capture-pane -p -t watch; }
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
# wait_gone REGEX [SECONDS]: until the screen no longer shows REGEX.
wait_gone() {
  local i
  for i in $(seq 1 $((${2:-5} * 20))); do
    screen | grep -Eq -- "$1" || return 0
    sleep 0.05
  done
  screen >&2
  fail "the screen still shows /$1/"
}

# ---- critical from the start ---------------------------------------------
wait_screen 'bmc-a +role=db,site=hall-a +yes +on' 10
wait_screen 'alarms: 1 critical, 0 warning'
wait_screen '^>CRITICAL +1 +bmc-c +health'
first=$(screen | grep -A1 -E '^ DEVICE +LABELS' | tail -1)
echo "$first" | grep -Eq '^ bmc-c +role=web,site=hall-b +yes +on +Critical' ||
  fail "bmc-c (Critical from the start) is not the first device: '$first'"
pass "a device Critical from the start is counted and sorted first"

# The detail pane: the alarm in full.
wait_screen '^ ALARM 1  CRITICAL  bmc-c health Systems/1'
wait_screen '^   Systems/1 health Critical \(since the first poll\)'
pass "the selected alarm's detail pane"

# ---- the filter is edited, not appended to -------------------------------
tm send-keys -t watch / r o l e = w e b Enter
wait_screen 'filter: role=web \(hides 0 alarms\)'
tm send-keys -t watch /
wait_screen 'filter: \[role=web\] +typing replaces it'
tm send-keys -t watch r o l e = d b Enter
wait_screen 'filter: role=db \(hides 1 alarm\)'
screen | grep -q 'role=webrole=db' && fail "typing appended to the filter"
wait_screen '1 alarm hidden by the filter \(role=db\)'
screen | grep -q 'no alarm raised' &&
  fail "the screen says no alarm while the filter hides one"
screen | grep -Eq '^ bmc-c ' && fail "the filter role=db still shows bmc-c"
pass "typing replaced the filter; the screen says what it hides"
# An arrow keeps the text to edit it at its end.
tm send-keys -t watch / Right BSpace BSpace w e b Enter
wait_screen 'filter: role=web \(hides 0 alarms\)'
wait_screen '^>CRITICAL +1 +bmc-c'
# Backspace on the selected text clears it: the filter is gone.
tm send-keys -t watch / BSpace Enter
wait_screen 'filter cleared'
screen | grep -q 'hides' && fail "the filter did not clear"
pass "the filter edited at its end, then cleared"

# ---- stale figures while a poll is outstanding ---------------------------
ctl /knobs '{"bmc": 1, "latency": "1500ms"}'
wait_screen '^ bmc-b +role=web,site=hall-a +yes +on +OK +stale +stale .*poll outstanding' 15
pass "bmc-b's figures are marked stale while its slow poll is outstanding"
ctl /knobs '{"bmc": 1, "latency": 0}'
wait_gone 'bmc-b .*stale' 30
pass "the marker goes once polls come back in time"

# ---- resize: 200x50 -> 80x24 -> 200x50 -------------------------------------
resize() {
  tm resize-window -t watch -x "$1" -y "$2" 2>/dev/null ||
    tm resize-pane -t watch -x "$1" -y "$2"
}
resize 80 24
wait_screen '^   Systems/1 health Critical \(since the first poll\)'
$PY - "$(screen)" <<'PYEOF' || fail "the 80x24 screen: $(screen)"
import sys
lines = sys.argv[1].split("\n")
assert len(lines) <= 24, "%d lines" % len(lines)
assert max(len(l) for l in lines) <= 80, "a line longer than 80"
assert lines[0].startswith(" eventdrill watch  lab-fleet"), lines[0]
assert "alarms: 1 critical, 0 warning  polling" in lines[0], "header cut: " + lines[0]
assert any(l.startswith(">CRITICAL    1  bmc-c") for l in lines), "no alarm row"
assert any("up/down select" in l for l in lines[-2:]), "no keys line at the bottom"
# each section once: nothing left over from the larger screen
for title in (" DEVICES (worst first)", " ALARMS (worst first)"):
    assert sum(1 for l in lines if l.startswith(title)) == 1, title
PYEOF
pass "80x24: every line fits, each section once, the alarm still readable in full"
resize 200 50
wait_screen '^ bmc-a +role=db,site=hall-a +yes +on'
[ "$(screen | grep -c '^ DEVICES (worst first)')" = 1 ] || fail "sections twice after the resize"
[ -f "$WORK/exit" ] && fail "the watch ended on a resize"
pass "back to 200x50: drawn in full, still watching"

tm send-keys -t watch q
for _ in $(seq 1 100); do [ -f "$WORK/exit" ] && break; sleep 0.05; done
[ -f "$WORK/exit" ] || fail "q did not end the watch"
[ "$(cat "$WORK/exit")" = 0 ] || fail "watch exited $(cat "$WORK/exit")"
$PY - "$OUT/journal.jsonl" <<'PYEOF' || fail "journal"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
r = [e for e in ev if e["ev"] == "alarm_raise"]
assert r and r[0]["device"] == "bmc-c" and r[0]["kind"] == "health", r[:1]
assert r[0]["severity"] == "critical", r[0]
first_poll = next(e for e in ev if e["ev"] == "poll" and e["device"] == "bmc-c")
assert ev.index(r[0]) < ev.index(first_poll) + 3, "not raised at the first poll"
PYEOF
pass "journal: the alarm raised at bmc-c's first poll"
