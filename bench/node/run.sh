#!/usr/bin/env bash
# Per-probe-event cost under Node (bench/RESULTS.md, "Probe cost under Node"):
# builds probe-loop.wat, instruments it and runs probe-cost.mjs.
#   bench/node/run.sh [BUILD_DIR [CALLS [ROUNDS]]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../../build"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wat2wasm "$here/probe-loop.wat" -o "$work/loop.wasm"
"$build/rewriter/wasm-instrument" -q "$work/loop.wasm" "$work/loop.i.wasm"
node "$here/probe-cost.mjs" "$work/loop.i.wasm" "$build/runtime-shim/node" "${2:-20000000}" "${3:-5}"
