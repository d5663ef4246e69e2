#!/bin/sh
# Builds the pool of seed modules the wasm-instrument fuzzer started from:
#   - the spec test suite (../shared/wasm-spec-testsuite beside the checkout,
#     or $WPROF_SPEC_SUITE) through wast2json:
#     the valid modules, and the binary assert_invalid / assert_malformed /
#     assert_unlinkable ones (refusal paths), each at most 2 KB;
#   - the hand-written modules in seeds/*.wat (exceptions, tail calls,
#     multi-value, SIMD, threads, bulk memory, allocators, DWARF, and valid
#     constructs binaryen 108 cannot handle);
#   - seeds/edge-cases.py: byte-level edge cases wat2wasm cannot write;
#   - seeds/bump.c, a small freestanding C program, with and without -g.
# usage: fuzz/rewriter/make-seeds.sh OUTDIR
# run.sh reduces the pool with afl-cmin when there is no committed corpus yet.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-seeds.sh OUTDIR}
spec=${WPROF_SPEC_SUITE:-$here/../../../shared/wasm-spec-testsuite}
features="--enable-exceptions --enable-tail-call --enable-threads --enable-extended-const --enable-memory64"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

for wast in "$spec"/*.wast; do
  name=$(basename "$wast" .wast)
  # shellcheck disable=SC2086
  wast2json $features "$wast" -o "$work/$name.json" 2>/dev/null || continue
  python3 - "$work/$name.json" "$out" <<'EOF'
import json, os, shutil, sys
path, out = sys.argv[1], sys.argv[2]
wanted = {"module", "assert_invalid", "assert_malformed", "assert_unlinkable", "assert_uninstantiable"}
for cmd in json.load(open(path))["commands"]:
    name = cmd.get("filename", "")
    if cmd["type"] in wanted and name.endswith(".wasm"):
        src = os.path.join(os.path.dirname(path), name)
        if os.path.getsize(src) <= 2048:
            shutil.copy(src, os.path.join(out, "spec-" + name))
EOF
done

for wat in "$here"/seeds/*.wat; do
  name=$(basename "$wat" .wat)
  # shellcheck disable=SC2086
  wat2wasm $features --enable-annotations --debug-names "$wat" -o "$out/wat-$name.wasm"
done

python3 "$here/seeds/edge-cases.py" "$out"
clang --target=wasm32-wasi -O1 -nostdlib -Wl,--no-entry "$here/seeds/bump.c" -o "$out/c-bump.wasm"
clang --target=wasm32-wasi -O1 -g -nostdlib -Wl,--no-entry "$here/seeds/bump.c" -o "$out/c-bump-g.wasm"
echo "$(ls "$out" | wc -l) seeds in $out"
