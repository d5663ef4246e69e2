#!/bin/bash
# Checks the invariants of wasm-instrument that AFL cannot see, over every
# file of one or more corpus directories (or single files):
#   (a) it exits with 0 (written), 65 or 69 (refused: bad or unsupported
#       input, utils/exit-codes.h): never a signal, never a hang, never
#       another code (70 = internal error is a bug by definition);
#   (b) when it exits non-zero, stderr is exactly one line;
#   (c) when it exits non-zero, there is no output file; and there is never a
#       temporary file (.wasm-instrument-*) left in the output directory;
#   (d) when it exits 0, the input passes wasm-validate with the features
#       wasm-instrument accepts (it must never accept an invalid module), and
#       so does the output (the rewrite must not need more features);
#   (e) two runs (the second with -q) give the same exit status and identical
#       output bytes;
#   (f) instrumenting an output again is refused (exit 65, already instrumented);
#   (g) a file named *.must-write.wasm (a valid module once wrongly refused,
#       kept in regressions/ after the fix) is written (exit 0).
# usage: check-corpus.sh [--sample N] DIR|FILE...
#   WASM_INSTRUMENT  the binary to check (default: the build-fuzzrw build)
#   JOBS             parallel checks (default 2)
#   MEMORY_LIMIT_KB  address-space limit of each run (default 4 GB, so an
#                    input that makes binaryen allocate without end fails
#                    fast; "unlimited" for ASan builds, which reserve more)
#   SKIP             a file-name pattern not to check (ASan builds skip the
#                    *-oom.wasm inputs, which they cannot cap)
#   --sample N       check only N files, evenly spaced in sorted order (the
#                    same files on every run)
# Prints one line per violation and a summary; exits 1 if any invariant broke.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${WASM_INSTRUMENT:-$here/../../build-fuzzrw/rewriter/wasm-instrument}
input_features=(--enable-exceptions --enable-tail-call --enable-threads --enable-extended-const)
run_timeout=${RUN_TIMEOUT:-60}

# check_one FILE: prints "written", "refused" or VIOLATION lines.
check_one() {
  local in=$1 dir rc rc2 lines
  dir=$(mktemp -d "${TMPDIR:-/tmp}/check-corpus.XXXXXX")
  violation() { echo "VIOLATION ($1) $in: $2"; bad=1; }
  local bad=0
  timeout "$run_timeout" "$bin" -- "$in" "$dir/out.wasm" 2>"$dir/stderr"
  rc=$?
  case $rc in
    0 | 65 | 69) ;;
    124) violation a "hang: no answer within ${run_timeout}s" ;;
    *) violation a "exit status $rc: $(head -c 300 "$dir/stderr")" ;;
  esac
  case $in in
    *.must-write.wasm) [ "$rc" = 0 ] || violation g "refused: $(head -c 300 "$dir/stderr")" ;;
  esac
  if [ "$rc" != 0 ]; then
    lines=$(wc -l <"$dir/stderr")
    if [ "$lines" != 1 ] || [ -n "$(tail -c 1 "$dir/stderr")" ]; then
      violation b "$lines stderr lines (wanted exactly one): $(head -c 300 "$dir/stderr" | tr '\n' '|')"
    fi
    if [ -e "$dir/out.wasm" ]; then violation c "exit $rc but out.wasm was written"; fi
  else
    # the features of the input, not --enable-all: with function references
    # on, wabt types ref.func as (ref $t) and rejects valid MVP-typed code
    if ! wasm-validate "${input_features[@]}" "$dir/out.wasm" >"$dir/validate" 2>&1; then
      violation d "the output does not validate: $(head -n 1 "$dir/validate")"
    fi
    if ! wasm-validate "${input_features[@]}" "$in" >"$dir/validate" 2>&1; then
      violation d "an invalid input was accepted: $(head -n 1 "$dir/validate")"
    fi
  fi
  timeout "$run_timeout" "$bin" -q -- "$in" "$dir/again.wasm" 2>/dev/null
  rc2=$?
  if [ "$rc2" != "$rc" ]; then
    violation e "exit status $rc, then $rc2"
  elif [ "$rc" = 0 ] && ! cmp -s "$dir/out.wasm" "$dir/again.wasm"; then
    violation e "two runs wrote different bytes"
  fi
  if [ "$rc" = 0 ]; then
    timeout "$run_timeout" "$bin" -q -- "$dir/out.wasm" "$dir/twice.wasm" 2>"$dir/stderr"
    rc2=$?
    if [ "$rc2" != 65 ] || ! grep -q 'already instrumented' "$dir/stderr"; then
      violation f "instrumenting the output again gave exit $rc2: $(head -c 300 "$dir/stderr")"
    fi
  fi
  if ls -A "$dir" | grep -q '^\.wasm-instrument-'; then violation c "temporary file left behind"; fi
  rm -rf "$dir"
  if [ "$bad" = 0 ]; then
    if [ "$rc" = 0 ]; then echo written; else echo refused; fi
  fi
}

if [ "${1:-}" = --one ]; then
  ulimit -v "${MEMORY_LIMIT_KB:-4194304}"
  check_one "$2"
  exit 0
fi

sample=0
if [ "${1:-}" = --sample ]; then
  sample=$2
  shift 2
fi
if [ $# = 0 ]; then
  echo "usage: check-corpus.sh [--sample N] DIR|FILE..." >&2
  exit 2
fi
if [ ! -x "$bin" ]; then
  echo "check-corpus.sh: no wasm-instrument at $bin (set WASM_INSTRUMENT)" >&2
  exit 2
fi

list=$(mktemp)
results=$(mktemp)
trap 'rm -f "$list" "$results"' EXIT
find "$@" \( -type d -name '.?*' -prune \) -o \( -type f ! -name '.*' ! -name 'README*' ! -name "${SKIP:-.*}" -print \) |
  LC_ALL=C sort >"$list"
total=$(wc -l <"$list")
if [ "$total" = 0 ]; then
  echo "check-corpus.sh: no files in $*" >&2
  exit 2
fi
if [ "$sample" -gt 0 ] && [ "$total" -gt "$sample" ]; then
  awk -v n="$sample" -v total="$total" \
    'BEGIN { for (i = 0; i < n; i++) pick[int(i * total / n) + 1] = 1 } pick[NR]' \
    "$list" >"$list.sample"
  mv "$list.sample" "$list"
fi
tr '\n' '\0' <"$list" | xargs -0 -r -n 1 -P "${JOBS:-2}" "$0" --one >"$results"

grep '^VIOLATION' "$results"
violations=$(grep -c '^VIOLATION' "$results")
echo "$(wc -l <"$list") files: $(grep -cx written "$results") written," \
  "$(grep -cx refused "$results") refused, $violations violations"
[ "$violations" = 0 ]
