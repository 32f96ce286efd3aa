#!/usr/bin/env bash
# The manual page and the bash completion: installed where man and
# bash-completion look, the page renders without a warning and names every
# command and every run option the program's help lists, and the completion
# offers commands, options and values read from that help.
. "$(dirname "$0")/lib/common.sh"
cmake --install "$ED_BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log"; fail "cmake --install"; }
PAGE="$WORK/prefix/share/man/man1/eventdrill.1"
COMP="$WORK/prefix/share/bash-completion/completions/eventdrill"
[ -f "$PAGE" ] || fail "no manual page installed"
[ -f "$COMP" ] || fail "no bash completion installed"
groff -man -Tutf8 -ww -z "$PAGE" 2>"$WORK/groff.err" || fail "groff failed"
[ ! -s "$WORK/groff.err" ] || { cat "$WORK/groff.err"; fail "groff warns on the page"; }
MANPAGER=cat man -l "$PAGE" >"$WORK/page.txt" 2>/dev/null || fail "man -l cannot show the page"
grep -q 'rehearse and verify emergency plans' "$WORK/page.txt" || fail "the page lacks its name line"
# Every command and run option of the help is in the page.
cmds=$("$EVENTDRILL" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -ge 10 ] || fail "the help lists too few commands: $cmds"
for c in $cmds; do
  grep -q "^\.B[I]* \"\?$c\b" "$PAGE" || fail "the page does not describe the command $c"
done
for o in $("$EVENTDRILL" run --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
  grep -q -- "$esc" "$PAGE" || fail "the page does not describe run $o"
done
pass "man page installed, clean, and in step with the help"

# Completion, as bash calls it.
complete_words() { # complete_words WORD... : what TAB offers for the last
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _eventdrill
  printf '%s\n' "${COMPREPLY[@]}"
}
# shellcheck source=/dev/null
. "$COMP"
cd "$WORK" && touch drill.json notes.txt && mkdir -p results
[ "$(complete_words "$EVENTDRILL" reh)" = rehearse ] || fail "reh does not complete to rehearse"
complete_words "$EVENTDRILL" run --js | grep -qx -- --json || fail "run --js does not offer --json"
complete_words "$EVENTDRILL" report --no | grep -qx -- --no-plots || fail "report --no does not offer --no-plots"
[ "$(complete_words "$EVENTDRILL" --color a)" = "$(printf 'auto\nalways')" ] ||
  fail "--color a offers $(complete_words "$EVENTDRILL" --color a)"
got=$(complete_words "$EVENTDRILL" rehearse "")
echo "$got" | grep -qx drill.json || fail "rehearse does not offer scenario files: $got"
! echo "$got" | grep -qx notes.txt || fail "rehearse offers a file that is not JSON"
complete_words "$EVENTDRILL" --color never inspect --co | grep -qx -- --concurrency ||
  fail "options after --color are not completed"
pass "bash completion: commands, options and values from the help"
