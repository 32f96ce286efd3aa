# Shared helpers of the integration tests (sourced).
set -euo pipefail
PY=/usr/bin/python3
EVENTDRILL="$ED_BIN/eventdrill"
SCEN="$ED_TESTS/scenarios"
WORK=$(mktemp -d /tmp/edtest.XXXXXX)
cleanup_hooks=()
cleanup() {
  for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
pass() { echo "PASS: $*"; }
# expect_status WANT CMD... : run CMD, fail unless its exit status is WANT.
expect_status() {
  local want=$1; shift
  local got=0
  "$@" || got=$?
  [ "$got" -eq "$want" ] || fail "$* exited $got, expected $want"
}
