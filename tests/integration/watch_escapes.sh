#!/usr/bin/env bash
# Device text is data, never control, on the on-duty console: a simulated
# BMC is given, through the simulator's control channel, a sensor name, a
# power supply name and a log entry holding terminal escapes (ESC ] 0 ; x
# BEL sets the title, ESC [ 2 J clears the screen, ESC [ 31 m colours),
# C0 and C1 controls, CR, backspace and Markdown or HTML markup (| * ` [x](y)
# <script>). Each raises an alarm that shows the text.
# - In a terminal (tmux): the raw bytes eventdrill writes never hold the
#   planted sequences, a BEL, an OSC or a C1 control; the pane's title stays
#   its own; the screen shows the text escaped (\x1b]0;x\x07...).
# - With --json: every stdout line is valid JSON and holds the exact text as
#   data; stderr holds no raw control byte.
# - `eventdrill report` on the results: report.md shows the text escaped and
#   its Markdown specials made literal; report.html keeps it HTML-escaped.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/watch_lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (Debian package tmux)"
sim_start 1
cd "$WORK"

SENSOR=$'CPU1 \e]0;x\a\e[2J<script>alert(1)</script> | *x* `c` [x](y)'
PSU=$'PSU2 \e[31m\u009b2J\r\b<b>_u_'
SEL=$'disk \e]0;sel\a\e[2J \x01\x7f <script>s</script> | `t` [a](b) #h'
# ctl_json PATH PYEXPR: a control command built by Python (the strings hold
# bytes a shell here-doc would not carry as JSON).
ctl_json() {
  local body
  body=$($PY -c "import json,sys; print(json.dumps($2))" "$SENSOR" "$PSU" "$SEL")
  ctl "$1" "$body"
}
ctl_json /sensor '{"bmc": 0, "name": "CPU1 Temp", "value": 95}'
ctl_json /patch '{"bmc": 0, "path": "/redfish/v1/Chassis/1/Thermal",
  "pointer": "/Temperatures/0/Name", "value": sys.argv[1]}'
ctl_json /patch '{"bmc": 0, "path": "/redfish/v1/Chassis/1/Power",
  "pointer": "/PowerSupplies/1/Name", "value": sys.argv[2]}'
# psu_health WORD: the planted power supply's health (an alarm is raised
# when it worsens during the watch).
psu_health() {
  ctl_json /patch '{"bmc": 0, "path": "/redfish/v1/Chassis/1/Power",
    "pointer": "/PowerSupplies/1/Status/Health", "value": "'"$1"'"}'
}
curl -fsS -u "$BMC_CRED" "http://127.0.0.1:$BASE/redfish/v1/Chassis/1/Thermal" |
  grep -qi 'u001b]0;x' || fail "the simulator does not serve the planted sensor name"

cat >fleet.json <<EOF
{ "name": "hostile-fleet",
  "devices": { "bmc-h": { "driver": "redfish", "url": "http://127.0.0.1:$BASE",
                          "auth": "basic", "credentials": "env:BMC_CRED" } } }
EOF
printf '{ "sensor": {"hold": "0s"} }\n' >rules.json

# ---- in a terminal ------------------------------------------------------
TMUX_SOCK=$WORK/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
cleanup_hooks+=("tm kill-server 2>/dev/null")
tm new-session -d -x 200 -y 50 -s watch \
  "BMC_CRED=$BMC_CRED '$EVENTDRILL' watch fleet.json --rules rules.json \
   --interval 500ms --budget 40 --out '$WORK/tty'; echo \$? >'$WORK/tty.exit'; sleep 30"
tm pipe-pane -o -t watch "cat >>'$WORK/tty.raw'"
screen() { tm capture-pane -p -J -t watch; }
wait_screen() { # wait_screen FIXED-STRING SECONDS
  local i
  for i in $(seq 1 $(($2 * 20))); do
    screen | grep -qF -- "$1" && return 0
    [ -f "$WORK/tty.exit" ] && break
    sleep 0.05
  done
  screen >&2
  fail "the screen never showed: $1"
}
wait_screen 'CPU1 \x1b]0;x\x07\x1b[2J<script>alert(1)</script> | *x*' 15
# The log entry is new, and the power supply worse, only once the watch
# has seen the device as it was.
sleep 1.5
psu_health Critical
ctl_json /sel '{"bmc": 0, "severity": "Critical", "message": sys.argv[3]}'
wait_screen 'disk \x1b]0;sel\x07\x1b[2J \x01\x7f <script>' 10
wait_screen 'PSU2 \x1b[31m\u009b2J\r\x08<b>' 5
title=$(tm display-message -p -t watch '#{pane_title}')
[ "$title" != x ] && [ "$title" != sel ] || fail "device text set the pane title to '$title'"
screen >"$WORK/tty.screen"
tm send-keys -t watch q
for _ in $(seq 1 100); do [ -f "$WORK/tty.exit" ] && break; sleep 0.05; done
[ "$(cat "$WORK/tty.exit" 2>/dev/null)" = 0 ] || fail "watch in tmux did not end with q (exit 0)"
tm pipe-pane -t watch
pass "terminal: the planted text shown escaped (title: '$title')"

