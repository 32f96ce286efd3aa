#!/usr/bin/env bash
# Results folders in shared places, under umask 000: symlinks and hard links
# planted for every output name (and plots/ itself) are replaced, never
# written through — every file outside the folder keeps its bytes —, files
# get their modes (0640 journal, 0644 the rest) whatever the umask, and
# report, compare and recover refuse a folder its group or others can write.
. "$(dirname "$0")/lib/common.sh"
umask 000
OUT="$WORK/outside"
mkdir -p "$OUT/pdir"
for i in $(seq 40); do echo "precious $i" >"$OUT/victim$i"; done
for f in seconds.dat latency.gp latency.svg latency.png gnuplot.log; do
  echo "precious $f" >"$OUT/pdir/$f"
done
chmod -R go-w "$OUT"
outside_sum() { (cd "$OUT" && find . -type f -print0 | sort -z | xargs -0 sha256sum; ls -la pdir | awk '{print $1, $9}'); }
BEFORE=$(outside_sum)
outside_same() {
  [ "$(outside_sum)" = "$BEFORE" ] || { diff <(echo "$BEFORE") <(outside_sum); fail "$1: a file outside the results folder changed"; }
}

cat >"$WORK/planted.json" <<'JSON'
{ "name": "planted",
  "targets": { "bmc": { "driver": "redfish", "rehearsal": true,
                        "sim": { "knobs": { "latency": { "min": "1ms", "max": "3ms" } } } } },
  "journal": { "requests": "all" },
  "workloads": [ { "name": "poll", "targets": ["bmc"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "name": "steady", "constant": 20, "for": "2s" } ] } ] }
JSON
OUTPUTS="summary.json summary.rebuilt.json timeseries.csv report.md report.html junit.xml"

# Modes: the journal 0640, everything else 0644 (folders 0755), under umask 000.
check_modes() {
  local d=$1 bad
  [ "$(stat -c %a "$d/journal.jsonl")" = 640 ] || fail "$d/journal.jsonl has mode $(stat -c %a "$d/journal.jsonl")"
  bad=$(find "$d" -type f ! -name journal.jsonl ! -perm 644 -printf '%m %p\n')
  [ -z "$bad" ] || fail "files not of mode 0644 under umask 000: $bad"
  bad=$(find "$d" -type d ! -perm 755 -printf '%m %p\n')
  [ -z "$bad" ] || fail "folders not of mode 0755: $bad"
  bad=$(find "$d" \( -type l -o -type f -links +1 \) -printf '%p\n')
  [ -z "$bad" ] || fail "links left in place of outputs: $bad"
}

# ---- a fresh run: the modes ------------------------------------------------
expect_status 0 "$EVENTDRILL" run "$WORK/planted.json" --plain --out "$WORK/a" \
  --junit "$WORK/a/junit.xml" >"$WORK/a.out" 2>&1
ls "$WORK/a/plots/"*.svg >/dev/null 2>&1 || fail "no plots drawn (is gnuplot installed?)"
check_modes "$WORK/a"

# ---- a planted journal: the run refuses it ---------------------------------
mkdir -m 755 "$WORK/j1" "$WORK/j2"
ln -s "$OUT/victim1" "$WORK/j1/journal.jsonl"
ln "$OUT/victim2" "$WORK/j2/journal.jsonl"
for d in j1 j2; do
  status=0
  "$EVENTDRILL" run "$WORK/planted.json" --plain --out "$WORK/$d" >"$WORK/$d.out" 2>&1 || status=$?
  [ "$status" = 4 ] || { cat "$WORK/$d.out"; fail "a planted journal.jsonl: exit $status, expected 4"; }
  grep -q "cannot create $WORK/$d/journal.jsonl: File exists" "$WORK/$d.out" ||
    { cat "$WORK/$d.out"; fail "no clear error for a planted journal"; }
done
outside_same "run into a folder with a planted journal"

