#!/usr/bin/env bash
# The command line in a real terminal (tmux) at 80x24 and 200x50: no line
# wider than the terminal (the live line included: a wrapped live line
# leaves fragments at each redraw), colour on the terminal and none with
# NO_COLOR or --color never or when piped; each command's --help; a
# suggestion for a mistyped command or option; --quiet prints exactly one
# line; every --json line says what it is.
. "$(dirname "$0")/lib/common.sh"
command -v tmux >/dev/null || fail "tmux is not installed (Debian package tmux)"
TMUX_SOCK=$WORK/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
cleanup_hooks+=("tm kill-server 2>/dev/null")
cd "$WORK"

# A short drill whose SLO fails (a red verdict and a red row), with phase
# names long enough to fill a line.
cat >s.json <<'EOF'
{ "name": "terminal", "seed": 5,
  "targets": { "bmc1": { "driver": "redfish", "sim": {} } },
  "workloads": [ { "name": "poll-system-of-every-bmc-in-the-main-hall", "targets": ["bmc1"],
    "op": { "get": "/redfish/v1/Systems/nope" },
    "rate": [ { "name": "baseline-before-surge", "constant": 20, "for": "3s" },
              { "name": "surge-of-the-opening-night", "constant": 40, "for": "3s" } ] } ],
  "slo": { "p99_ms": 250, "error_rate": 0.01 }
}
EOF

# run_in_tmux NAME COLS ROWS ENV: the drill in a terminal of that size;
# waits for it to end and keeps the screen (wrapped lines joined, escapes
# kept) in NAME.screen.
run_in_tmux() {
  local name=$1 cols=$2 rows=$3 env=$4
  tm new-session -d -x "$cols" -y "$rows" -s "$name" \
    "env $env TERM=xterm-256color '$EVENTDRILL' run s.json --out '$name.r' --no-report; echo \$? >'$WORK/$name.exit'; sleep 60"
  local i
  for i in $(seq 1 600); do
    [ -f "$WORK/$name.exit" ] && break
    sleep 0.1
  done
  [ -f "$WORK/$name.exit" ] || fail "$name: the run did not end"
  sleep 0.3
  tm capture-pane -p -J -e -S - -t "$name" >"$WORK/$name.screen"
  tm kill-session -t "$name"
  [ "$(cat "$WORK/$name.exit")" = 1 ] || fail "$name: exit $(cat "$WORK/$name.exit"), expected 1 (SLO failed)"
}

# width_ok FILE COLS: no line, escapes removed, is wider than COLS.
width_ok() {
  $PY - "$1" "$2" <<'EOF'
import re, sys
cols = int(sys.argv[2])
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
wide = [l for l in plain.split("\n") if len(l) > cols]
if wide:
    print("\n".join(wide[:5]))
    sys.exit(1)
EOF
}

# Red as tmux gives it back (bold, then red) or as written (1;31).
RED=$'(\e\\[1;31m|\e\\[1m\e\\[31m)'
for size in "80 24" "200 50"; do
  set -- $size
  name="t$1"
  run_in_tmux "$name" "$1" "$2" ""
  width_ok "$WORK/$name.screen" "$1" || fail "$name: a line is wider than $1 columns (above)"
  grep -q 'VERDICT: .*FAIL' "$WORK/$name.screen" || fail "$name: no verdict on screen"
  grep -qE "${RED}FAIL" "$WORK/$name.screen" || fail "$name: the failed verdict is not red"
  grep -qE "${RED}total" "$WORK/$name.screen" ||
    { cat -v "$WORK/$name.screen" | tail -20 >&2; fail "$name: the failing row is not red"; }
done
# At 200 columns every column of the table is there; at 80 the widest go.
grep -q 'max ms' "$WORK/t200.screen" || fail "t200: the table lost a column"
grep -q 'p99 ms' "$WORK/t80.screen" || fail "t80: the table lost p99"
! grep -q 'max ms' "$WORK/t80.screen" || fail "t80: the table is as wide as at 200"
pass "80x24 and 200x50: nothing wider than the terminal; the verdict and the failing row red"

# NO_COLOR and --color never: the same words, no escape.
run_in_tmux nocolor 200 50 "NO_COLOR=1"
grep -q 'VERDICT: FAIL' "$WORK/nocolor.screen" || fail "NO_COLOR: no plain verdict"
! grep -qE "$RED" "$WORK/nocolor.screen" || fail "NO_COLOR=1 still coloured"
tm new-session -d -x 120 -y 40 -s never \
  "TERM=xterm-256color '$EVENTDRILL' --color never run s.json --out never.r --no-report; echo \$? >'$WORK/never.exit'; sleep 60"
for _ in $(seq 1 600); do [ -f "$WORK/never.exit" ] && break; sleep 0.1; done
sleep 0.3
tm capture-pane -p -J -e -S - -t never >"$WORK/never.screen"
grep -q 'VERDICT: FAIL' "$WORK/never.screen" || fail "--color never: no verdict"
! grep -qE "$RED" "$WORK/never.screen" || fail "--color never still coloured"
# Piped: no colour; --color always: colour even then.
"$EVENTDRILL" run s.json --plain --no-report --out "$WORK/p1" 2>&1 | cat >"$WORK/piped" || true
grep -q 'VERDICT: FAIL' "$WORK/piped" || fail "piped: no verdict"
! grep -q $'\e\\[' "$WORK/piped" || fail "piped output carries escapes"
"$EVENTDRILL" --color=always run s.json --plain --no-report --out "$WORK/p2" 2>&1 | cat >"$WORK/always" || true
grep -qE "${RED}FAIL" "$WORK/always" || fail "--color always: no colour when piped"
pass "colour only on a terminal; NO_COLOR, --color never and pipes plain"

