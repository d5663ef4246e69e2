#!/usr/bin/env bash
# ns per allocation event in libwprof's heap probes, on SQLite's own
# allocations (not a test):
#
#   bench/libwprof/alloc-replay.sh BUILD_DIR
#
# Needs bench/realistic/setup.sh BUILD_DIR first. Instruments the SQLite
# workload with call probes on `main` only (so --trace keeps every allocation
# event: 870,203 of them), records it, dumps alloc_events to
# bench/work/libwprof/sqlite-allocs.txt, and replays them three times through
# wprof_probe_alloc/free/realloc in one process (wprof_bench_probes). The first
# replay of a process pays for the kernel's first huge pages; read all three.
set -euo pipefail
build=$(cd "${1:?usage: alloc-replay.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "$here/.." && pwd)/work
module=$work/realistic/sqlite-workload.wasm
[ -f "$module" ] || { echo "alloc-replay: $module missing: run bench/realistic/setup.sh $build first" >&2; exit 1; }
mkdir -p "$work/libwprof"
events=$work/libwprof/sqlite-allocs.txt
if [ ! -s "$events" ]; then
  "$build/rewriter/wasm-instrument" -q --include main "$module" "$work/libwprof/sqlite-allocs.wasm"
  WPROF_CACHE_DIR=$work/realistic/cache "$build/cli/wprof" run -q --trace -o "$work/libwprof/sqlite-allocs.db" \
    "$work/libwprof/sqlite-allocs.wasm" -- 200000 >/dev/null
  lost=$(sqlite3 "$work/libwprof/sqlite-allocs.db" 'SELECT lost_events FROM run')
  [ "$lost" = 0 ] || { echo "alloc-replay: the trace lost $lost events" >&2; exit 1; }
  sqlite3 -separator ' ' "$work/libwprof/sqlite-allocs.db" \
    'SELECT kind, ptr, coalesce(old_ptr, 0), size FROM alloc_events ORDER BY id' >"$events"
fi
"$build/runtime-shim/libwprof/bench/wprof_bench_probes" "$work/libwprof" 0 "$events"
