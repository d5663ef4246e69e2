#!/usr/bin/env bash
# What `wasm-instrument --cost` costs (issue 11's goal: <= 1.25x over the
# module instrumented without it). For fib, sqlite and lz4 of setup.sh, runs
# the plain module, the instrumented one and the one instrumented with
# --cost under `wprof run --no-timing`, in turn, REPEAT rounds after a
# warm-up, so that the machine's drifts of speed weigh on all three alike,
# and prints the median user+sys CPU seconds of each and the ratios.
#
#   bench/realistic/cost.sh BUILD_DIR [REPEAT=5]
set -euo pipefail
build=$(cd "${1:?usage: cost.sh BUILD_DIR [REPEAT]}" && pwd)
repeat=${2:-5}
wprof=$build/cli/wprof
work=$(cd "$(dirname "$0")/.." && pwd)/work/realistic
export WPROF_CACHE_DIR=$work/cache
declare -A args=([fib]=35 [sqlite-workload]=200000 [lz4-workload]=20)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
TIMEFORMAT='%3U %3S'

cpu() { # MODULE ARGS: user+sys seconds of one run
  local t
  t=$( { time "$wprof" run --engine wasm2c -q --no-timing -o "$scratch/x.db" "$1" -- $2 >/dev/null; } 2>&1 | tail -1)
  awk '{print $1 + $2}' <<<"$t"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

printf '%-16s %8s %8s %8s %10s %10s %12s\n' program plain probes cost cost/probes cost/plain instructions
for name in fib sqlite-workload lz4-workload; do
  for v in wasm inst.wasm cost.wasm; do cpu "$work/$name.$v" "${args[$name]}" >/dev/null; done # warm-up, cache
  : >"$scratch/plain"; : >"$scratch/inst"; : >"$scratch/cost"
  for _ in $(seq "$repeat"); do
    cpu "$work/$name.wasm" "${args[$name]}" >>"$scratch/plain"
    cpu "$work/$name.inst.wasm" "${args[$name]}" >>"$scratch/inst"
    cpu "$work/$name.cost.wasm" "${args[$name]}" >>"$scratch/cost"
  done
  p=$(median <"$scratch/plain") i=$(median <"$scratch/inst") c=$(median <"$scratch/cost")
  n=$(sqlite3 "$scratch/x.db" 'SELECT instructions FROM run')
  printf '%-16s %8s %8s %8s %10.3f %10.3f %12s\n' "$name" "$p" "$i" "$c" "$(echo "$c / $i" | bc -l)" \
    "$(echo "$c / $p" | bc -l)" "$n"
done
