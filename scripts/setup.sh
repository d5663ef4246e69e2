#!/usr/bin/env bash
# Installs the Debian packages wprof needs (only those missing) and the npm
# packages of the browser and register tests (tests/browser, tests/register, when missing), then configures
# and builds it. Used by scripts/demo.sh, scripts/test.sh and CI.
#   scripts/setup.sh [BUILD_DIR [extra cmake args...]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$top/build"}
shift || true

packages=(
  build-essential cmake pkg-config git python3
  binaryen wabt
  libsqlite3-dev sqlite3 zlib1g-dev libdwarf-dev libprotobuf-c-dev protobuf-c-compiler libxxhash-dev xxhash
  clang lld wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
  valgrind golang-go rustc libstd-rust-dev-wasm32
  chromium
)
"$top/scripts/ensure-packages.sh" "${packages[@]}"
command -v node >/dev/null 2>&1 || "$top/scripts/ensure-packages.sh" nodejs
command -v npm >/dev/null 2>&1 || "$top/scripts/ensure-packages.sh" npm
# node_api.h, for the Node engine's addon: Debian's nodejs keeps it in libnode-dev
[ -f /usr/include/node/node_api.h ] || "$top/scripts/ensure-packages.sh" libnode-dev
# playwright-core, which drives chromium in the browser test (tests/browser), from its lockfile
[ -f "$top/tests/browser/node_modules/playwright-core/package.json" ] ||
  (cd "$top/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
# sql.js (Emscripten) and @dqbd/tiktoken (wasm-bindgen), the packages the register module's tests
# profile (tests/register), from its lockfile
[ -f "$top/tests/register/node_modules/sql.js/package.json" ] &&
  [ -f "$top/tests/register/node_modules/@dqbd/tiktoken/package.json" ] ||
  (cd "$top/tests/register" && npm ci --no-audit --no-fund --loglevel=error)

cmake -S "$top" -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