# ---- every other output planted in an existing --out folder ---------------
# plant DIR: symlinks for half the names, hard links for the others, into
# files outside; plots/ is a symlink to a folder outside.
n=2
plant() { # plant DIR NAMES...
  local d=$1 kind=s f
  shift
  for f in "$@"; do
    n=$((n + 1))
    rm -f "$d/$f"
    if [ $kind = s ]; then ln -s "$OUT/victim$n" "$d/$f"; kind=h; else ln "$OUT/victim$n" "$d/$f"; kind=s; fi
  done
}
mkdir -m 755 "$WORK/b"
# shellcheck disable=SC2086
plant "$WORK/b" $OUTPUTS scenario-planted.json
ln -s "$OUT/pdir" "$WORK/b/plots"
expect_status 0 "$EVENTDRILL" run "$WORK/planted.json" --plain --out "$WORK/b" \
  --junit "$WORK/b/junit.xml" >"$WORK/b.out" 2>&1
outside_same "run into a folder with planted outputs"
for f in $OUTPUTS; do
  [ -f "$WORK/b/$f" ] && [ ! -L "$WORK/b/$f" ] && [ "$(stat -c %h "$WORK/b/$f")" = 1 ] ||
    fail "$WORK/b/$f is not a new file of its own"
  grep -q precious "$WORK/b/$f" && fail "$WORK/b/$f still holds the planted file"
done
[ -d "$WORK/b/plots" ] && [ ! -L "$WORK/b/plots" ] || fail "plots/ is still the planted link"
# The planted scenario copy is left alone (the copy is created O_EXCL) and
# the run says so; recover would refuse it (its sha256 is not the run's).
grep -q "cannot copy the scenario" "$WORK/b.out" || fail "the planted scenario copy went unnoticed"
rm "$WORK/b/scenario-planted.json"
check_modes "$WORK/b"

# ---- report over planted outputs and plots ---------------------------------
# What report writes (it reads summary.json and timeseries.csv, never
# writes them).
plant "$WORK/a" summary.rebuilt.json report.md report.html junit.xml
for f in "$WORK/a/plots/"*; do
  n=$((n + 1))
  rm -f "$f"
  if [ $((n % 2)) = 0 ]; then ln -s "$OUT/victim$n" "$f"; else ln "$OUT/victim$n" "$f"; fi
done
expect_status 0 "$EVENTDRILL" report "$WORK/a" --junit "$WORK/a/junit.xml" >"$WORK/rep.out" 2>&1
outside_same "report over planted outputs"
check_modes "$WORK/a"

# ---- compare: its outputs planted too --------------------------------------
mkdir -m 755 "$WORK/c" "$WORK/c/plots"
ln -s "$OUT/victim39" "$WORK/c/compare.md"
ln "$OUT/victim40" "$WORK/c/plots/compare-latency.dat"
expect_status 0 "$EVENTDRILL" compare "$WORK/a" "$WORK/b" --out "$WORK/c" >"$WORK/cmp.out" 2>&1
outside_same "compare over planted outputs"
[ ! -L "$WORK/c/compare.md" ] && grep -q '^# Compare' "$WORK/c/compare.md" || fail "compare.md was not replaced"

# ---- a folder others can write to is refused ---------------------------------
for mode in 775 757 1777 1770; do
  chmod "$mode" "$WORK/a"
  for cmd in "report $WORK/a" "compare $WORK/a $WORK/b --out $WORK/c" "recover $WORK/a --yes"; do
    status=0
    # shellcheck disable=SC2086
    "$EVENTDRILL" $cmd >"$WORK/refuse.out" 2>&1 || status=$?
    [ "$status" = 4 ] || { cat "$WORK/refuse.out"; fail "$cmd with mode $mode: exit $status, expected 4"; }
    grep -q "refusing the results folder $WORK/a: writable by" "$WORK/refuse.out" ||
      { cat "$WORK/refuse.out"; fail "$cmd with mode $mode: no clear refusal"; }
  done
done
chmod 755 "$WORK/a"
expect_status 0 "$EVENTDRILL" report "$WORK/a" >"$WORK/rep2.out" 2>&1
outside_same "the end"
pass "planted links replaced, never written through; modes kept; shared folders refused"
