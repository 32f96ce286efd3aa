#!/usr/bin/env bash
# --label names labels and values of the inventory: a name no device has is
# refused by `inspect` and by `watch` before any device is read (exit 2, no
# results folder), saying which name and the one meant ("did you mean"),
# or the names there are when none is close. A selector whose labels are
# each some device's but never together is said so. The right label still
# reads its devices (scenarios/lab-fleet.json: BMCs simulated in-process).
. "$(dirname "$0")/lib/common.sh"
FLEET="$ED_SRC/scenarios/lab-fleet.json"

# refused NAME WANT ARGS...: inspect and watch both exit 2 with WANT (a
# fixed string) in their message, and make no results folder
refused() {
  local name=$1 want=$2; shift 2
  for cmd in inspect watch; do
    local out=$WORK/$name-$cmd st=0
    timeout 60 "$EVENTDRILL" $cmd "$FLEET" --out "$out" "$@" \
      >"$out.out" 2>"$out.err" </dev/null || st=$?
    [ "$st" -eq 2 ] || { cat "$out.err" >&2; fail "$cmd $*: exit $st, expected 2"; }
    grep -qF -- "$want" "$out.err" ||
      { cat "$out.err" >&2; fail "$cmd $*: no \"$want\""; }
    [ ! -e "$out" ] || fail "$cmd $*: a results folder was made"
  done
  echo "ok: $* refused: $want"
}

refused key '--label rloe=db: no device has a label "rloe"; did you mean "role"?' \
  --label rloe=db
refused value '--label role=dbb: no device has the label role=dbb; did you mean "role=db"?' \
  --label role=dbb
refused list '--label role=printer: no device has the label role=printer; its values are: "db", "web", "cache"' \
  --label role=printer
refused keys '--label colour=red: no device has a label "colour"; the labels are: "site", "rack", "role"' \
  --label colour=red
refused second '--label role=db, rack=r33: no device has the label rack=r33; did you mean "rack=r3"?' \
  --label role=db --label rack=r33
refused together '--label role=db, rack=r2: no device has the labels role=db, rack=r2 together' \
  --label role=db --label rack=r2

# the right labels are accepted and select their devices
st=0
timeout 120 "$EVENTDRILL" inspect "$FLEET" --label role=db --label rack=r1 \
  --samples 1 --quiet --out "$WORK/ok" >"$WORK/ok.out" 2>"$WORK/ok.err" || st=$?
[ "$st" -le 1 ] || { cat "$WORK/ok.err" >&2; fail "inspect --label role=db: exit $st"; }
$PY - "$WORK/ok/inspection.json" <<'PYEOF' || fail "inspect --label role=db --label rack=r1"
import json, sys
x = json.load(open(sys.argv[1]))
names = sorted(d["name"] for d in x["devices"])
assert names == ["db-01", "db-02"], names
PYEOF
pass "--label names no device has are refused with the name meant"
