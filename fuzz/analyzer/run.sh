#!/bin/sh
# Builds the analyzer's database libFuzzer target (clang, ASan + UBSan) and
# fuzzes it, starting from corpus/ (the test fixtures' databases).
# usage: fuzz/analyzer/run.sh BUILD_DIR [SECONDS] [extra libFuzzer flags...]
# BUILD_DIR is a configured and built tree (for the generated profile.pb-c.c
# and wprof-schema.h). New corpus entries go to $WORK (default
# /tmp/db-fuzz), never into the committed corpus; a crash input is written
# there as crash-*: add it to corpus/ once fixed, so ctest replays it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [SECONDS]}" && pwd)
shift
seconds=${1:-60}
[ $# -gt 0 ] && shift
work=${WORK:-/tmp/db-fuzz}
mkdir -p "$work/corpus"
# shellcheck disable=SC2046 # the analyzer's sources are meant to be split
clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_GNU_SOURCE -DWPROF_VERSION='"fuzz"' -g -O1 \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$top/analyzer" -I"$top/utils" -I"$top/runtime-shim/libwprof" -I"$build/analyzer" -I"$build/runtime-shim/libwprof" \
  "$here/db-fuzz.c" $(ls "$top"/analyzer/*.c) "$build/analyzer/profile.pb-c.c" "$top"/utils/*.c \
  -lsqlite3 -lprotobuf-c -lz -lm -o "$work/db-fuzz"
cd "$work"
exec ./db-fuzz -max_total_time="$seconds" -jobs=1 -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
  -artifact_prefix="$work/" "$@" "$work/corpus" "$here/corpus"
