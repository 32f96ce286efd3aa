#!/usr/bin/env bash
# The core's folders depend one way: evidence/ (journal, results folder,
# summary, verdict model) sits below run/, report/ and the fleet's health
# (collect/, inspect/, watch/); run/ never includes a header of report/
# (main.c runs, then reports), the health folders never one of run/, and
# among them watch/ → inspect/ → collect/ → devices/, never back. Each rule
# is checked on the sources' #include lines. merge/ sits on evidence/ and
# report/, below nothing.
. "$(dirname "$0")/lib/common.sh"
core="$ED_SRC/core"
headers() { (cd "$core/$1" && ls ./*.h | sed 's|^\./||'); }
bad=0
forbid() { # forbid FROM TO: no file of core/FROM includes a header of core/TO
  local from=$1 to=$2 h
  [ -d "$core/$from" ] && [ -d "$core/$to" ] || fail "no core/$from or core/$to"
  for h in $(headers "$to"); do
    if grep -n "#include \"$h\"" "$core/$from"/*.[ch] >"$WORK/hit" 2>/dev/null; then
      sed "s|^|core/$from includes $to/$h: |" "$WORK/hit" >&2
      bad=1
    fi
  done
}
forbid run report
for h in collect inspect watch; do forbid "$h" run; done
forbid inspect watch
for up in inspect watch; do forbid collect "$up"; done
for up in collect inspect watch; do forbid devices "$up"; done
for up in run report collect inspect watch drill; do forbid evidence "$up"; done
# expose/ writes pages its owners fill: it knows none of them
for up in run report collect inspect watch drill evidence devices; do forbid expose "$up"; done
# coord/ (the channel between the shards of a drill) knows only base/: the
# runner drives it, never the other way
for up in scenario devices load expose evidence run drill report merge collect inspect watch engagement; do
  forbid coord "$up"
done
# engagement/ (the summary of an engagement) reads the evidence of every
# command: it sits on top, and nothing below includes it.
for low in evidence run drill report collect inspect watch; do forbid "$low" engagement; done
# merge/ (one results folder from a drill's shards) reads the evidence and
# the rebuild of report/: nothing else includes it, and it never runs a
# drill itself
for low in base scenario devices load expose evidence run drill report collect inspect watch engagement; do
  forbid "$low" merge
done
forbid merge run
[ "$bad" -eq 0 ] || fail "a core folder includes a header above or beside it"
# and the rules do bite: a header of report/ is known by name
headers report | grep -qx report.h || fail "the check does not see core/report"
headers collect | grep -qx collect.h || fail "the check does not see core/collect"
headers engagement | grep -qx engagement.h || fail "the check does not see core/engagement"
headers merge | grep -qx merge.h || fail "the check does not see core/merge"
headers coord | grep -qx coord.h || fail "the check does not see core/coord"
pass "core folders depend one way"
