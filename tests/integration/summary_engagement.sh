#!/usr/bin/env bash
# A small engagement built with the simulator, then its summary: an
# inspection finds a critical power supply, the fix is planted through the
# control channel, a second inspection; two rehearsals of
# scenarios/bmc-power-loss.json (the second with a tight RTO), a verify,
# and a watch (in tmux) during which an alarm is raised, acknowledged with
# an operator and a note, and cleared. `eventdrill summary` says the PSU
# risk was fixed, shows both RTOs and their trend, the verification, the
# alarm's times and who acknowledged it, and derived suggestions; each
# figure equals the one of its folder's own report, each SHA-256 the one
# of its evidence file. A folder removed makes it exit 1 naming it; with
# --allow-gaps the report shows the gap. An invalid engagement file exits
# 2 with file:line:col.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/watch_lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (Debian package tmux)"
sim_start 3
write_files
cd "$WORK"
E=$WORK/engagement
mkdir -p "$E"
PSU='{"bmc": 0, "path": "/redfish/v1/Chassis/1/Power", "pointer": "/PowerSupplies/1/Status/Health"'

# ---- before the event -----------------------------------------------------
curl -sS -f -d "$PSU, \"value\": \"Critical\"}" "$CONTROL/patch" >/dev/null ||
  fail "control /patch (plant the failed PSU)"
expect_status 1 "$EVENTDRILL" inspect fleet.json --out "$E/inspect-1" \
  >"$WORK/i1.out" 2>&1
grep -q '"rule": "psu-failed"' "$E/inspect-1/inspection.json" ||
  fail "the first inspection did not find the PSU: $(cat "$WORK/i1.out")"
curl -sS -f -d "$PSU, \"value\": \"OK\"}" "$CONTROL/patch" >/dev/null ||
  fail "control /patch (the fix)"
i2=0
"$EVENTDRILL" inspect fleet.json --out "$E/inspect-2" >"$WORK/i2.out" 2>&1 || i2=$?
[ "$i2" -le 1 ] || fail "second inspection exited $i2: $(cat "$WORK/i2.out")"
grep -q '"rule": "psu-failed"' "$E/inspect-2/inspection.json" &&
  fail "the PSU is still failed after the fix"
pass "inspections: the PSU found, fixed, not found again"

# Two rehearsals of the same plan, the second with a target it cannot meet.
$PY - "$ED_SRC/scenarios/bmc-power-loss.json" >"$WORK/tight.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["plans"]["power-restore"]["rto"] = "2s"
print(json.dumps(s, indent=1))
PYEOF
expect_status 0 "$EVENTDRILL" rehearse "$ED_SRC/scenarios/bmc-power-loss.json" \
  --quiet --out "$E/rehearse-1" 2>"$WORK/r1.err"
expect_status 1 "$EVENTDRILL" rehearse "$WORK/tight.json" --quiet \
  --out "$E/rehearse-2" 2>"$WORK/r2.err"
expect_status 0 "$EVENTDRILL" verify "$ED_SRC/scenarios/bmc-power-loss.json" \
  --quiet --out "$E/verify-1" 2>"$WORK/v1.err"
pass "two rehearsals (the second over its RTO target) and a verify"

# ---- during the event: a watch, an alarm acknowledged with a note ----------
TMUX_SOCK=$WORK/tmux.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
cleanup_hooks+=("tm kill-server 2>/dev/null")
tm new-session -d -x 160 -y 48 -s watch \
  "BMC_CRED=$BMC_CRED '$EVENTDRILL' watch fleet.json --plan plan.json \
   --rules rules.json --interval 500ms --budget 40 --operator alice \
   --out '$E/watch-1'; echo \$? >'$WORK/exit'; sleep 30"
screen() { tm capture-pane -p -t watch; }
wait_screen() {
  for _ in $(seq 1 $((${2:-10} * 20))); do
    screen | grep -Eq -- "$1" && return 0
    [ -f "$WORK/exit" ] && break
    sleep 0.05
  done
  screen >&2
  fail "the screen never showed /$1/"
}
wait_screen 'no alarm raised'
ctl /down '{"bmc": 1}'
wait_screen 'CRITICAL +1 +bmc-b +unreachable'
tm send-keys -t watch A
wait_screen 'note for alarm 1'
tm send-keys -t watch -l 'BMC reset by hand'
tm send-keys -t watch Enter
wait_screen 'CRITICAL +1 +bmc-b +unreachable +[0-9]+s +yes'
ctl /up '{"bmc": 1}'
for _ in $(seq 1 200); do
  grep -q '"ev":"alarm_clear"' "$E/watch-1/journal.jsonl" && break
  sleep 0.05
