#!/usr/bin/env bash
# Times `wasm-instrument in out` against binaryen's own read + validate +
# write of the same module (`wasm-opt in -o out -all -g`, no passes), on the
# modules of setup.sh. To show where the difference goes it also times the
# two halves of wasm-instrument: wabt's `wasm-validate` of the input alone
# (what wasm-instrument runs in parallel), and wasm-instrument with a
# wasm-validate that does nothing (first in PATH). The commands alternate,
# REPS times each per module, so they see the same machine load. CPU time
# (user + sys) counts the children too: wasm-instrument's forked binaryen
# child and its wasm-validate.
#
#   bench/rewriter/rewrite-time.sh [BUILD_DIR [REPS [MODULE...]]]
#     defaults: build, 5, synthetic ruby flite ruby-debug
#
# Writes every measurement to bench/work/rewrite-time.csv
# (module,tool,rep,wall_s,user_s,sys_s,max_rss_kb,load1) and prints, per
# module and tool, the medians and the ratios to wasm-opt.
# Exit status: 0, or 2 when a tool is missing or a command fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-"$top/build"}
reps=${2:-5}
shift 2 || shift $# || true
if [ $# -gt 0 ]; then modules=("$@"); else modules=(synthetic ruby flite ruby-debug); fi
instrument="$build/rewriter/wasm-instrument"
work="$top/bench/work"
csv="$work/rewrite-time.csv"

[ -x "$instrument" ] || { echo "rewrite-time: no $instrument (cmake --build $build --target wasm-instrument)" >&2; exit 2; }
"$(dirname "$0")/../../scripts/ensure-packages.sh" time
"$here/setup.sh"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir "$out/no-wabt"
printf '#!/bin/sh\nexit 0\n' >"$out/no-wabt/wasm-validate"
chmod +x "$out/no-wabt/wasm-validate"
tools=(wasm-instrument wasm-opt wasm-validate instrument-no-wabt)

# measure MODULE TOOL REP: runs one command, appends its CSV line.
measure() {
  local module=$1 tool=$2 rep=$3 in="$work/$1.wasm" load
  local -a cmd
  case $tool in
    wasm-instrument) cmd=("$instrument" -q "$in" "$out/out.wasm") ;;
    wasm-opt) cmd=(wasm-opt "$in" -o "$out/out.wasm" -all -g --quiet) ;;
    wasm-validate) cmd=(wasm-validate --enable-exceptions --enable-tail-call --enable-threads
                        --enable-extended-const "$in") ;; # the flags wasm-instrument passes
    instrument-no-wabt) cmd=(env "PATH=$out/no-wabt:$PATH" "$instrument" -q "$in" "$out/out.wasm") ;;
  esac
  load=$(cut -d' ' -f1 /proc/loadavg)
  if ! /usr/bin/time -o "$out/time" -f '%e,%U,%S,%M' "${cmd[@]}" 2>"$out/stderr"; then
    echo "rewrite-time: failed: ${cmd[*]}: $(head -c 300 "$out/stderr")" >&2
    exit 2
  fi
  echo "$module,$tool,$rep,$(tail -1 "$out/time"),$load" >>"$csv"
  rm -f "$out/out.wasm"
}

echo "module,tool,rep,wall_s,user_s,sys_s,max_rss_kb,load1" >"$csv"
for module in "${modules[@]}"; do
  for rep in $(seq 1 "$reps"); do
    for tool in "${tools[@]}"; do measure "$module" "$tool" "$rep"; done
  done
done

# Medians per module and tool, and the ratios.
awk -F, '
  NR == 1 { next }
  {
    key = $1 SUBSEP $2
    n[key]++
    wall[key, n[key]] = $4; cpu[key, n[key]] = $5 + $6; rss[key, n[key]] = $7; load[key, n[key]] = $8
    if (!($1 in seen)) { seen[$1] = 1; order[++modules] = $1 }
  }
  function median(arr, key, count,   i, j, v, t) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i]
    for (i = 2; i <= count; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    printf "%-10s %-18s %4s %9s %9s %10s %6s\n", "module", "tool", "reps", "wall_s", "cpu_s", "rss_MB", "load1"
    for (m = 1; m <= modules; m++) {
      mod = order[m]
      for (t = 0; t < 4; t++) {
        tool = t == 0 ? "wasm-instrument" : t == 1 ? "wasm-opt" : t == 2 ? "wasm-validate" : "instrument-no-wabt"
        key = mod SUBSEP tool
        w[t] = median(wall, key, n[key]); c[t] = median(cpu, key, n[key])
        printf "%-10s %-18s %4d %9.2f %9.2f %10.0f %6.2f\n", mod, tool, n[key], w[t], c[t],
               median(rss, key, n[key]) / 1024, median(load, key, n[key])
      }
      printf "%-10s %-18s %4s %8.2fx %8.2fx   (wasm-instrument / wasm-opt)\n", mod, "ratio", "", w[0] / w[1], c[0] / c[1]
      printf "%-10s %-18s %4s %8.2fx %8.2fx   (instrument-no-wabt / wasm-opt)\n", mod, "ratio without wabt", "", w[3] / w[1], c[3] / c[1]
    }
  }' "$csv"
echo "(medians; cpu = user + sys including children; load1 = 1-minute load average at start; raw: $csv)"
