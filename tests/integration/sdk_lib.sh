# Helpers of the sdk_* integration tests (sourced after lib/common.sh).
DT="$ED_BIN/eventdrill-driver-test"
[ -x "$DT" ] || fail "eventdrill-driver-test is not built"
PLUGINS="$ED_BUILD/test-plugins"
DRIVERS="$ED_BUILD/lib/eventdrill/drivers"

# harness_run NAME ARGS...: run the harness, its report in $WORK/NAME.out
# (stdout and stderr); sets $status.
harness_run() {
  local name=$1; shift
  status=0
  "$DT" "$@" >"$WORK/$name.out" 2>&1 || status=$?
}

# harness_pass NAME ARGS...: the harness passes, and under valgrind (not in
# a sanitizer build: ASan checks it there) with no error and no leak.
harness_pass() {
  local name=$1; shift
  harness_run "$name" "$@"
  [ "$status" -eq 0 ] || { cat "$WORK/$name.out"; fail "$name: harness exited $status"; }
  grep -q "^PASS: 0 failures" "$WORK/$name.out" ||
    { cat "$WORK/$name.out"; fail "$name: no PASS line"; }
  if [ "${ED_SANITIZE:-OFF}" != ON ]; then
    command -v valgrind >/dev/null || fail "valgrind is not installed"
    status=0
    valgrind --quiet --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect \
      --suppressions="$ED_TESTS/../valgrind.supp" --log-file="$WORK/$name.vg" \
      "$DT" -n 5 "$@" >"$WORK/$name.vg.out" 2>&1 || status=$?
    [ "$status" -eq 0 ] ||
      { cat "$WORK/$name.vg.out" "$WORK/$name.vg"; fail "$name: under valgrind, exit $status"; }
  fi
  pass "$name: $(grep -c '^  ok' "$WORK/$name.out") checks passed"
}

# harness_fails NAME MESSAGE ARGS...: the harness exits 1 and its report
# has a FAIL line holding MESSAGE (a fixed string).
harness_fails() {
  local name=$1 msg=$2; shift 2
  harness_run "$name" "$@"
  [ "$status" -eq 1 ] || { cat "$WORK/$name.out"; fail "$name: exit $status, expected 1"; }
  grep "^  FAIL" "$WORK/$name.out" | grep -qF -- "$msg" ||
    { cat "$WORK/$name.out"; fail "$name: no FAIL line with: $msg"; }
  grep -q "^FAIL: " "$WORK/$name.out" || fail "$name: no FAIL summary line"
  pass "$name fails: $msg"
}