done
grep -q '"ev":"alarm_clear"' "$E/watch-1/journal.jsonl" || fail "the alarm never cleared"
tm send-keys -t watch q
for _ in $(seq 1 200); do [ -f "$WORK/exit" ] && break; sleep 0.05; done
[ "$(cat "$WORK/exit" 2>/dev/null)" = 0 ] || fail "the watch did not end cleanly"
grep -q '"ev":"alarm_ack".*"operator":"alice","note":"BMC reset by hand"' \
  "$E/watch-1/journal.jsonl" || fail "the ack does not record who and why: \
$(grep alarm_ack "$E/watch-1/journal.jsonl")"
grep -q '| alice: BMC reset by hand |' "$E/watch-1/report.md" ||
  fail "the watch report does not show who acknowledged"
pass "watch: alarm raised, acknowledged by alice with a note, cleared"

# ---- the summary ------------------------------------------------------------
today=$(date -u +%F)
cat >"$E/engagement.json" <<EOF
{
  "name": "lab-event",
  "title": "Lab key event support",
  "fleet": "lab-fleet",
  "window": {"from": "$(date -u -d '-7 days' +%F)", "to": "$(date -u -d '+7 days' +%F)"},
  "event": {"from": "$today", "to": "$today"},
  "sites": ["hall-a", "hall-b"],
  "folders": [
    {"path": "inspect-1", "role": "inspection"},
    {"path": "inspect-2", "role": "inspection"},
    {"path": "rehearse-1", "role": "rehearsal"},
    {"path": "rehearse-2", "role": "rehearsal"},
    {"path": "verify-1", "role": "verification"},
    {"path": "watch-1", "role": "duty"}
  ]
}
EOF
expect_status 0 "$EVENTDRILL" summary "$E/engagement.json" >"$WORK/s.out" 2>"$WORK/s.err"
grep -q "summary: $E/summary/summary.md" "$WORK/s.out" || fail "$(cat "$WORK/s.out")"
[ -s "$E/summary/summary.html" ] || fail "no summary.html"
grep -q '<style' "$E/summary/summary.html" || fail "summary.html is not self-contained"
$PY - "$E" <<'PYEOF' || fail "the summary's figures"
import hashlib, json, re, sys
e = sys.argv[1]
md = open(e + "/summary/summary.md").read()
def rows(text, first):
    return [[c.strip() for c in l.strip().strip("|").split("|")]
            for l in text.splitlines() if l.startswith("| " + first + " ")]
# Before the event: the PSU of bmc-a fixed.
fixed = [r for r in rows(md, "fixed") if r[2] == "bmc-a" and r[3] == "psu-failed"]
assert fixed and fixed[0][1] == "critical", rows(md, "fixed")
assert not [r for r in rows(md, "still open") if r[3] == "psu-failed"], md
# The plans: each RTO as its rehearsal's own report shows it.
def rto_of(folder):
    rep = open(e + "/" + folder + "/report.md").read()
    r = [x for x in rows(rep, "bmc2-power-loss") if len(x) == 7][0]
    return r[4], r[5], r[6]
plan_rows = rows(md, "power-restore")
reh = [r for r in plan_rows if len(r) == 6]
assert len(reh) == 2, plan_rows
for r, folder, label in zip(reh, ["rehearse-1", "rehearse-2"], ["R1", "R2"]):
    assert r[2].startswith(label + " "), r
    assert (r[3], r[4], r[5]) == rto_of(folder), (r, rto_of(folder))
assert reh[0][5] == "yes" and reh[1][5] == "NO", reh
m = re.search(r"trend of power-restore \(bmc2-power-loss\): ([0-9.]+) s → ([0-9.]+) s: (rose|fell|held)", md)
assert m and m.group(1) + " s" == reh[0][3] and m.group(2) + " s" == reh[1][3], m
ver = [r for r in plan_rows if len(r) == 4]
assert ver and ver[0][1].startswith("V1 ") and ver[0][2] == "yes" and ver[0][3] == "passed", ver
# During the event: the alarm as the watch report shows it.
wrep = open(e + "/watch-1/report.md").read()
w = [r for r in rows(wrep, "1") if r[2] == "bmc-b"][0]
a = [r for r in rows(md, "D1") if len(r) == 10 and r[1] == "1"]
assert a, rows(md, "D1")
a = a[0]
assert a[3] == "bmc-b" and a[4] == "unreachable" and a[5] == "critical", a
assert (a[6], a[7], a[8]) == (w[6], w[7], w[8]), (a, w)
assert a[7] == "alice: BMC reset by hand", a
assert a[9] == "bmc-b-restore (fault bmc-b-bmc-down)", a
# KPIs per device: the watch report's figures.
for dev in ("bmc-a", "bmc-b", "bmc-c"):
    k = [r for r in rows(wrep, dev) if len(r) == 9][0]
    s = [r for r in rows(md, "D1") if len(r) == 8 and r[1] == dev][0]
    assert (s[3], s[4], s[5], s[6], s[7]) == (k[2], k[3], k[4], k[5], k[8]), (s, k)
