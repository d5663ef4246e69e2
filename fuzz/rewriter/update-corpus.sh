#!/bin/sh
# Replaces the committed corpus (fuzz/rewriter/corpus/) by the afl-cmin
# minimization of itself, what run.sh found and the hand-made edge cases
# (seeds/edge-cases.py), keeping it small enough to commit: inputs above 8 KB
# are left out (AFL's trimming keeps most far below), afl-cmin keeps one input
# per edge (-e: hit counts ignored, about 270 files instead of 380), and
# beyond 300 files the largest would be dropped.
# usage: fuzz/rewriter/update-corpus.sh [WORK]   (WORK as in run.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-${WORK:-/tmp/wasm-instrument-afl}}
max_files=300
max_bytes=8192
rm -rf "$work/merged" "$work/cmin"
mkdir -p "$work/merged" "$work/target"
python3 "$here/seeds/edge-cases.py" "$work/merged"
find "$here/corpus" "$work/out/default/queue" -maxdepth 1 -type f -size -$((max_bytes + 1))c \
  -exec cp {} "$work/merged/" \; 2>/dev/null || true
AFL_ALLOW_TMP=1 AFL_SKIP_CPUFREQ=1 afl-cmin -e -i "$work/merged" -o "$work/cmin" -t 5000 -m 4096 -- \
  "$root/build-afl/rewriter/wasm-instrument" @@ "$work/target/out.wasm"
rm -f "$here"/corpus/*
mkdir -p "$here/corpus"
# stable short names: the content hash, so re-running changes only what changed
ls -S -r "$work/cmin" | head -n "$max_files" | while read -r f; do
  cp "$work/cmin/$f" "$here/corpus/$(sha1sum <"$work/cmin/$f" | cut -c1-16).wasm"
done
echo "$(ls "$here/corpus" | wc -l) files, $(du -sb "$here/corpus" | cut -f1) bytes in $here/corpus"
