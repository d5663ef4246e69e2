#!/usr/bin/env bash
# Installs the Debian packages wprof needs (only those missing), then
# configures and builds it. Used by scripts/demo.sh, scripts/test.sh and CI.
#   scripts/setup.sh [BUILD_DIR [extra cmake args...]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$top/build"}
shift || true

packages=(
  build-essential cmake pkg-config git python3
  binaryen wabt
  libsqlite3-dev sqlite3 zlib1g-dev libprotobuf-c-dev protobuf-c-compiler libxxhash-dev xxhash
  clang lld wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
  valgrind golang-go rustc libstd-rust-dev-wasm32
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$top" -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
