#!/usr/bin/env bash
# The wasm recorder's own cost per probe event on a real program (issue 12's
# goal: <= 5 ns above an empty wasm import): the instrumented SQLite workload
# of bench/realistic (run its setup.sh first) under node:wasi, its probes
# empty wasm functions, then its call probes the wasm recorder's
# (run-empty.mjs; no addon, no database), and the plain module; in turn,
# REPEAT rounds; median user+sys CPU seconds, and the difference per event
# (EVENTS: two per call, 73,477,171 calls at 200000 rows).
#   bench/node/floor.sh BUILD_DIR [REPEAT=9]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: floor.sh BUILD_DIR [REPEAT]}" && pwd)
repeat=${2:-9}
work=$here/../work/realistic
events=$((2 * 73477171))
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
wat2wasm --enable-all "$here/empty-probes.wat" -o "$scratch/empty.wasm"
TIMEFORMAT='%3U %3S'
run=(node --no-warnings "$here/run-empty.mjs" "$scratch/empty.wasm")
declare -A variants=([plain]="$work/sqlite-workload.wasm" [empty]="$work/sqlite-workload.inst.wasm"
                     [recorder]="--recorder $build/runtime-shim/node/wprof-recorder.wasm $work/sqlite-workload.inst.wasm")
for v in plain empty recorder; do : >"$scratch/$v"; done
for _ in $(seq "$repeat"); do
  for v in plain empty recorder; do
    t=$( { time "${run[@]}" ${variants[$v]} 200000 >/dev/null; } 2>&1 | tail -1)
    awk '{print $1 + $2}' <<<"$t" >>"$scratch/$v"
  done
done
median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
p=$(median "$scratch/plain") e=$(median "$scratch/empty") r=$(median "$scratch/recorder")
echo "plain $p s, empty probes $e s, wasm recorder $r s (medians of $repeat)"
awk -v p="$p" -v e="$e" -v r="$r" -v n="$events" 'BEGIN {
  printf "empty probe: %.2f ns an event above plain; the recorder: %.2f ns an event above the empty probe\n", (e - p) * 1e9 / n, (r - e) * 1e9 / n }'
