#!/usr/bin/env bash
# Time to the first profile of a big WASI module from npm, and what the Node
# engine costs on it against plain Node (issue 12; bench/RESULTS.md, "A 30 MB
# module from npm").
#
# The module: gen/yosys.core.wasm of @yowasp/yosys 0.55.944 (Yosys 0.55,
# 30.8 MB, 34,004 functions, no name section): a WASI preview1 command, it
# imports wasi_snapshot_preview1 alone and exports _start and memory (the
# package's JavaScript wraps it as a component; the core module needs none of
# that). The work: yosys synthesizing bench/node/mac.v (`synth -noabc`: this
# build runs ABC in its own process image, and the program ends, exit status
# 0, where ABC starts, under plain node:wasi as under wprof), with the share/
# files of the package at /share and a scratch /tmp.
#
# Time to the first profile = wasm-instrument + `wprof run` (default engine,
# auto, which takes node for a big module not compiled yet; default timing,
# sampled) + `wprof report`, from the npm .wasm to the printed report. Each
# round runs, in turn: those three; wasm-instrument --skip-validation;
# `wprof run --engine node --timing none`, on the wasm recorder's probes (the
# default) and on the addon's (WPROF_NODE_PROBES=addon, docs/limitations.md);
# the uninstrumented module under
# `wprof run --engine node` (the same driver, wprof-run-node.mjs, with no
# probe) and under bare node:wasi (tests/wasi/node-wasi.mjs); and both
# modules' start-up alone (`yosys -V`). A first round warms up and checks that
# every variant prints the same as bare Node; then ROUNDS rounds: medians of
# wall and CPU (user + sys, children included) seconds, and the best wall.
# Other work on the machine inflates wall time, and its speed drifts: compare
# CPU, and only figures of the same run.
#
#   bench/node/big-module.sh BUILD_DIR [ROUNDS=5]
#
# Prerequisites: a build with the Node engine (scripts/setup.sh BUILD_DIR),
# npm and the npm registry (`npm pack` of the package into bench/work/ once,
# its module checked against the sha256 below), wabt's wasm-objdump, node.
set -euo pipefail
build=$(cd "${1:?usage: big-module.sh BUILD_DIR [ROUNDS]}" && pwd)
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$top/bench/work/big-module
wprof=$build/cli/wprof
instrument=$build/rewriter/wasm-instrument
package=@yowasp/yosys@0.55.944
tarball=yowasp-yosys-0.55.944.tgz
mkdir -p "$work"
cd "$work"

if [ ! -f yosys.wasm ]; then
  [ -f "$tarball" ] || npm pack --silent "$package" >/dev/null
  rm -rf package fs
  tar -xzf "$tarball"
  node "$here/yowasp-files.mjs" package/gen/resources-yosys.js fs
  cp package/gen/yosys.core.wasm yosys.wasm.tmp
  mv yosys.wasm.tmp yosys.wasm
fi
sha256sum --check --quiet <<'EOF'
88e18d7bc8e6134614d57927a37757a021b46d1ba8c0bc4c0b6f385f391f5a67  yosys.wasm
EOF

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/tmp"
cp "$here/mac.v" "$scratch/mac.v"
export WPROF_CACHE_DIR=$scratch/cache # auto must not find a compiled copy
dirs=(--dir "$work/fs/share:/share" --dir "$scratch:/work" --dir "$scratch/tmp:/tmp")
yosys=(-Q -T -p "read_verilog /work/mac.v; synth -top mac -noabc; stat")

size=$(stat -c %s yosys.wasm)
functions=$(wasm-objdump -h yosys.wasm | awk '$1 == "Function" {print $NF}')
imports=$(wasm-objdump -j Import -x yosys.wasm | awk -F'<- ' 'NF > 1 {split($2, a, "."); n[a[1]]++} END {for (m in n) {printf "%s%s: %d", s, m, n[m]; s = ", "}}')
exports=$(wasm-objdump -j Export -x yosys.wasm | awk -F'"' 'NF > 1 {printf "%s%s", s, $2; s = " "}')
echo "module: $package gen/yosys.core.wasm, $size bytes, $functions functions; imports $imports; exports $exports"
echo "DIRS: ${dirs[*]/#$scratch/\$T}"
echo "ARGS: ${yosys[*]}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

