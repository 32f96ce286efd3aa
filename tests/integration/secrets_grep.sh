# Secrets never leak. Two standalone eventdrill-sim BMCs, each with its own
# random password; a scenario reaches one with credentials from an
# environment variable (session auth) and the other from a file of mode 600
# (basic auth). Every output of the run (results folder: journal, summary,
# timeseries, scenario copy, plots...; stdout; stderr) is grepped for each
# secret, for "user:secret" and for its base64 (a Basic header): none may
# appear. Neither may they appear on the command line of eventdrill or of any
# child, sampled while it runs. A refused login (a wrong secret) does not
# print the wrong secret either. A credentials file of mode 644 is refused
# (exit 4; the message names the file and says chmod 600); a world-writable
# EVENTDRILL_PLUGIN_PATH directory is refused.
. "$(dirname "$0")/lib/common.sh"
SIMBIN="$ED_BIN/eventdrill-sim"
sims=()
cleanup_hooks+=('for p in "${sims[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done')

rand() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20; }
SECRET_ENV="edsecE-$(rand)"
SECRET_FILE="edsecF-$(rand)"
SECRET_WRONG="edsecW-$(rand)"
USER_NAME=drillop

port() { free_port; }

# sim_start PORT PASSWORD: one BMC on 127.0.0.1:PORT; the password travels
# in the environment, never on a command line.
sim_start() {
  local out="$WORK/sim-$1"
  SIM_PW="$2" "$SIMBIN" --mode ports --address 127.0.0.1 --port "$1" \
    --user "$USER_NAME" --password-env SIM_PW >"$out.out" 2>"$out.err" &
  sims+=($!)
  for _ in $(seq 200); do
    grep -q serving "$out.out" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "eventdrill-sim on port $1 did not start: $(cat "$out.err")"
}
PA=$(port)
PB=$(port)
sim_start "$PA" "$SECRET_ENV"
sim_start "$PB" "$SECRET_FILE"

export ED_SECRET_CREDS="$USER_NAME:$SECRET_ENV"
CREDS="$WORK/creds"
umask 077
printf '%s:%s\n' "$USER_NAME" "$SECRET_FILE" >"$CREDS"
chmod 600 "$CREDS"

# scenario NAME CREDS_A CREDS_B > file
scenario() {
  cat <<JSON
{ "name": "$1",
  "targets": {
    "a": { "driver": "redfish", "url": "http://127.0.0.1:$PA",
           "credentials": "$2", "rehearsal": true },
    "b": { "driver": "redfish", "url": "http://127.0.0.1:$PB", "auth": "basic",
           "credentials": "$3", "rehearsal": true } },
  "workloads": [
    { "name": "systems", "targets": ["a", "b"],
      "op": { "get": { "path": "/redfish/v1/Systems/{first}", "pointer": "/PowerState" } },
      "rate": [ { "constant": 10, "for": "2s" } ] },
    { "name": "sessions", "targets": ["a", "b"],
      "op": { "get": "/redfish/v1/SessionService/Sessions" },
      "rate": [ { "constant": 5, "for": "2s" } ] } ],
  "checks": {
    "a-on": { "target": "a", "op": { "get": { "path": "/redfish/v1/Systems/{first}", "pointer": "/PowerState" } },
              "expect": { "equals": "On" }, "mode": "before" } },
  "journal": { "requests": "all" } }
JSON
}

