#!/usr/bin/env bash
# uftrace next to wprof on the same code (not a test):
#
#   bench/realistic/uftrace.sh BUILD_DIR [REPEAT=5] [N=35] [SMALL_N=30]
#
# Translates the PLAIN fib module of setup.sh (bench/run/fib.c) with wasm2c,
# compiles the C with cc -O2 -fno-inline, once plainly and once with -pg, and
# links each with w2c-main.c, wasm2c's runtime and our WASI (BUILD_DIR's
# libwprof_wasi.a). -fno-inline keeps one C call per wasm call, as in the
# module wprof instruments (at plain -O2 gcc inlines fib into itself and
# makes 10x fewer calls). Then, in REPEAT rounds, runs fib(N) natively and
# under `uftrace record`, and fib(SMALL_N) under both too, and prints the
# median wall and user+sys times, uftrace's call count (uftrace report) and
# its cost per traced call, both as (uftrace - native) / calls at N and as
# the slope between SMALL_N and N (which cancels uftrace's start-up cost).
# Needs the Debian package uftrace (0.13 in Debian 12).
set -euo pipefail
build=$(cd "${1:?usage: uftrace.sh BUILD_DIR [REPEAT] [N] [SMALL_N]}" && pwd)
repeat=${2:-5}
n=${3:-35}
small=${4:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "$here/.." && pwd)/work/realistic
rt=/usr/share/wabt/wasm2c
wasi_lib=$build/runtime-shim/wasi/libwprof_wasi.a
"$(dirname "$0")/../../scripts/ensure-packages.sh" uftrace
[ -f "$work/fib.wasm" ] || { echo "uftrace.sh: run setup.sh first" >&2; exit 1; }
[ -f "$wasi_lib" ] || { echo "uftrace.sh: $wasi_lib not found" >&2; exit 1; }
u=$(mktemp -d "$work/uftrace.XXXXXX")
trap 'rm -rf "$u"' EXIT
cd "$u"

wasm2c "$work/fib.wasm" -n fib -o fib-w2c.c
cflags=(-O2 -fno-inline -I"$rt")
cc "${cflags[@]}" -c fib-w2c.c -o fib.o
cc "${cflags[@]}" -pg -c fib-w2c.c -o fib-pg.o
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -DW2C_MODULE=fib -include fib-w2c.h \
  -I. -I"$rt" -I"$here/../../runtime-shim/wasi" -c "$here/w2c-main.c" -o main.o
cc -O2 -D_GNU_SOURCE -w -I"$rt" -c "$rt/wasm-rt-impl.c" -o rt.o
cc fib.o main.o rt.o "$wasi_lib" -lm -o fib-native
cc -pg fib-pg.o main.o rt.o "$wasi_lib" -lm -o fib-pg

TIMEFORMAT='%3R %3U %3S'
# timed LABEL COMMAND...: appends "LABEL wall cpu load" to times, checks stdout.
timed() {
  local label=$1 load
  shift
  load=$(cut -d' ' -f1 /proc/loadavg)
  { time "$@" >out.txt 2>err.txt; } 2>time.txt
  grep -q "^fib(" out.txt || { echo "uftrace.sh: $label: unexpected output" >&2; cat out.txt err.txt >&2; exit 1; }
  read -r wall user sys <time.txt
  echo "$label $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $load" >>times.txt
}
for round in $(seq 0 "$repeat"); do
  for k in "$n" "$small"; do
    rm -rf data
    timed "native-$k" ./fib-native "$k"
    timed "uftrace-$k" uftrace record -d data ./fib-pg "$k"
    [ "$round" = 0 ] && uftrace report -d data --no-pager -s call >"report-$k"
  done
  [ "$round" = 0 ] && : >times.txt # round 0 warms the caches and counts the calls
done
calls() { awk '$NF ~ /^w2c_/ { sum += $(NF - 1) } END { print sum }' "report-$1"; }
echo "uftrace $(uftrace --version | head -1 | cut -d' ' -f2); fib.wasm by wasm2c, cc -O2 -fno-inline (-pg for uftrace); median of $repeat"
awk -v n="$n" -v s="$small" -v cn="$(calls "$n")" -v cs="$(calls "$small")" '
  function median(list,   k, v, i, j, t) {
    k = split(list, v, " ")
    for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " $3; load[$1] = load[$1] " " $4 }
  END {
    print "| run | calls traced | wall s | CPU s | load |"
    print "|---|---|---|---|---|"
    split("native-" n " uftrace-" n " native-" s " uftrace-" s, labels, " ")
    for (i = 1; i <= 4; i++) {
      l = labels[i]; w[l] = median(wall[l]); c[l] = median(cpu[l])
      printf "| %s | %s | %.3f | %.3f | %s |\n", l, l ~ /^native/ ? "-" : (l ~ n "$" ? cn : cs), w[l], c[l], load[l]
    }
    printf "\nuftrace per traced call at fib(%s): %.0f ns wall, %.0f ns CPU\n", n, \
      (w["uftrace-" n] - w["native-" n]) * 1e9 / cn, (c["uftrace-" n] - c["native-" n]) * 1e9 / cn
    printf "uftrace per traced call, slope fib(%s)..fib(%s): %.0f ns wall, %.0f ns CPU\n", s, n, \
      ((w["uftrace-" n] - w["native-" n]) - (w["uftrace-" s] - w["native-" s])) * 1e9 / (cn - cs), \
      ((c["uftrace-" n] - c["native-" n]) - (c["uftrace-" s] - c["native-" s])) * 1e9 / (cn - cs)
  }' times.txt
