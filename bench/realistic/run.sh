#!/usr/bin/env bash
# Overhead of `wprof run` on real third-party C code (not a test):
#
#   bench/realistic/run.sh BUILD_DIR [REPEAT=5] [PROGRAM...]
#
# PROGRAM: fib (fib(35): 30 M calls; fib(30) runs in 10 ms, too short to time), sqlite (sqlite-workload, 200k rows), lz4
# (lz4-workload, 20 MB); default all three. Needs setup.sh BUILD_DIR first.
#
# For each program, runs under `wprof run` the plain module (no probes: the
# baseline on the same engine, wasm2c + cc -O2) and the instrumented one with
# timing, with --no-timing and with --trace, and for sqlite the module instrumented with
# --no-alloc (call probes only), with and without timing. A first run of each variant fills the compile
# cache (bench/work/realistic/cache, or a fresh one with COLD=1 to time the
# translation and compilation) and is timed on its own; then REPEAT rounds
# each run every variant once, in turn, so that the load of this shared
# machine weighs on all variants alike. Every run's stdout must equal the
# plain module's. Prints, per variant, the medians of wall time, user+sys CPU
# time and the guest's own duration (run.duration_ns: without loading the
# module and writing the database), their ratios to plain, the cost per probe
# event, (variant - plain) / (2 x calls), and for --trace the rows written
# per second of extra time, calls / (trace - plain), the rows actually
# written (calls - lost_events) per second, and lost_events. Raw
# measurements go to bench/work/realistic/results.csv (appended).
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [REPEAT] [PROGRAM...]}" && pwd)
repeat=${2:-5}
shift $(($# < 2 ? $# : 2))
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(fib sqlite lz4)
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "$here/.." && pwd)/work/realistic
wprof=$build/cli/wprof
[ -x "$wprof" ] || { echo "run: $wprof not found" >&2; exit 1; }
scratch=$(mktemp -d "$work/run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
if [ "${COLD:-0}" = 1 ]; then export WPROF_CACHE_DIR=$scratch/cache; else export WPROF_CACHE_DIR=$work/cache; fi
csv=$work/results.csv
[ -f "$csv" ] || echo "date,program,variant,round,wall_s,user_s,sys_s,guest_ns,calls,lost_events,load1" >"$csv"
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
TIMEFORMAT='%3R %3U %3S'

# module, guest arguments and variants of each program
declare -A module=([fib]=fib [sqlite]=sqlite-workload [lz4]=lz4-workload)
declare -A args=([fib]=35 [sqlite]=200000 [lz4]=20)
declare -A variants=([fib]="plain timing no-timing trace"
  [sqlite]="plain timing no-timing trace no-alloc no-alloc-no-timing"
  [lz4]="plain timing no-timing trace")

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(uname -r)"
echo "wprof: $build; cache: $WPROF_CACHE_DIR; $repeat rounds; $stamp"
cc -O2 -std=c11 "$here/clock-read.c" -o "$scratch/clock-read"
"$scratch/clock-read" 20000000
echo

# one PROGRAM VARIANT ROUND: runs it once, checks its stdout, appends a CSV row.
one() {
  local prog=$1 variant=$2 round=$3 file=$work/${module[$1]}.inst.wasm flags=()
  case $variant in
    plain) file=$work/${module[$prog]}.wasm ;;
    no-timing) flags=(--no-timing) ;;
    trace) flags=(--trace) ;;
    no-alloc) file=$work/${module[$prog]}.noalloc.wasm ;;
    no-alloc-no-timing) file=$work/${module[$prog]}.noalloc.wasm flags=(--no-timing) ;;
  esac
  [ -f "$file" ] || { echo "run: $file missing: run setup.sh first" >&2; exit 1; }
  local load db=$scratch/$prog-$variant.db
  load=$(cut -d' ' -f1 /proc/loadavg)
  # bash's time: wall, user and sys of wprof and its children, in ms
  # shellcheck disable=SC2086 # args are words
  { time "$wprof" run --engine wasm2c -q -o "$db" "${flags[@]}" "$file" -- ${args[$prog]} >"$scratch/out" 2>"$scratch/err"; } 2>"$scratch/time"
  if [ -s "$scratch/err" ]; then echo "run: $prog $variant wrote on stderr:" >&2; cat "$scratch/err" >&2; exit 1; fi
  if [ "$variant" = plain ] && [ ! -f "$scratch/$prog.expected" ]; then cp "$scratch/out" "$scratch/$prog.expected"; fi
  if ! cmp -s "$scratch/out" "$scratch/$prog.expected"; then
    echo "run: $prog $variant: stdout differs from the plain module's:" >&2
    diff "$scratch/$prog.expected" "$scratch/out" >&2 || true
    exit 1
  fi
  local wall user sys row
  read -r wall user sys <"$scratch/time"
  row=$(sqlite3 -separator , "$db" 'SELECT duration_ns, total_calls, lost_events FROM run')
  echo "$stamp,$prog,$variant,$round,$wall,$user,$sys,$row,$load" >>"$csv"
  rm -f "$db"
}

