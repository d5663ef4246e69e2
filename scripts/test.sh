#!/usr/bin/env bash
# Sets up (installs missing Debian packages), builds and runs the whole test
# suite twice: a normal build, then an AddressSanitizer+UBSan build (which
# skips the spec-suite runs: they exercise binaryen and V8 far more than our
# code, whose spec-suite coverage under ASan comes from tests/scan).
#   scripts/test.sh            both builds
#   WPROF_TEST_SANITIZE=0 scripts/test.sh   the normal build only
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$top/scripts/setup.sh" "$top/build"
ctest --test-dir "$top/build" --output-on-failure -j"$jobs"

if [ "${WPROF_TEST_SANITIZE:-1}" != 0 ]; then
  "$top/scripts/setup.sh" "$top/build-sanitize" -DWPROF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$top/build-sanitize" --output-on-failure -j"$jobs" -LE "spec|no-sanitize"
fi
