#!/usr/bin/env bash
# The floor under any probe recorder, next to `wprof run` (not a test):
#
#   bench/realistic/probe-floor.sh BUILD_DIR [REPEAT=5] [PROGRAM=sqlite]
#
# PROGRAM: sqlite, lz4 or fib, as in run.sh (needs setup.sh BUILD_DIR first).
# Translates the plain and the instrumented module with wasm2c and compiles
# each, as `wprof run` does (cc -O2 -fPIC, a shared object whose probe calls go
# through the PLT into the executable), into a native program around
# w2c-main.c, our WASI and wasm2c's runtime. The instrumented one is linked
# four times with probe-floor.c at FLOOR_LEVEL 0 (imported calls that do
# nothing), 1 (a counter per function), 2 (a shadow stack besides) and
# 3 (a TSC read per event and inclusive time besides). Then REPEAT rounds
# each run, in turn: the plain and the four floor programs, and `wprof run`
# on the plain module, with timing and with --no-timing. Prints the median
# user+sys CPU time of each, its ratio to the plain run of the same host
# (floor programs to the native plain program, `wprof run` to `wprof run` of
# the plain module), the lowest and highest of the ratios within one round,
# and the cost per probe event, (variant - plain) /
# (2 x calls). Every run's stdout must equal the plain one's, and level 1's
# call count (on stderr) must equal the calls `wprof run` records.
set -euo pipefail
build=$(cd "${1:?usage: probe-floor.sh BUILD_DIR [REPEAT] [PROGRAM]}" && pwd)
repeat=${2:-5}
prog=${3:-sqlite}
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "$here/.." && pwd)/work/realistic
rt=/usr/share/wabt/wasm2c
wasi_lib=$build/runtime-shim/wasi/libwprof_wasi.a
wprof=$build/cli/wprof
declare -A module=([fib]=fib [sqlite]=sqlite-workload [lz4]=lz4-workload)
declare -A args=([fib]=35 [sqlite]=200000 [lz4]=20)
name=${module[$prog]:-}
[ -n "$name" ] || { echo "probe-floor: unknown program $prog (fib, sqlite, lz4)" >&2; exit 1; }
[ -f "$work/$name.inst.wasm" ] || { echo "probe-floor: run setup.sh first" >&2; exit 1; }
if [ ! -f "$wasi_lib" ] || [ ! -x "$wprof" ]; then echo "probe-floor: build $build first" >&2; exit 1; fi
export WPROF_CACHE_DIR=$work/cache

# Native programs, kept in bench/work/realistic/floor-PROGRAM (the
# translation and compilation of sqlite take about a minute each).
out=$work/floor-$prog
mkdir -p "$out"
cd "$out"
cc -O2 -D_GNU_SOURCE -w -I"$rt" -c "$rt/wasm-rt-impl.c" -o rt.o
for kind in plain inst; do
  file=$work/$name.wasm
  [ $kind = inst ] && file=$work/$name.inst.wasm
  if [ ! -f "lib$kind.so" ] || [ "$file" -nt "lib$kind.so" ]; then
    echo "probe-floor: translating and compiling $(basename "$file")" >&2
    wasm2c "$file" -n m -o "$kind.c"
    cc -O2 -fPIC -shared -w -I"$rt" "$kind.c" -o "lib$kind.so"
  fi
  probes=()
  [ $kind = inst ] && probes=(-DW2C_PROBES)
  cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -DW2C_MODULE=m -include "$kind.h" "${probes[@]}" \
    -I. -I"$rt" -I"$here/../../runtime-shim/wasi" -c "$here/w2c-main.c" -o "main-$kind.o"
done
link() { cc "$@" rt.o "$wasi_lib" -L. -Wl,-rpath,"$out" -lm; }
link main-plain.o -lplain -o floor-plain
for level in 0 1 2 3; do
  cc -O2 -std=c11 -Wall -Wextra -Werror -DFLOOR_LEVEL=$level -I"$rt" -c "$here/probe-floor.c" -o "probes-$level.o"
  link main-inst.o "probes-$level.o" -linst -o "floor-$level"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
TIMEFORMAT='%3U %3S'
# timed LABEL COMMAND...: appends "LABEL cpu" to times, checks stdout.
timed() {
  local label=$1 user sys
  shift
  # shellcheck disable=SC2086 # args are words
  { time "$@" ${args[$prog]} >"$scratch/out" 2>"$scratch/err"; } 2>"$scratch/time"
  [ -f "$scratch/expected" ] || cp "$scratch/out" "$scratch/expected"
  cmp -s "$scratch/out" "$scratch/expected" || { echo "probe-floor: $label: stdout differs" >&2; exit 1; }
  read -r user sys <"$scratch/time"
  echo "$label $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" >>"$scratch/times"
}
for round in $(seq 0 "$repeat"); do
  timed native-plain ./floor-plain
  for level in 0 1 2 3; do timed "floor-$level" "./floor-$level"; done
  floor_calls=$(grep -o '^probe-floor: [0-9]* calls' "$scratch/err" | cut -d' ' -f2) # level 3's count
  timed wprof-plain "$wprof" run --engine wasm2c -q -o "$scratch/plain.db" "$work/$name.wasm" --
  timed wprof-timing "$wprof" run --engine wasm2c -q -o "$scratch/timing.db" "$work/$name.inst.wasm" --
  timed wprof-no-timing "$wprof" run --engine wasm2c -q --no-timing -o "$scratch/counts.db" "$work/$name.inst.wasm" --
  calls=$(sqlite3 "$scratch/counts.db" 'SELECT total_calls FROM run')
  [ "$calls" = "$floor_calls" ] || { echo "probe-floor: floor counted $floor_calls calls, wprof $calls" >&2; exit 1; }
  rm -f "$scratch"/*.db
  [ "$round" = 0 ] && : >"$scratch/times" # round 0 warms the caches
done

echo "$prog: $calls calls; probe-floor.sh, $repeat rounds, median user+sys CPU s; $(date -u +%Y-%m-%dT%H:%MZ)"
awk -v calls="$calls" '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    if (!($1 in cpu)) order[++n] = $1
    cpu[$1] = cpu[$1] " " $2; round = ++runs[$1]; at[$1, round] = $2
  }
  END {
    what["native-plain"] = "plain module, native host"
    what["floor-0"] = "probes that return at once"
    what["floor-1"] = "+ a counter per function"
    what["floor-2"] = "+ a shadow stack"
    what["floor-3"] = "+ a TSC read per event, inclusive time"
    what["wprof-plain"] = "`wprof run`, plain module"
    what["wprof-timing"] = "`wprof run`"
    what["wprof-no-timing"] = "`wprof run --no-timing`"
    print "| run | what | CPU s | x | x per round | ns/event |"
    print "|---|---|---|---|---|---|"
    for (k = 1; k <= n; k++) {
      l = order[k]; c = median(cpu[l])
      base = l ~ /^wprof/ ? "wprof-plain" : "native-plain"
      b = median(cpu[base])
      per = l == base ? "" : sprintf("%.1f", (c - b) * 1e9 / (2 * calls))
      lo = hi = at[l, 1] / at[base, 1]
      for (r = 2; r <= runs[l]; r++) {
        x = at[l, r] / at[base, r]
        if (x < lo) lo = x
        if (x > hi) hi = x
      }
      printf "| %s | %s | %.3f | %.2f | %.2f–%.2f | %s |\n", l, what[l], c, c / b, lo, hi, per
    }
  }' "$scratch/times"