# --quiet: exactly one line, the verdict.
got=0
"$EVENTDRILL" run s.json --quiet --no-report --out "$WORK/q" >"$WORK/q.out" 2>"$WORK/q.err" || got=$?
[ "$got" -eq 1 ] || fail "--quiet: exit $got, expected 1"
[ "$(cat "$WORK/q.out" "$WORK/q.err" | wc -l)" -eq 1 ] ||
  fail "--quiet printed $(cat "$WORK/q.out" "$WORK/q.err" | wc -l) lines"
grep -q '^VERDICT: FAIL (.*): SLO error_rate .*: 100%, target 1%' "$WORK/q.err" ||
  fail "--quiet line: $(cat "$WORK/q.err")"
pass "--quiet: one verdict line, with the first reason and its units"

# --json: every line is JSON with a type.
"$EVENTDRILL" run s.json --json --no-report --out "$WORK/j" >"$WORK/j.out" 2>/dev/null || true
$PY - "$WORK/j.out" <<'EOF' || fail "a --json line without a type"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
types = [l.get("type") for l in lines]
assert all(types), types
assert types[-1] == "summary" and types.count("second") >= 5, types
EOF
cat >inv.json <<'EOF'
{ "name": "two", "devices": { "b": { "driver": "redfish", "auth": "basic", "sim": {} },
  "gone": { "driver": "redfish", "auth": "none", "url": "http://127.0.0.1:1" } } }
EOF
"$EVENTDRILL" inspect inv.json --json --out "$WORK/ij" >"$WORK/ij.out" 2>/dev/null || true
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "inspection", d.get("type")' \
  "$WORK/ij.out" || fail "inspect --json has no type"
# "gone" refuses connections: an unreachable alarm within a few polls.
"$EVENTDRILL" watch inv.json --json --interval 300ms --duration 4s --out "$WORK/wj" \
  >"$WORK/wj.out" 2>/dev/null || fail "watch --json failed"
$PY - "$WORK/wj.out" <<'EOF' || fail "a watch --json line without a type"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert any(l.get("ev") == "alarm_raise" for l in lines), lines
assert all(l.get("type") for l in lines), lines
EOF
pass "--json: every line has a type (run: second, summary; inspect; watch)"

# inspect's findings at 80 columns: wrapped under their text, never wider.
tm new-session -d -x 80 -y 40 -s insp \
  "TERM=xterm-256color '$EVENTDRILL' inspect inv.json --out '$WORK/i80'; echo \$? >'$WORK/insp.exit'; sleep 60"
for _ in $(seq 1 600); do [ -f "$WORK/insp.exit" ] && break; sleep 0.1; done
sleep 0.3
tm capture-pane -p -J -e -S - -t insp >"$WORK/insp.screen"
grep -q 'gone' "$WORK/insp.screen" || fail "inspect at 80 columns shows no finding for gone"
grep -q 'Verdict: ' "$WORK/insp.screen" || fail "inspect at 80 columns shows no verdict"
width_ok "$WORK/insp.screen" 80 || fail "inspect: a line is wider than 80 columns (above)"
pass "inspect at 80 columns: findings wrapped, the verdict last"

# Help of every command, and suggestions.
for c in run rehearse verify validate inspect watch report compare recover plugins; do
  "$EVENTDRILL" "$c" --help >"$WORK/help.$c" 2>&1 || fail "$c --help exited $?"
  grep -q "usage: eventdrill $c" "$WORK/help.$c" || grep -qi "usage" "$WORK/help.$c" ||
    fail "$c --help prints no usage"
done
grep -q -- '--only' "$WORK/help.verify" || fail "verify --help lacks its options"
! grep -q '^commands:' "$WORK/help.run" || fail "run --help prints the global help"
expect_status 2 "$EVENTDRILL" rehears s.json 2>"$WORK/e1"
grep -q 'did you mean rehearse' "$WORK/e1" || fail "no suggestion for rehears: $(cat "$WORK/e1")"
grep -q '^usage: eventdrill' "$WORK/e1" || fail "no usage line after an unknown command"
expect_status 2 "$EVENTDRILL" run s.json --jsn 2>"$WORK/e2"
grep -q 'did you mean --json' "$WORK/e2" || fail "no suggestion for --jsn: $(cat "$WORK/e2")"
grep -q '^usage: eventdrill run FILE' "$WORK/e2" || fail "no usage line after --jsn"
expect_status 2 "$EVENTDRILL" report --no-plts 2>"$WORK/e3"
grep -q 'did you mean --no-plots' "$WORK/e3" || fail "no suggestion for report --no-plts"
expect_status 2 "$EVENTDRILL" --color sometimes run s.json 2>"$WORK/e4"
grep -q 'auto, always, never' "$WORK/e4" || fail "a bad --color is not explained"
pass "every command's --help exits 0; rehears, --jsn and --no-plts get suggestions"
