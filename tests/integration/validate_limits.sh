#!/usr/bin/env bash
# `eventdrill validate` on hostile files, each run with bounded memory
# (prlimit --as; under the sanitizers, which reserve terabytes of address
# space, the peak resident size measured by /usr/bin/time instead): nested
# counted repeats in a pattern, 20,000 targets referenced with typos, a file
# over the size limit, one nested too deep, one with too many values and one
# with too many rate segments. Each must be refused (exit 2) with its own
# error, within a time bound generous enough for a loaded machine.
. "$(dirname "$0")/lib/common.sh"
command -v prlimit >/dev/null || fail "prlimit (util-linux) is needed"
[ -x /usr/bin/time ] || fail "/usr/bin/time (Debian's time) is needed"
AS_MB=512        # address space for a plain build
RSS_MB=1024      # peak resident size under the sanitizers
LIMIT_S=120      # each run, on a busy 2-core machine with sanitizers

# refused NAME FILE MESSAGE...: validate FILE bounded; exit 2, every MESSAGE
# (a fixed string) in its errors.
refused() {
  local name=$1 file=$2 rc=0 t0 t1
  shift 2
  t0=$(date +%s%N)
  if [ "${ED_SANITIZE:-OFF}" = ON ]; then
    timeout "$LIMIT_S" /usr/bin/time -f %M -o "$WORK/$name.rss" \
      "$EVENTDRILL" validate "$file" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  else
    timeout "$LIMIT_S" prlimit --as=$((AS_MB * 1024 * 1024)) \
      "$EVENTDRILL" validate "$file" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  fi
  t1=$(date +%s%N)
  [ "$rc" -ne 124 ] || fail "$name: still running after ${LIMIT_S}s"
  [ "$rc" -eq 2 ] || { tail -5 "$WORK/$name.err"; fail "$name: exit $rc, expected 2"; }
  if [ -f "$WORK/$name.rss" ]; then
    local rss_kb
    rss_kb=$(tail -1 "$WORK/$name.rss")
    [ "$rss_kb" -le $((RSS_MB * 1024)) ] || fail "$name: peak RSS ${rss_kb} KB over ${RSS_MB} MB"
  fi
  for m in "$@"; do
    grep -qF -- "$m" "$WORK/$name.err" || { head -5 "$WORK/$name.err"; fail "$name: no \"$m\""; }
  done
  echo "$name: refused in $(((t1 - t0) / 1000000)) ms"
}

head='{ "name": "limits",
  "targets": { "bmc1": { "driver": "redfish", "sim": {} } },
  "workloads": [ { "name": "w", "targets": ["bmc1"], "op": { "get": "/redfish/v1" },
                   "rate": [ { "constant": 1, "for": "1s" } ] } ]'

# 1. Patterns whose expansion took gigabytes with regcomp.
cat >"$WORK/pattern.json" <<EOF2
$head,
  "checks": {
    "c3": { "target": "bmc1", "op": { "get": "/redfish/v1" },
            "expect": { "match": "((a{1,255}){1,255}){1,255}" } },
    "c4": { "target": "bmc1", "op": { "get": "/redfish/v1" },
            "expect": { "match": "(((a{1,255}){1,255}){1,255}){1,255}" } } } }
EOF2
refused pattern "$WORK/pattern.json" \
  "pattern.json:7:34: checks.c3.expect.match: invalid regular expression \"((a{1,255}){1,255}){1,255}\": too large once compiled" \
  "pattern.json:9:34: checks.c4.expect.match: invalid regular expression" \
  "pattern.json: 2 errors"

# 2. 20,000 targets, every reference misspelled (two letters swapped).
$PY - "$WORK/fleet.json" <<'PYEOF'
import json, sys
n = 20000
doc = {"name": "fleet",
       "targets": {"bmc-%05d" % i: {"driver": "redfish", "url": "https://127.0.0.1:8443"}
                   for i in range(n)},
       "workloads": [{"name": "poll", "targets": ["bcm-%05d" % i for i in range(n)],
                      "op": {"get": "/redfish/v1"},
                      "rate": [{"constant": 1, "for": "10s"}]}]}
json.dump(doc, open(sys.argv[1], "w"), indent=1)
PYEOF
refused fleet "$WORK/fleet.json" \
  'workloads[0].targets[0]: undefined target "bcm-00000" (did you mean "bmc-00000"?)' \
  'workloads[0].targets[12345]: undefined target "bcm-12345" (did you mean "bmc-12345"?)' \
  'workloads[0].targets[19999]: undefined target "bcm-19999" (did you mean "bmc-19999"?)' \
  "fleet.json: 20000 errors"

# 3. Over the size limit: refused before it is read.
{
  printf '%s, "description": "' "$head"
  head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' x
  printf '" }\n'
} >"$WORK/big.json"
refused big "$WORK/big.json" "big.json: the file is $(stat -c %s "$WORK/big.json") bytes, over the limit of 16 MiB"

# 4. Nested too deep (100,000 levels; jansson alone would parse 2,048):
# the error points at the 32nd bracket of the description, the 33rd level.
{
  printf '%s, "description": ' "$head"
  head -c 100000 /dev/zero | tr '\0' '['
  head -c 100000 /dev/zero | tr '\0' ']'
  printf ' }\n'
} >"$WORK/deep.json"
refused deep "$WORK/deep.json" "deep.json:4:114: nested 100001 levels deep, more than the limit of 32 levels"

# 5. Too many values.
{
  printf '%s, "description": [0' "$head"
  head -c 1100000 /dev/zero | sed 's/\x0/,0/g'
  printf '] }\n'
} >"$WORK/values.json"
refused values "$WORK/values.json" "more than the limit of 1000000 values"

# 6. A count limit: 1,001 rate segments in one workload.
$PY - "$WORK/segments.json" <<'PYEOF'
import json, sys
doc = {"name": "segments", "targets": {"bmc1": {"driver": "redfish", "sim": {}}},
       "workloads": [{"name": "w", "targets": ["bmc1"], "op": {"get": "/redfish/v1"},
                      "rate": [{"constant": 1, "for": "1s"}] * 1001}]}
json.dump(doc, open(sys.argv[1], "w"))
PYEOF
refused segments "$WORK/segments.json" "workloads[0].rate: 1001 rate segments, more than the limit of 1000"

pass "validate limits"
