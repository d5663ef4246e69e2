#!/bin/sh
# Builds the wasm-scan libFuzzer target (clang, ASan + UBSan) and fuzzes it.
# usage: fuzz/scan/run.sh [SECONDS] [extra libFuzzer flags...]
# New corpus entries go to $WORK (default /tmp/wscan-fuzz), never into the
# committed corpus; a crash input is written there as crash-*: copy it to
# fuzz/scan/crashes/ once fixed, so ctest replays it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
work=${WORK:-/tmp/wscan-fuzz}
mkdir -p "$work/corpus"
clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all -I"$here/../../wasm-scan" -I"$here/../../abi" \
  "$here/wscan-fuzz.c" "$here/../../wasm-scan/wasm-scan.c" -o "$work/wscan-fuzz"
cd "$work"
exec ./wscan-fuzz -max_total_time="$seconds" -jobs=1 -timeout=5 -rss_limit_mb=1024 \
  -artifact_prefix="$work/" "$@" "$work/corpus" "$here/corpus"
