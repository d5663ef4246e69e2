#!/bin/bash
# Lists the inputs of a corpus that wabt's wasm-validate accepts but
# wasm-instrument refuses, grouped by reason (the refusal line with offsets,
# indices and file names blanked), most frequent first, with one example each.
# Not an invariant: binaryen 108 has documented limits (docs/limitations.md);
# this shows which ones the fuzzer reaches and catches new ones, such as
# binaryen crashing on a valid module.
# usage: refusals.sh DIR|FILE...   (WASM_INSTRUMENT as in check-corpus.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${WASM_INSTRUMENT:-$here/../../build-fuzzrw/rewriter/wasm-instrument}
features=(--enable-exceptions --enable-tail-call --enable-threads --enable-extended-const)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
find "$@" \( -type d -name '.?*' -prune \) -o \( -type f ! -name '.*' ! -name 'README*' -print \) |
  LC_ALL=C sort | while read -r f; do
  "$bin" -q -- "$f" "$out/out.wasm" 2>"$out/err" && continue
  wasm-validate "${features[@]}" "$f" >/dev/null 2>&1 || continue
  err=$(head -n 1 "$out/err")
  reason=$(printf '%s' "${err#"wasm-instrument: $f: "}" | sed 's/[0-9][0-9]*/N/g' | head -c 160)
  printf '%s\t%s\n' "$reason" "$f"
done | sort | awk -F'\t' '{ n[$1]++; if (!($1 in ex)) ex[$1] = $2 }
  END { for (r in n) printf "%5d  %s\t(e.g. %s)\n", n[r], r, ex[r] }' | sort -rn -k1,1 | sed 's/\t/\n       /'
