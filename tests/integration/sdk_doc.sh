#!/usr/bin/env bash
# docs/writing-a-driver.md is a third party's guide: it starts with the
# out-of-tree route, every eventdrill identifier it names (ed_*, ED_*) is
# declared in the installed SDK headers, and it points to no file of the
# source tree that is not installed (tests/, core/).
. "$(dirname "$0")/lib/common.sh"
DOC="$ED_SRC/docs/writing-a-driver.md"
first=$(grep -m1 '^## ' "$DOC")
[ "$first" = "## Out of tree, step by step" ] || fail "the doc starts with \"$first\""
n=0
for id in $(grep -o '\b[eE][dD]_[A-Za-z0-9_]*' "$DOC" | sort -u); do
  grep -qw -- "$id" "$ED_SRC"/plugins/eventdrill/*.h ||
    fail "the doc names $id, which the SDK headers do not declare"
  n=$((n + 1))
done
[ "$n" -gt 10 ] || fail "only $n SDK identifiers found in the doc"
! grep -nE '(tests|core)/[a-z_]+(/|\.c|\.h)' "$DOC" ||
  fail "the doc points into the source tree's tests/ or core/"
pass "the doc starts out of tree and names $n SDK identifiers, all declared"
