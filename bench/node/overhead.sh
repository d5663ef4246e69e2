#!/usr/bin/env bash
# What the Node engine costs on real programs (issue 12): the SQLite and lz4
# workloads of bench/realistic (run its setup.sh first), plain and
# instrumented, each under `wprof run --engine node` (the plain module runs
# with no probe; the instrumented one counting only and with sampled time,
# on the wasm recorder's probes, the default, and on the addon's,
# WPROF_NODE_PROBES=addon), the instrumented one under node:wasi with its
# probes empty wasm functions (run-empty.mjs: the floor under any recorder
# in wasm) and, for comparison, both under wasm2c; in turn, REPEAT rounds
# after a warm-up; median user+sys CPU seconds. A run that Node 20 ends in
# SIGSEGV as the process exits (the lz4 modules, docs/limitations.md) is
# counted, with a note on stderr. The empty probes are not timed on lz4:
# Node 20 aborts (SIGABRT) in about half of those runs, before the output.
#   [PROGRAMS="lz4-workload"] bench/node/overhead.sh BUILD_DIR [REPEAT=5]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: overhead.sh BUILD_DIR [REPEAT]}" && pwd)
repeat=${2:-5}
wprof=$build/cli/wprof
work=$here/../work/realistic
export WPROF_CACHE_DIR=$work/cache
declare -A args=([sqlite-workload]=200000 [lz4-workload]=20)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
wat2wasm --enable-all "$here/empty-probes.wat" -o "$scratch/empty.wasm"
TIMEFORMAT='%3U %3S'

cpu() { # ENGINE MODULE ARGS TIMING [PROBES]: user+sys seconds of one run (ENGINE empty: run-empty.mjs)
  local t status=0 cmd=(env WPROF_NODE_PROBES="${5:-}" "$wprof" run -q --engine "$1" --timing "$4" -o "$scratch/x.db" "$2" --)
  [ "$1" = empty ] && cmd=(node --no-warnings "$here/run-empty.mjs" "$scratch/empty.wasm" "$2")
  t=$( { time "${cmd[@]}" $3 >/dev/null 2>"$scratch/err"; } 2>&1) || status=$?
  if [ "$status" -eq 139 ]; then # Node 20's SIGSEGV as the process ends (docs/limitations.md): the run is whole
    echo "overhead: $1 $(basename "$2") $4: Node crashed at exit (SIGSEGV); its time counts" >&2
  elif [ "$status" -ne 0 ]; then
    echo "overhead: $1 $(basename "$2") $4: exit status $status" >&2
    cat "$scratch/err" >&2
    exit 1
  fi
  awk '$1 ~ /^[0-9.]+$/ && NF == 2 {print $1 + $2}' <<<"$t"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

variants=("node wasm none" "empty inst.wasm none" "node inst.wasm none" "node inst.wasm none addon"
          "node inst.wasm sampled" "node inst.wasm sampled addon" "wasm2c wasm none" "wasm2c inst.wasm none")
printf '%-16s' program; for v in "${variants[@]}"; do printf ' %14s' "${v// /:}"; done; echo
timed() { [ "$1" != empty ] || [ "$2" != lz4-workload ]; } # ENGINE PROGRAM
for name in ${PROGRAMS:-sqlite-workload lz4-workload}; do
  for v in "${variants[@]}"; do read -r e m t p <<<"$v"; timed "$e" "$name" && cpu "$e" "$work/$name.$m" "${args[$name]}" "$t" "$p" >/dev/null; done
  for i in "${!variants[@]}"; do : >"$scratch/v$i"; done
  for _ in $(seq "$repeat"); do
    for i in "${!variants[@]}"; do
      read -r e m t p <<<"${variants[$i]}"
      timed "$e" "$name" && cpu "$e" "$work/$name.$m" "${args[$name]}" "$t" "$p" >>"$scratch/v$i"
    done
  done
  printf '%-16s' "$name"; for i in "${!variants[@]}"; do printf ' %14s' "$(median <"$scratch/v$i")"; done; echo
done
