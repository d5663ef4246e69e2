#!/bin/bash
# Source locations end to end: wordfreq.c built with clang -g, instrumented
# (wasm-instrument reads its DWARF into wprof.sources), run by `wprof run`;
# `wprof report` must show each of its functions at the line where grep -n
# finds it in wordfreq.c, `go tool pprof -list` must print count_word's source
# from the pprof export, and the callgrind export must name the file (fl=).
# usage: run.sh WPROF WASM_INSTRUMENT CLANG
set -euo pipefail
wprof=$1 instrument=$2 clang=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$here/wordfreq.c
work=$(mktemp -d "${TMPDIR:-/tmp}/wprof-sources.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export WPROF_CACHE_DIR=$work/cache
fail() { echo "FAIL: $*" >&2; exit 1; }

# -O0: at -O1 and above clang runs wasm-opt, which zeroes the DWARF addresses
"$clang" --target=wasm32-wasi -g -O0 "$src" -o w.wasm
"$instrument" w.wasm w.i.wasm 2>err.txt
[ ! -s err.txt ] || fail "wasm-instrument warned: $(cat err.txt)"
"$wprof" run -q --timing exact -o w.db w.i.wasm >/dev/null
"$wprof" report w.db >top.txt

for f in hash_word count_word count_text main; do
  line=$(grep -n "^[a-z_ ()]*[ *]$f(" "$src" | cut -d: -f1)
  [ -n "$line" ] || fail "no definition of $f in $src"
  name=$f
  [ "$f" = main ] && name=__original_main # clang's name for main(void)
  grep -Eq " $name +$src:$line\$" top.txt || fail "report does not show $name at $src:$line:
$(cat top.txt)"
  [ "$(sqlite3 w.db "SELECT file || ':' || line FROM functions WHERE name = '$name'")" = "$src:$line" ] ||
    fail "functions.file/line of $name is not $src:$line"
done
# a function without DWARF (synthesized by the linker) has NULL file and line
[ "$(sqlite3 w.db "SELECT count(*) FROM functions WHERE name = '_start.command_export' AND file IS NULL AND line IS NULL")" = 1 ] ||
  fail "_start.command_export should have no location"

"$wprof" export --format pprof w.db -o w.pb.gz
go tool pprof -list '^count_word$' w.pb.gz >list.txt 2>&1 || fail "go tool pprof -list: $(cat list.txt)"
grep -q "ROUTINE .* count_word in $src" list.txt || fail "pprof -list names no source file:
$(cat list.txt)"
body=$(grep -n "unsigned slot = hash_word(w, n) % TABLE;" "$src" | cut -d: -f1)
grep -Eq "^ .* $body:  unsigned slot = hash_word\(w, n\) % TABLE;$" list.txt || fail "pprof -list does not print count_word's source:
$(cat list.txt)"

"$wprof" export --format callgrind w.db -o w.cg
grep -Eq "^c?fl=\([0-9]+\) $src\$" w.cg || fail "callgrind: no fl= or cfl= line names $src"
callgrind_annotate w.cg | grep -q "$src:count_word" || fail "callgrind_annotate does not put count_word in $src"
echo "ok: source locations of wordfreq.c in report, pprof -list and callgrind"
