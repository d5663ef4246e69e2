#!/bin/sh
# Fuzzes the whole wasm-instrument command with AFL++ (Debian package afl++).
# usage: fuzz/rewriter/run.sh [SECONDS] [extra afl-fuzz flags...]
#
# Builds wasm-instrument with afl-clang-fast in build-afl/ (our C code is
# instrumented; binaryen and the wasm-validate process it spawns are not, but
# run for real), then runs afl-fuzz for SECONDS (default 600) from the
# committed corpus (fuzz/rewriter/corpus/; if it is empty, from the seed pool
# of make-seeds.sh reduced by afl-cmin) with the wasm dictionary.
# Everything AFL writes goes to $WORK (default /tmp/wasm-instrument-afl); a
# crash of wasm-instrument itself (a signal, not a binaryen death, which the
# forked child turns into a refusal) lands in $WORK/out/default/crashes.
# Then: check-corpus.sh $WORK/out/default/queue  (invariants AFL cannot see)
#       update-corpus.sh $WORK                   (new committed corpus)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-600}
[ $# -gt 0 ] && shift
work=${WORK:-/tmp/wasm-instrument-afl}
build=$root/build-afl
mkdir -p "$work/target"

if [ ! -f "$build/CMakeCache.txt" ]; then
  "$root/scripts/ensure-packages.sh" afl++
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=afl-clang-fast >"$work/cmake.log"
fi
cmake --build "$build" --target wasm-instrument -j2 >"$work/build.log"

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_ALLOW_TMP=1
[ -t 1 ] || export AFL_NO_UI=1
target="$build/rewriter/wasm-instrument"

seeds=$here/corpus
if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
  rm -rf "$work/pool" "$work/seeds"
  "$here/make-seeds.sh" "$work/pool"
  afl-cmin -i "$work/pool" -o "$work/seeds" -t 5000 -m "${AFL_MEMORY_MB:-4096}" -- \
    "$target" @@ "$work/target/out.wasm"
  seeds=$work/seeds
fi
if [ -d "$work/out/default" ]; then
  export AFL_AUTORESUME=1
fi
# -m: a memory limit, not none. AFL kills only the process it started on a
# timeout; the forked binaryen child lives on, and on corrupt DWARF binaryen
# allocates without end (regressions/README.md): the limit ends such orphans.
afl-fuzz -i "$seeds" -o "$work/out" -x "$here/wasm.dict" -t 5000 -m "${AFL_MEMORY_MB:-4096}" \
  -V "$seconds" "$@" -- \
  "$target" @@ "$work/target/out.wasm"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs|stability)' \
  "$work/out/default/fuzzer_stats"