# watch_cmdlines PID OUT: until PID exits, append the command lines of PID
# and of its descendants to OUT.
watch_cmdlines() {
  local pid=$1 out=$2
  while kill -0 "$pid" 2>/dev/null; do
    local todo=("$pid") p
    while [ ${#todo[@]} -gt 0 ]; do
      p=${todo[0]}
      todo=("${todo[@]:1}")
      { tr '\0' ' ' <"/proc/$p/cmdline"; echo; } >>"$out" 2>/dev/null || true
      for t in /proc/"$p"/task/*/children; do
        for c in $(cat "$t" 2>/dev/null); do todo+=("$c"); done
      done
    done
    sleep 0.05
  done
}

# no_secret WHAT FILES...: none of the secret forms in any of FILES.
no_secret() {
  local what=$1; shift
  local s forms=()
  for s in "$SECRET_ENV" "$SECRET_FILE" "$SECRET_WRONG"; do
    forms+=("$s" "$USER_NAME:$s" "$(printf '%s:%s' "$USER_NAME" "$s" | base64 -w0)")
  done
  for s in "${forms[@]}"; do
    if grep -rlF -- "$s" "$@" >/dev/null 2>&1; then
      fail "$what: a secret ($s) in $(grep -rlF -- "$s" "$@" | tr '\n' ' ')"
    fi
  done
}

# 1. A run that succeeds.
scenario secrets-ok "env:ED_SECRET_CREDS" "file:$CREDS" >"$WORK/ok.json"
rc=0
"$EVENTDRILL" run "$WORK/ok.json" --json --out "$WORK/ok" \
  >"$WORK/ok.stdout" 2>"$WORK/ok.stderr" &
pid=$!
watch_cmdlines "$pid" "$WORK/ok.cmdlines"
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$WORK/ok.stderr" >&2; fail "run exited $rc"; }
$PY - "$WORK/ok/summary.json" <<'PYEOF' || fail "the run did not reach both BMCs"
import json, sys
s = json.load(open(sys.argv[1]))
for w in s["workloads"]:
    t = w["total"]
    assert t["ok"] == t["completed"] > 0, (w["name"], t)
PYEOF
[ -s "$WORK/ok.cmdlines" ] || fail "no command line sampled"
n=$(find "$WORK/ok" -type f | wc -l)
[ "$n" -ge 4 ] || fail "only $n files in the results folder"
no_secret "results of a run" "$WORK/ok"
no_secret "stdout and stderr of a run" "$WORK/ok.stdout" "$WORK/ok.stderr"
no_secret "command lines during a run" "$WORK/ok.cmdlines"
pass "no secret in $n result files, stdout, stderr, $(sort -u "$WORK/ok.cmdlines" | grep -c .) command lines"

# 2. A refused login: the wrong secret is not printed either.
export ED_SECRET_WRONG="$USER_NAME:$SECRET_WRONG"
scenario secrets-wrong "env:ED_SECRET_WRONG" "file:$CREDS" >"$WORK/wrong.json"
rc=0
"$EVENTDRILL" run "$WORK/wrong.json" --out "$WORK/wrong" \
  >"$WORK/wrong.stdout" 2>"$WORK/wrong.stderr" || rc=$?
[ "$rc" -eq 4 ] || { cat "$WORK/wrong.stderr" >&2; fail "wrong secret: exit $rc, expected 4"; }
grep -qi 'auth\|401\|login\|refused' "$WORK/wrong.stderr" ||
  fail "wrong secret: no reason given: $(cat "$WORK/wrong.stderr")"
outs=("$WORK/wrong.stdout" "$WORK/wrong.stderr")
[ -e "$WORK/wrong" ] && outs+=("$WORK/wrong")
no_secret "outputs of a refused login" "${outs[@]}"
pass "refused login (exit 4), no secret in its outputs"

# 3. A group/world-readable credentials file is refused, with the reason.
chmod 644 "$CREDS"
rc=0
"$EVENTDRILL" run "$WORK/ok.json" --out "$WORK/mode644" \
  >"$WORK/m.stdout" 2>"$WORK/m.stderr" || rc=$?
[ "$rc" -eq 4 ] || fail "mode 644: exit $rc, expected 4"
grep -qF "$CREDS" "$WORK/m.stderr" || fail "mode 644: the message does not name $CREDS: $(cat "$WORK/m.stderr")"
grep -qF "chmod 600" "$WORK/m.stderr" || fail "mode 644: no 'chmod 600' in: $(cat "$WORK/m.stderr")"
outs=("$WORK/m.stdout" "$WORK/m.stderr")
[ -e "$WORK/mode644" ] && outs+=("$WORK/mode644")
no_secret "outputs of a refused credentials file" "${outs[@]}"
chmod 600 "$CREDS"
pass "credentials file of mode 644 refused (exit 4, names the file, says chmod 600)"

# 4. A world-writable plugin directory is refused.
PD="$WORK/plugins"
mkdir -p "$PD"
cp "$ED_BUILD/lib/eventdrill/drivers/redfish.so" "$PD/"
chmod 755 "$PD/redfish.so"
chmod 0777 "$PD"
rc=0
EVENTDRILL_PLUGIN_PATH="$PD" "$EVENTDRILL" run "$WORK/ok.json" --out "$WORK/plug" \
  >"$WORK/p.stdout" 2>"$WORK/p.stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "world-writable plugin directory: the run went ahead"
grep -q "world-writable" "$WORK/p.stderr" ||
  fail "world-writable plugin directory: no reason given: $(cat "$WORK/p.stderr")"
# Said once, however many targets ask for the driver.
[ "$(grep -c "world-writable" "$WORK/p.stderr")" -eq 1 ] ||
  fail "the refusal is repeated: $(cat "$WORK/p.stderr")"
chmod 0755 "$PD"
rc=0
EVENTDRILL_PLUGIN_PATH="$PD" "$EVENTDRILL" plugins >"$WORK/p2.stdout" 2>"$WORK/p2.stderr" || rc=$?
[ "$rc" -eq 0 ] || fail "the same directory, mode 755, refused: $(cat "$WORK/p2.stderr")"
pass "world-writable EVENTDRILL_PLUGIN_PATH refused; accepted once chmod o-w"
