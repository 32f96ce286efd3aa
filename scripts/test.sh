#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the unit and
# integration tests in a normal build, the same again under AddressSanitizer
# and UndefinedBehaviorSanitizer, a Release build (its warnings too), and
# the unit tests under valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "== format (clang-format, .clang-format at the root)"
unformatted=$(git ls-files '*.c' '*.h' | while read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"
done)
if [ -n "$unformatted" ]; then
  echo "not formatted (run clang-format -i on them):"; echo "$unformatted"
  exit 1
fi

jobs=$(nproc)
echo "== build (RelWithDebInfo)"
bash scripts/build.sh build
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs" --timeout 900)

echo "== build (ASan + UBSan)"
bash scripts/build.sh build-asan -DED_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== tests under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 900)
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

echo "== build (Release: -O3's own warnings, with -Werror, as a packager builds)"
bash scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release

echo "== unit tests under valgrind"
(cd build && ctest -L unit -N | sed -n 's/^ *Test *#[0-9]*: unit\.//p') |
  while read -r t; do
    valgrind --quiet --error-exitcode=1 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect \
      "build/tests/unit/test_$t" >/dev/null 2>build/valgrind-$t.log ||
      { echo "valgrind: test_$t failed"; cat "build/valgrind-$t.log"; exit 1; }
    echo "valgrind: test_$t clean"
  done
echo "== fuzz (libFuzzer, bounded; a crash fails the run)"
ED_FUZZ_SECONDS=${ED_FUZZ_SECONDS:-20} bash scripts/fuzz.sh

echo "== all tests passed"
