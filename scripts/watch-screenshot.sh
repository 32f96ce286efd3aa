#!/usr/bin/env bash
# Makes docs/watch-view.png: a real `eventdrill watch` against the
# simulator, in a 160x48 tmux terminal, with a BMC down and a CPU over its
# critical threshold, the first alarm acknowledged and the second's plan
# verified; the terminal's text is then drawn with ImageMagick (Debian:
# apt-get install imagemagick tmux).
#   bash scripts/watch-screenshot.sh [BUILD_DIR] [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${2:-docs/watch-view.png}
ED="$PWD/$BUILD/bin/eventdrill"
SIM="$PWD/$BUILD/bin/eventdrill-sim"
CONVERT=$(command -v magick || echo /usr/bin/convert)
[ -x "$ED" ] && [ -x "$SIM" ] || { echo "build first: bash scripts/build.sh $BUILD" >&2; exit 2; }
command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 2; }
"$CONVERT" -version >/dev/null 2>&1 || { echo "needs ImageMagick" >&2; exit 2; }

D=$(mktemp -d)
SOCK=$D/tmux.sock
SIM_PID=
finish() {
  tmux -S "$SOCK" kill-server 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$D"
}
trap finish EXIT

PORT=$((20000 + RANDOM % 30000))
"$SIM" --bmcs 4 --mode ports --address 127.0.0.1 --port "$PORT" \
  --control 127.0.0.1:0 >"$D/sim.out" 2>/dev/null &
SIM_PID=$!
for _ in $(seq 1 100); do grep -q serving "$D/sim.out" && break; sleep 0.05; done
CONTROL=$(grep -o 'control http://[0-9.:]*' "$D/sim.out" | cut -d' ' -f2)
ctl() { curl -sS -f -d "$2" "$CONTROL$1" >/dev/null; }

dev() { # dev NAME INDEX ROLE RACK
  printf '"%s": {"driver": "redfish", "url": "http://127.0.0.1:%d", "auth": "basic",
    "credentials": "env:BMC_CRED", "labels": {"site": "hall-a", "rack": "%s", "role": "%s"}}' \
    "$1" $((PORT + $2)) "$4" "$3"
}
cat >"$D/summit-fleet.json" <<EOF
{"name": "summit-fleet", "devices": {
  $(dev db-01 0 db r01), $(dev db-02 1 db r01),
  $(dev web-01 2 web r02), $(dev web-02 3 web r02)}}
EOF
cat >"$D/plans.json" <<'EOF'
{"name": "summit-plans", "inventory": "summit-fleet.json",
 "checks": {
   "db-02-answers": {"target": "db-02", "op": {"get": "/redfish/v1"}, "expect": {"status": 200}},
   "db-02-on": {"target": "db-02", "op": {"get": {"path": "/redfish/v1/Systems/1", "pointer": "/PowerState"}},
                "expect": {"equals": "On"}},
   "web-01-cpu-cool": {"target": "web-01",
                       "op": {"get": {"path": "/redfish/v1/Chassis/1/Thermal", "pointer": "/Temperatures/0/ReadingCelsius"}},
                       "expect": {"max": 85}}},
 "faults": [
   {"name": "db-02-bmc-lost", "at": "1m", "target": "db-02", "alarm": "unreachable",
    "action": {"reset": "ForceOff"}, "plan": "db-02-failover"},
   {"name": "web-01-overheat", "at": "2m", "target": "web-01", "alarm": "sensor",
    "action": {"reset": "ForceOff"}, "plan": "web-01-cooling"}],
 "plans": {
   "db-02-failover": {"rto": "2m", "steps": [
     {"name": "confirm BMC lost", "verify": ["db-02-answers"], "timeout": "10s"},
     {"name": "power cycle", "target": "db-02", "action": {"reset": "ForceRestart"},
      "verify": ["db-02-on"], "timeout": "90s"}]},
   "web-01-cooling": {"steps": [
     {"name": "check CPU temperature", "verify": ["web-01-cpu-cool"], "timeout": "10s"},
     {"name": "drain web-01", "target": "web-01", "action": {"reset": "GracefulShutdown"},
      "verify": ["web-01-cpu-cool"], "timeout": "60s"}]}}}
EOF
echo '{"sensor": {"hold": "0s"}, "unreachable": {"polls": 1}}' >"$D/rules.json"

tmux -S "$SOCK" new-session -d -x 160 -y 48 -s watch \
  "cd '$D' && BMC_CRED=admin:password '$ED' watch summit-fleet.json --plan plans.json \
   --rules rules.json --interval 1s --budget 20 --out '$D/out'; sleep 60"
sleep 3
ctl /down '{"bmc": 1}'
ctl /sensor '{"bmc": 2, "name": "CPU1 Temp", "value": 93}'
sleep 3
tmux -S "$SOCK" send-keys -t watch Down a
sleep 1
tmux -S "$SOCK" send-keys -t watch Up r
sleep 1.5
tmux -S "$SOCK" capture-pane -p -t watch >"$D/screen.txt"
# The colour of each line: the foreground in effect at its first visible
# character (tmux writes SGR codes only where the attributes change).
tmux -S "$SOCK" capture-pane -p -e -t watch | /usr/bin/python3 -c '
import re, sys
fg = 0
for line in sys.stdin:
    colour = None
    for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b\s])", line):
        if m.group(2):
            colour = fg
            break
        codes = [int(c) if c else 0 for c in m.group(1).split(";")]
        for c in codes:
            if c in (0, 39):
                fg = 0
            elif 30 <= c <= 37:
                fg = c
    print(colour or 0)
' >"$D/screen.sgr"
grep -q "CRITICAL" "$D/screen.txt" || {
  echo "the view shows no alarm:" >&2
  cat "$D/screen.txt" >&2
  exit 1
}

# Each line drawn in the colour the view gave it (its SGR codes in the
# capture with -e), the two bars in reverse.
args=(-size 1300x800 xc:'#1d1f21' -font DejaVu-Sans-Mono -pointsize 13)
y=16
exec 3<"$D/screen.sgr"
while IFS= read -r l || [ -n "$l" ]; do
  IFS= read -r sgr <&3 || sgr=

  # ImageMagick reads % and \ as escapes in text, and @ first as a file.
  t=${l:- }
  t=${t//\\/\\\\}
  t=${t//%/%%}
  [ "${t:0:1}" = "@" ] && t="\\$t"
  t=${t// /$'\xc2\xa0'} # a plain space at the start would be dropped
  fill='#c5c8c6'
  case "$sgr" in
  31) fill='#ef5350' ;;
  33) fill='#f0c674' ;;
  32) fill='#b5bd68' ;;
  esac
  case "$l" in
  " eventdrill watch"*) args+=(-fill '#8abeb7' -draw "rectangle 0,$((y - 12)) 1300,$((y + 4))"); fill='#1d1f21' ;;
  " DEVICES"* | " ALARMS"* | " PLAN"*) fill='#ffffff' ;;
  " up/down"*) args+=(-fill '#c5c8c6' -draw "rectangle 0,$((y - 12)) 1300,$((y + 4))"); fill='#1d1f21' ;;
  esac
  args+=(-fill "$fill" -annotate "+6+$y" "$t")
  y=$((y + 16))
done <"$D/screen.txt"
exec 3<&-
"$CONVERT" "${args[@]}" "$OUT"
echo "wrote $OUT"
