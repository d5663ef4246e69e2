#!/bin/sh
# Builds the DWARF-reading libFuzzer target (clang, ASan + UBSan) and fuzzes it.
# usage: fuzz/dwarf/run.sh [SECONDS] [extra libFuzzer flags...]
# Seeds: demo/wordfreq.c and tests/sources' program compiled with -g; new
# corpus entries and crash-* inputs go to $WORK (default /tmp/dwarf-fuzz).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
seconds=${1:-60}
[ $# -gt 0 ] && shift
work=${WORK:-/tmp/dwarf-fuzz}
mkdir -p "$work/corpus" "$work/seeds"
for src in "$top/demo/wordfreq.c" "$top"/tests/sources/*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  clang --target=wasm32-wasi -g -O0 "$src" -o "$work/seeds/$name.wasm"
done
clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$top/wasm-scan" -I"$top/abi" -I"$top/rewriter" -I"$top/utils" \
  "$here/dwarf-fuzz.c" "$top/rewriter/dwarf-sources.c" "$top/wasm-scan/wasm-scan.c" "$top/utils/xalloc.c" \
  -ldwarf -lz -o "$work/dwarf-fuzz"
cd "$work"
exec ./dwarf-fuzz -max_total_time="$seconds" -jobs=1 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" "$@" "$work/corpus" "$work/seeds"