# Headline and suggestions.
head = {r[0]: r[1] for r in (l.strip().strip("|").split("|") for l in md.splitlines()
        if l.startswith("| Was ") or l.startswith("| Were ") or l.startswith("| Did "))}
head = {k.strip(): v.strip() for k, v in head.items()}
assert head["Were the emergency plans proven?"] == "no", head
assert head["Did service hold during the event?"] == "yes", head
sugg = [l for l in md.splitlines() if l.startswith("- derived: ")]
assert any("did not recover within its RTO target" in l for l in sugg), sugg
assert "nothing stood out" not in md
# Appendix: every SHA-256 is that of the folder's evidence file.
app = {r[0]: r for r in (l.strip().strip("|").split("|") for l in md.splitlines()
       if re.match(r"\| [IRVD][0-9] \|", l))}
app = {k.strip(): [c.strip() for c in v] for k, v in app.items()}
want = {"I1": "inspect-1/inspection.json", "I2": "inspect-2/inspection.json",
        "R1": "rehearse-1/journal.jsonl", "R2": "rehearse-2/journal.jsonl",
        "V1": "verify-1/journal.jsonl", "D1": "watch-1/journal.jsonl"}
for label, f in want.items():
    h = hashlib.sha256(open(e + "/" + f, "rb").read()).hexdigest()
    assert app[label][3] == "ok" and app[label][6] == h, (label, app[label], h)
assert "scenario bmc-power-loss, SHA-256 " in app["R1"][7], app["R1"]
print("PSU fixed; RTOs %s and %s; alarm acked after %s by %s; %d suggestions" %
      (reh[0][3], reh[1][3], a[6], a[7], len(sugg)))
PYEOF
pass "summary: every figure equals its folder's own report"

# ---- nothing silently missing --------------------------------------------
mv "$E/rehearse-1" "$WORK/rehearse-1.moved"
expect_status 1 "$EVENTDRILL" summary "$E/engagement.json" --out "$WORK/gap" \
  >/dev/null 2>"$WORK/gap.err"
grep -q "rehearse-1 (absent): no such folder" "$WORK/gap.err" ||
  fail "the missing folder is not named: $(cat "$WORK/gap.err")"
expect_status 0 "$EVENTDRILL" summary "$E/engagement.json" --allow-gaps \
  --out "$WORK/gap" >/dev/null 2>&1
grep -q "GAP: R1 rehearse-1 (rehearsal) is absent" "$WORK/gap/summary.md" ||
  fail "the report does not show the gap"
grep -q "| R1 | rehearsal | rehearse-1 | absent: no such folder |" "$WORK/gap/summary.md" ||
  fail "the appendix does not list the absent folder"
pass "a removed folder: exit 1 naming it; --allow-gaps shows the gap"

# ---- an invalid engagement file ------------------------------------------
cat >"$WORK/bad.json" <<'EOF'
{
  "name": "x",
  "titel": "y",
  "window": {"from": "2026-02-30", "to": "2026-03-01"},
  "event": {"from": "2026-03-01", "to": "2026-03-01"},
  "folders": [{"path": "a", "role": "rehersal"}]
}
EOF
expect_status 2 "$EVENTDRILL" summary "$WORK/bad.json" 2>"$WORK/bad.err"
for want in 'bad.json:3:3: titel: unknown key "titel" (did you mean "title"?)' \
  'bad.json:4:22: window.from: "2026-02-30" is not a date' \
  'bad.json:6:37: folders\[0\].role: unknown role "rehersal" (did you mean "rehearsal"?)' \
  'bad.json:1:1: missing "title"'; do
  grep -q -- "$want" "$WORK/bad.err" || fail "no /$want/ in: $(cat "$WORK/bad.err")"
done
pass "an invalid engagement file: exit 2, every error with file:line:col"
