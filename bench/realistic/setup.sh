#!/usr/bin/env bash
# Fetches the third-party C sources and builds the modules that
# bench/realistic/run.sh measures, into bench/work/realistic/ (git-ignored).
# Idempotent: a tarball is fetched only when missing, an object, module or
# instrumented module is rebuilt only when older than what it is made from.
#
#   bench/realistic/setup.sh BUILD_DIR      (BUILD_DIR holds rewriter/wasm-instrument)
#
# Makes, each plain (NAME.wasm) and instrumented (NAME.inst.wasm):
#   sqlite-workload  sqlite-workload.c + the SQLite 3.50.4 amalgamation of the
#                    npm package better-sqlite3 12.4.1 (deps/sqlite3/sqlite3.c)
#   lz4-workload     lz4-workload.c + lz4 1.9.2 of the npm package lz4 0.6.5
#                    (deps/lz4/lib/lz4.c, lz4hc.c)
#   fib              bench/run/fib.c, the call-heavy microbenchmark
#   cxx-workload     cxx-workload.cc (libc++): small virtual methods, std::map,
#                    std::sort with a comparator: a call every few ns
# and sqlite-workload.noalloc.wasm, instrumented with --no-alloc,
# NAME.leaves.wasm of sqlite, lz4 and cxx, instrumented with --count-leaves,
# and NAME.cost.wasm of sqlite, lz4 and fib, instrumented with --cost.
# Tarballs come from `npm pack` (npm checks them against the registry's
# integrity hash); the extracted sources are checked against the sha256 below.
# Modules are compiled with -O2 and linked without -O, so that clang does not
# run wasm-opt, which would drop the name section.
set -euo pipefail
build=$(cd "${1:?usage: setup.sh BUILD_DIR}" && pwd)
instrument=$build/rewriter/wasm-instrument
[ -x "$instrument" ] || { echo "setup: $instrument not found (build wprof first)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(cd "$here/.." && pwd)/work/realistic
mkdir -p "$work/src"
cd "$work"

# fetch SPEC TARBALL MEMBER...: npm pack SPEC unless TARBALL is here, then
# extract each package/MEMBER into src/ (flat) unless already there.
fetch() {
  local spec=$1 tarball=$2
  shift 2
  if [ ! -f "$tarball" ]; then
    echo "setup: npm pack $spec" >&2
    npm pack --silent "$spec" >/dev/null 2>npm-pack.log || { cat npm-pack.log >&2; exit 1; }
    rm -f npm-pack.log
    [ -f "$tarball" ] || { echo "setup: npm pack $spec did not write $tarball" >&2; exit 1; }
  fi
  for member in "$@"; do
    local dest
    dest=src/$(basename "$member")
    if [ ! -f "$dest" ]; then
      tar -xzOf "$tarball" "package/$member" >"$dest.tmp"
      mv "$dest.tmp" "$dest"
    fi
  done
}
fetch better-sqlite3@12.4.1 better-sqlite3-12.4.1.tgz deps/sqlite3/sqlite3.c deps/sqlite3/sqlite3.h
fetch lz4@0.6.5 lz4-0.6.5.tgz deps/lz4/lib/lz4.c deps/lz4/lib/lz4.h deps/lz4/lib/lz4hc.c deps/lz4/lib/lz4hc.h
(cd src && sha256sum --check --quiet) <<'EOF'
90b7189566ea710ee18361b25d893f5cda3fcf43033223a16384762f53e99a85  sqlite3.c
abd1514e0351f79393d1be882830afdb40a8099e8257f311f0bfdf8486f11bea  sqlite3.h
60dfe19abb1d40cde92b01ceef23e8af95d8015eb54df5c45e7483b92f4f1dbc  lz4.c
13dee89947a6e2adc051072861a0da1a938ee26d0fdf177777f8aba2a46fd435  lz4.h
3d750f93981d5be0ef2056e5d7548ea56320bfebcd41099f956ca22f57803ef2  lz4hc.c
12d5d9424059d5b6d7570e7a3cb54ed6e8b4b5ed5bb51977bb150c68c056f228  lz4hc.h
EOF

# SQLite on wasi-libc: no threads, no dlopen, no shared memory (WAL), and
# temporary tables and sort files in memory (the guest gets no directory).
# wasi-libc emulates mmap, getpid and signal() only when asked to.
sqlite_flags="-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL -DSQLITE_TEMP_STORE=3
  -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_SIGNAL"
sqlite_libs="-lwasi-emulated-mman -lwasi-emulated-getpid -lwasi-emulated-signal"

# compile SRC OBJ [FLAGS...]: clang -O2 to wasm32-wasi unless OBJ is newer.
compile() {
  local src=$1 obj=$2
  shift 2
  if [ ! "$obj" -nt "$src" ]; then
    echo "setup: compiling $(basename "$src")" >&2
    clang --target=wasm32-wasi -O2 -c "$src" -o "$obj.tmp" "$@"
    mv "$obj.tmp" "$obj"
  fi
}

# module NAME [LINK FLAGS...] -- OBJ...: link (no -O) and instrument.
module() {
  local name=$1
  shift
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  local obj stale=
  for obj in "$@"; do [ "$name.wasm" -nt "$obj" ] || stale=1; done
  if [ -n "$stale" ]; then
    clang --target=wasm32-wasi "$@" -o "$name.wasm.tmp" "${flags[@]}"
    mv "$name.wasm.tmp" "$name.wasm"
  fi
  instrumented "$name.wasm" "$name.inst.wasm"
}

# instrumented IN OUT [wasm-instrument OPTIONS...], unless OUT is newer than IN and the rewriter.
instrumented() {
  local in=$1 out=$2
  shift 2
  if [ ! "$out" -nt "$in" ] || [ ! "$out" -nt "$instrument" ]; then
    "$instrument" -q "$@" "$in" "$out"
  fi
}

# shellcheck disable=SC2086 # the flag lists are meant to be split
compile src/sqlite3.c sqlite3.o $sqlite_flags
# shellcheck disable=SC2086
compile "$here/sqlite-workload.c" sqlite-workload.o -Isrc -Wall -Wextra $sqlite_flags
compile src/lz4.c lz4.o
compile src/lz4hc.c lz4hc.o
compile "$here/lz4-workload.c" lz4-workload.o -Isrc -Wall -Wextra
compile "$here/../run/fib.c" fib.o -Wall -Wextra
if [ ! cxx-workload.o -nt "$here/cxx-workload.cc" ]; then
  echo "setup: compiling cxx-workload.cc" >&2
  clang++ --target=wasm32-wasi -O2 -fno-exceptions -Wall -Wextra -c "$here/cxx-workload.cc" -o cxx-workload.o.tmp
  mv cxx-workload.o.tmp cxx-workload.o
fi

# SQLite's recursion (parser, btree balancing) wants more than wasm-ld's 64 KiB stack.
# shellcheck disable=SC2086
module sqlite-workload -Wl,-z,stack-size=1048576 $sqlite_libs -- sqlite-workload.o sqlite3.o
module lz4-workload -- lz4-workload.o lz4.o lz4hc.o
module fib -- fib.o
module cxx-workload -lc++ -lc++abi -- cxx-workload.o
# SQLite allocates a lot: a variant with call probes only, to tell their cost from the heap's
instrumented sqlite-workload.wasm sqlite-workload.noalloc.wasm --no-alloc
# Tiny leaf functions counted without a frame (fidelity.py's "+leaves" variants)
for name in sqlite-workload lz4-workload cxx-workload; do
  instrumented "$name.wasm" "$name.leaves.wasm" --count-leaves
done
# The instruction counter (cost.sh)
for name in sqlite-workload lz4-workload fib; do
  instrumented "$name.wasm" "$name.cost.wasm" --cost
done
echo "setup: sqlite-workload lz4-workload fib cxx-workload (.wasm, .inst.wasm) ready in $work" >&2
