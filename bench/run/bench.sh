#!/usr/bin/env bash
# Overhead of `wprof run` on a call-heavy program (fib), not a test:
#   bench/run/bench.sh BUILD_DIR [N=32] [REPEAT=5]
# Runs fib.wasm plain (no probes: the baseline, same wasm2c host) and
# instrumented with timing, without timing (--no-timing) and with --trace;
# prints the best wall time of REPEAT runs of each (the compile is cached
# by a warm-up run first) and the cost per probe event, i.e.
# (instrumented - plain) / (enter + exit events).
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR [N] [REPEAT]}
n=${2:-32}
repeat=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
wprof=$build/cli/wprof
instrument=$build/rewriter/wasm-instrument
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WPROF_CACHE_DIR=${WPROF_CACHE_DIR:-$work/cache}

clang --target=wasm32-wasi -O2 "$here/fib.c" -o "$work/fib.wasm"
"$instrument" -q "$work/fib.wasm" "$work/fib.i.wasm"

# best wall time in ns of REPEAT runs of: wprof run ARGS...
best_ns() {
  local best=0 t0 t1
  "$wprof" run -q -o "$work/warm.db" "$@" > /dev/null # warm-up: fills the cache
  for _ in $(seq "$repeat"); do
    t0=$(date +%s%N)
    "$wprof" run -q -o "$work/b.db" "$@" > /dev/null
    t1=$(date +%s%N)
    if [ "$best" = 0 ] || [ $((t1 - t0)) -lt "$best" ]; then best=$((t1 - t0)); fi
  done
  echo "$best"
}

plain=$(best_ns "$work/fib.wasm" "$n")
timed=$(best_ns "$work/fib.i.wasm" "$n")
calls=$(sqlite3 "$work/b.db" 'SELECT total_calls FROM run')
clock=$(sqlite3 "$work/b.db" 'SELECT clock FROM run')
untimed=$(best_ns --no-timing "$work/fib.i.wasm" "$n")
traced=$(best_ns --trace "$work/fib.i.wasm" "$n")

events=$((2 * calls))
report() { # label ns
  awk -v l="$1" -v t="$2" -v p="$plain" -v e="$events" 'BEGIN {
    printf "%-28s %9.1f ms  x%5.2f  %6.2f ns/event\n", l, t / 1e6, t / p, (t - p) / e }'
}
echo "fib($n): $calls calls, $events probe events; clock: $clock; best of $repeat"
awk -v p="$plain" 'BEGIN { printf "%-28s %9.1f ms\n", "plain (no probes)", p / 1e6 }'
report "instrumented, timing" "$timed"
report "instrumented, --no-timing" "$untimed"
report "instrumented, --trace" "$traced"