# ---- JSON lines ---------------------------------------------------------
ctl_json /sel '{"bmc": 0, "clear": True}'
psu_health OK
"$EVENTDRILL" watch fleet.json --rules rules.json --interval 500ms --budget 40 \
  --out "$WORK/json" >"$WORK/json.out" 2>"$WORK/json.err" &
WATCH=$!
cleanup_hooks+=("kill -KILL $WATCH 2>/dev/null")
for _ in $(seq 1 200); do
  grep -q '"kind":"sensor"' "$WORK/json.out" 2>/dev/null && break
  sleep 0.05
done
sleep 1
psu_health Critical
ctl_json /sel '{"bmc": 0, "severity": "Critical", "message": sys.argv[3]}'
for _ in $(seq 1 200); do
  grep -q '"kind":"log"' "$WORK/json.out" 2>/dev/null &&
    grep -q '"kind":"psu"' "$WORK/json.out" && break
  sleep 0.05
done
kill -TERM "$WATCH"
status=0
wait "$WATCH" || status=$?
[ "$status" -eq 0 ] || fail "watch --json exited $status: $(tail -3 "$WORK/json.err")"

$PY - "$WORK" "$SENSOR" "$PSU" "$SEL" <<'PYEOF' || fail "device text reached an output raw"
import json, sys
w, sensor, psu, sel = sys.argv[1:5]
raw = open(w + "/tty.raw", "rb").read()
assert len(raw) > 1000, "pipe-pane captured only %d bytes" % len(raw)
# ncurses writes its own CSI sequences, CR and BS; never an OSC, a BEL or a
# C1 control, and never the planted bytes next to their text.
for bad in (b"\x1b]", b"\x07", b"\xc2\x9b", b"\x01", b"\x7f",
            b"CPU1 \x1b", b"PSU2 \x1b", b"disk \x1b"):
    assert bad not in raw, ("terminal", bad)
screen = open(w + "/tty.screen").read()
for want in (r"CPU1 \x1b]0;x\x07\x1b[2J<script>alert(1)</script> | *x* `c` [x](y)",
             r"PSU2 \x1b[31m\u009b2J\r\x08<b>_u_",
             r"disk \x1b]0;sel\x07\x1b[2J \x01\x7f <script>s</script> | `t` [a](b) #h"):
    assert want in screen, ("screen", want, screen)

lines = open(w + "/json.out", "rb").read().decode().split("\n")
assert lines[-1] == "", "stdout does not end with a newline"
evs = [json.loads(l) for l in lines[:-1]]
raised = {e["kind"]: e for e in evs if e.get("ev") == "alarm_raise"}
assert {"sensor", "psu", "log"} <= set(raised), sorted(raised)
text = {k: json.dumps(e, ensure_ascii=False) for k, e in raised.items()}
for kind, s in (("sensor", sensor), ("psu", psu), ("log", sel)):
    e = raised[kind]
    assert any(isinstance(v, str) and s in v for v in e.values()), (kind, s, e)
err = open(w + "/json.err", "rb").read()
for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\r", b"\x08", b"\x01", b"\x7f"):
    assert bad not in err, ("watch stderr", bad, err[:2000])
print("terminal raw bytes, screen, JSON lines and stderr hold the text as data")
PYEOF
pass "--json: valid JSON lines with the exact text; stderr escaped"

# ---- the report -----------------------------------------------------------
status=0
"$EVENTDRILL" report "$WORK/json" >"$WORK/report.out" 2>"$WORK/report.err" || status=$?
[ "$status" -eq 0 ] || fail "report exited $status: $(cat "$WORK/report.err")"
$PY - "$WORK/json" <<'PYEOF' || fail "the report shows device text raw"
import sys
d = sys.argv[1]
md = open(d + "/report.md", "rb").read()
for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\r", b"\x08", b"\x01", b"\x7f"):
    assert bad not in md, ("report.md", bad)
md = md.decode()
assert "<script" not in md and "<b>" not in md, "raw markup in report.md"
for want in (r"CPU1 \x1b\]0;x\x07\x1b\[2J&lt;script&gt;alert(1)&lt;/script&gt; \| \*x\* \`c\` \[x\](y)",
             r"PSU2 \x1b\[31m\u009b2J\r\x08&lt;b&gt;\_u\_",
             r"disk \x1b\]0;sel\x07\x1b\[2J \x01\x7f &lt;script&gt;s&lt;/script&gt; \| \`t\` \[a\](b) \#h"):
    assert want in md, ("report.md", want, [l for l in md.splitlines() if "CPU1" in l or "PSU2" in l or "disk" in l][:6])
html = open(d + "/report.html", "rb").read()
assert b"\x1b" not in html and b"\x07" not in html, "raw control in report.html"
html = html.decode()
assert "<script" not in html and "&lt;script&gt;" in html, "report.html not escaped"
assert "<b>" not in html, "raw <b> in report.html"
print("report.md escaped, report.html HTML-escaped")
PYEOF
pass "report: Markdown and HTML keep device text as data"
