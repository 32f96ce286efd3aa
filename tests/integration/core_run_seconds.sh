#!/usr/bin/env bash
# The same run with a per-second journal: the histograms in the journal
# rebuild the summary's percentiles exactly.
. "$(dirname "$0")/lib/common.sh"
expect_status 0 "$EVENTDRILL" run "$SCEN/short-seconds.json" --quiet --out "$WORK/r"
grep -q '"ev":"req"' "$WORK/r/journal.jsonl" && fail "per-second journal has req events"
$PY "$ED_TESTS/lib/journal_check.py" "$WORK/r" || fail "summary and journal disagree"
pass "per-second run consistent with its journal"