# The variants of a round, in order, and what each runs (stdout to $scratch/NAME.out).
variants=(instrument instrument-skip-validation run-sampled report run-none run-addon plain-wprof plain-node start-inst start-plain)
declare -A shown=(
  [instrument]="wasm-instrument -q yosys.wasm yosys.i.wasm"
  [instrument-skip-validation]="wasm-instrument -q --skip-validation yosys.wasm yosys.s.wasm"
  [run-sampled]="wprof run -q -o prof.db DIRS yosys.i.wasm -- ARGS"
  [report]="wprof report prof.db"
  [run-none]="wprof run -q --engine node --timing none -o none.db DIRS yosys.i.wasm -- ARGS"
  [run-addon]="WPROF_NODE_PROBES=addon wprof run -q --engine node --timing none -o addon.db DIRS yosys.i.wasm -- ARGS"
  [plain-wprof]="wprof run -q --engine node -o plain.db DIRS yosys.wasm -- ARGS"
  [plain-node]="node tests/wasi/node-wasi.mjs DIRS yosys.wasm ARGS"
  [start-inst]="wprof run -q --engine node -o start.db yosys.i.wasm -V"
  [start-plain]="node tests/wasi/node-wasi.mjs yosys.wasm -V"
)
variant() {
  case $1 in
    instrument) "$instrument" -q yosys.wasm "$scratch/yosys.i.wasm" ;;
    instrument-skip-validation) "$instrument" -q --skip-validation yosys.wasm "$scratch/yosys.s.wasm" ;;
    run-sampled) "$wprof" run -q -o "$scratch/prof.db" "${dirs[@]}" "$scratch/yosys.i.wasm" -- "${yosys[@]}" ;;
    report) "$wprof" report "$scratch/prof.db" ;;
    run-none) "$wprof" run -q --engine node --timing none -o "$scratch/none.db" "${dirs[@]}" "$scratch/yosys.i.wasm" -- "${yosys[@]}" ;;
    run-addon) WPROF_NODE_PROBES=addon "$wprof" run -q --engine node --timing none -o "$scratch/addon.db" "${dirs[@]}" "$scratch/yosys.i.wasm" -- "${yosys[@]}" ;;
    plain-wprof) "$wprof" run -q --engine node -o "$scratch/plain.db" "${dirs[@]}" yosys.wasm -- "${yosys[@]}" ;;
    plain-node) node "$top/tests/wasi/node-wasi.mjs" "${dirs[@]}" yosys.wasm "${yosys[@]}" ;;
    start-inst) "$wprof" run -q --engine node -o "$scratch/start.db" "$scratch/yosys.i.wasm" -V ;;
    start-plain) node "$top/tests/wasi/node-wasi.mjs" yosys.wasm -V ;;
  esac
}
run_variant() { # NAME: runs it, appends "wall cpu" seconds to $scratch/NAME.t
  local t
  TIMEFORMAT='%3R %3U %3S'
  if ! t=$( { time variant "$1" >"$scratch/$1.out" 2>"$scratch/$1.err"; } 2>&1); then
    echo "big-module: $1 failed:" >&2
    cat "$scratch/$1.err" >&2
    exit 1
  fi
  awk '{printf "%.3f %.3f\n", $1, $2 + $3}' <<<"$t" >>"$scratch/$1.t"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
col() { awk -v c="$2" '{print $c}' "$scratch/$1.t" | median; } # NAME COLUMN(1 wall, 2 cpu)
best() { awk -v c="$2" 'NR == 1 || $c < m {m = $c} END {print m}' "$scratch/$1.t"; }

echo "warm-up round, checking the outputs"
for v in "${variants[@]}"; do run_variant "$v"; done
for v in run-sampled run-none run-addon plain-wprof; do
  cmp -s "$scratch/plain-node.out" "$scratch/$v.out" || { echo "big-module: $v prints other than bare Node" >&2; exit 1; }
done
grep -q '(node, exited, exit code 0)' "$scratch/report.out" || { echo "big-module: auto did not run it under node" >&2; exit 1; }
echo "  stdout identical ($(wc -l <"$scratch/plain-node.out") lines); $(sed -n 2p "$scratch/report.out")"
rm -f "$scratch"/*.t

for r in $(seq "$rounds"); do
  for v in "${variants[@]}"; do run_variant "$v"; done
  paste -d' ' "$scratch/instrument.t" "$scratch/run-sampled.t" "$scratch/report.t" | tail -1 |
    awk '{printf "%.3f %.3f\n", $1 + $3 + $5, $2 + $4 + $6}' >>"$scratch/first-profile.t"
  echo "round $r: first profile $(tail -1 "$scratch/first-profile.t") (wall cpu); load $(cut -d' ' -f1 /proc/loadavg)"
done

printf '\n%-28s %9s %9s %9s  %s\n' variant "wall s" "best wall" "CPU s" command
for v in first-profile "${variants[@]}"; do
  printf '%-28s %9s %9s %9s  %s\n' "$v" "$(col "$v" 1)" "$(best "$v" 1)" "$(col "$v" 2)" "${shown[$v]:-instrument + run-sampled + report}"
done
ratio() { awk -v a="$(col "$1" "$3")" -v b="$(col "$2" "$3")" 'BEGIN {printf "%.2fx", a / b}'; }
echo
echo "overhead (medians; wall, CPU):"
echo "  instrumented, sampled  / plain, same driver: $(ratio run-sampled plain-wprof 1), $(ratio run-sampled plain-wprof 2)"
echo "  instrumented, none     / plain, same driver: $(ratio run-none plain-wprof 1), $(ratio run-none plain-wprof 2)"
echo "  instrumented, none, addon's probes / plain, same driver: $(ratio run-addon plain-wprof 1), $(ratio run-addon plain-wprof 2)"
echo "  instrumented, sampled  / plain, bare Node:   $(ratio run-sampled plain-node 1), $(ratio run-sampled plain-node 2)"
echo "  plain, wprof's driver  / plain, bare Node:   $(ratio plain-wprof plain-node 1), $(ratio plain-wprof plain-node 2)"
# Wall time is the goal's measure, but other work on the machine inflates it:
# the best round is the machine at its quietest, and CPU time bounds what a
# quiet machine's wall time would be (nothing here waits on I/O).
for what in "median wall:$(col first-profile 1)" "best wall:$(best first-profile 1)" "median CPU:$(col first-profile 2)"; do
  echo "goal: first profile <= 30 s, ${what%%:*} ${what#*:} s: $(awk -v t="${what#*:}" 'BEGIN {print (t <= 30 ? "met" : "missed")}')"
done
