#!/usr/bin/env bash
# What the Node engine costs on real programs (issue 12): the SQLite and lz4
# workloads of bench/realistic (run its setup.sh first), plain and
# instrumented, each under `wprof run --engine node` (the plain module runs
# with no probe; the instrumented one counting only with the wasm recorder's
# probes, the default, and with the addon's, WPROF_NODE_PROBES=addon, and
# with sampled time) and, for comparison, under wasm2c; in turn, REPEAT
# rounds after a warm-up; median user+sys CPU seconds.
#   [PROGRAMS="lz4-workload"] bench/node/overhead.sh BUILD_DIR [REPEAT=5]
set -euo pipefail
build=$(cd "${1:?usage: overhead.sh BUILD_DIR [REPEAT]}" && pwd)
repeat=${2:-5}
wprof=$build/cli/wprof
work=$(cd "$(dirname "$0")/.." && pwd)/work/realistic
export WPROF_CACHE_DIR=$work/cache
declare -A args=([sqlite-workload]=200000 [lz4-workload]=20)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
TIMEFORMAT='%3U %3S'

cpu() { # ENGINE MODULE ARGS TIMING [PROBES]: user+sys seconds of one run
  local t
  t=$( { time WPROF_NODE_PROBES=${5:-} "$wprof" run -q --engine "$1" --timing "$4" -o "$scratch/x.db" "$2" -- $3 >/dev/null; } 2>&1 | tail -1)
  awk '{print $1 + $2}' <<<"$t"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

variants=("node wasm none" "node inst.wasm none" "node inst.wasm none addon" "node inst.wasm sampled" "wasm2c wasm none" "wasm2c inst.wasm none")
printf '%-16s' program; for v in "${variants[@]}"; do printf ' %26s' "${v// /:}"; done; echo
for name in ${PROGRAMS:-sqlite-workload lz4-workload}; do
  for v in "${variants[@]}"; do read -r e m t p <<<"$v"; cpu "$e" "$work/$name.$m" "${args[$name]}" "$t" "$p" >/dev/null; done
  for i in "${!variants[@]}"; do : >"$scratch/v$i"; done
  for _ in $(seq "$repeat"); do
    for i in "${!variants[@]}"; do read -r e m t p <<<"${variants[$i]}"; cpu "$e" "$work/$name.$m" "${args[$name]}" "$t" "$p" >>"$scratch/v$i"; done
  done
  printf '%-16s' "$name"; for i in "${!variants[@]}"; do printf ' %26s' "$(median <"$scratch/v$i")"; done; echo
done