for prog in "${programs[@]}"; do
  [ -n "${module[$prog]:-}" ] || { echo "run: unknown program $prog (fib, sqlite, lz4)" >&2; exit 1; }
  for variant in ${variants[$prog]}; do one "$prog" "$variant" 0; done
  for round in $(seq "$repeat"); do
    for variant in ${variants[$prog]}; do one "$prog" "$variant" "$round"; done
  done
  echo "$prog: stdout identical in all $((repeat + 1)) runs of: ${variants[$prog]}"
done
echo

# The tables, from this run's rows of the CSV.
awk -F, -v stamp="$stamp" '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  $1 != stamp { next }
  $4 == 0 { first[$2, $3] = $5 " s wall, " $6 + $7 " s CPU"; next }
  {
    key = $2 SUBSEP $3
    if (!(key in wall)) { order[++nkeys] = key }
    wall[key] = wall[key] " " $5; cpu[key] = cpu[key] " " ($6 + $7); guest[key] = guest[key] " " $8 / 1e9
    calls[key] = $9; if ($10 > lost[key]) lost[key] = $10
    if (!(key in lmin) || $11 < lmin[key]) lmin[key] = $11
    if ($11 > lmax[key]) lmax[key] = $11
  }
  END {
    print "| program | variant | wall s | x | CPU s | x | guest s | x | ns/event wall | ns/event CPU | ns/event guest | calls | lost | load |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for (k = 1; k <= nkeys; k++) {
      split(order[k], pv, SUBSEP); p = pv[1]
      w = median(wall[order[k]]); c = median(cpu[order[k]]); g = median(guest[order[k]])
      if (pv[2] == "plain") { pw[p] = w; pc[p] = c; pg[p] = g }
      ev = 2 * calls[order[k]]
      # --no-timing records no duration: its guest time is unknown
      gs = pv[2] ~ /no-timing/ ? "| n/a | n/a " : sprintf("| %.3f | %.2f ", g, g / pg[p])
      per = pv[2] == "plain" || ev == 0 ? "| | | " : sprintf("| %.1f | %.1f | %s ", (w - pw[p]) * 1e9 / ev, \
        (c - pc[p]) * 1e9 / ev, pv[2] ~ /no-timing/ ? "n/a" : sprintf("%.1f", (g - pg[p]) * 1e9 / ev))
      printf "| %s | %s | %.3f | %.2f | %.3f | %.2f %s%s| %d | %d | %s-%s |\n", p, pv[2], w, w / pw[p], c, c / pc[p], \
        gs, per, calls[order[k]], lost[order[k]], lmin[order[k]], lmax[order[k]]
      if (pv[2] == "trace")
        trace_lines = trace_lines sprintf("%s --trace: %d of %d calls rows written (lost_events %d); per second of extra time: %.2f M calls, %.2f M rows written (wall), %.2f M calls, %.2f M rows (CPU)\n", \
          p, calls[order[k]] - lost[order[k]], calls[order[k]], lost[order[k]], calls[order[k]] / (w - pw[p]) / 1e6, \
          (calls[order[k]] - lost[order[k]]) / (w - pw[p]) / 1e6, calls[order[k]] / (c - pc[p]) / 1e6, (calls[order[k]] - lost[order[k]]) / (c - pc[p]) / 1e6)
    }
    printf "\n%s", trace_lines
    print "\nfirst runs (compile, or cache hit):"
    for (f in first) { split(f, fv, SUBSEP); print "  " fv[1] " " fv[2] ": " first[f] }
  }' "$csv"
