#!/usr/bin/env bash
# Two builds of wprof on the same run, alternating (not a test):
#
#   bench/realistic/ab.sh OLD_WPROF NEW_WPROF [REPEAT=9] [PROGRAM=sqlite] [-- RUN_FLAGS...]
#
# Runs `OLD_WPROF run RUN_FLAGS` and `NEW_WPROF run RUN_FLAGS` on PROGRAM's
# instrumented module of setup.sh (fib, sqlite or lz4, as in run.sh) in turn,
# REPEAT times after one warm-up run each, so that the machine's changes of
# speed weigh on both alike. Both use bench/work/realistic/cache, so a
# module translated by one is not compiled again for the other (the cache
# key holds wprof's version, not its build). Checks that both write the same
# stdout and the same call counts per path, and prints the median user+sys
# CPU time of each, the range of NEW/OLD within a pair, and the median of
# those ratios. How a change to the probes was judged on 2026-12-04.
set -euo pipefail
usage="usage: ab.sh OLD_WPROF NEW_WPROF [REPEAT] [PROGRAM] [-- RUN_FLAGS...]"
old=${1:?$usage}
new=${2:?$usage}
shift 2
repeat=9 prog=sqlite
if [ $# -gt 0 ] && [ "$1" != -- ]; then repeat=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != -- ]; then prog=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = -- ] && shift
flags=("$@")
work=$(cd "$(dirname "$0")/.." && pwd)/work/realistic
declare -A module=([fib]=fib [sqlite]=sqlite-workload [lz4]=lz4-workload)
declare -A args=([fib]=35 [sqlite]=200000 [lz4]=20)
name=${module[$prog]:-}
[ -n "$name" ] || { echo "ab: unknown program $prog (fib, sqlite, lz4)" >&2; exit 1; }
[ -f "$work/$name.inst.wasm" ] || { echo "ab: run setup.sh first" >&2; exit 1; }
export WPROF_CACHE_DIR=$work/cache
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
TIMEFORMAT='%3U %3S'

# one WHICH WPROF: runs it, prints its CPU seconds, keeps stdout and counts.
one() {
  local user sys
  # shellcheck disable=SC2086 # args are words
  { time "$2" run --engine wasm2c -q "${flags[@]}" -o "$scratch/$1.db" "$work/$name.inst.wasm" -- ${args[$prog]} >"$scratch/$1.out"; } 2>"$scratch/time"
  sqlite3 "$scratch/$1.db" 'SELECT id, calls FROM call_paths ORDER BY id' >"$scratch/$1.counts"
  rm -f "$scratch/$1.db"
  read -r user sys <"$scratch/time"
  awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }'
}
for round in $(seq 0 "$repeat"); do
  a=$(one old "$old")
  b=$(one new "$new")
  cmp -s "$scratch/old.out" "$scratch/new.out" || { echo "ab: stdout differs" >&2; exit 1; }
  cmp -s "$scratch/old.counts" "$scratch/new.counts" || { echo "ab: call counts differ" >&2; exit 1; }
  [ "$round" = 0 ] || echo "$a $b" >>"$scratch/pairs"
done
echo "$prog ${flags[*]}: $repeat pairs, user+sys CPU s; $(date -u +%Y-%m-%dT%H:%MZ)"
awk '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { a = a " " $1; b = b " " $2; r = $2 / $1; x = x " " r; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
  END { printf "old %.3f s, new %.3f s; new/old per pair %.3f-%.3f, median %.3f\n", median(a), median(b), lo, hi, median(x) }
' "$scratch/pairs"
