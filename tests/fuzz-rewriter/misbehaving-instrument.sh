#!/bin/sh
# A stand-in for wasm-instrument that breaks one invariant of check-corpus.sh
# on purpose (MISBEHAVE names which), so the tests can show the checker
# catches each kind of violation rather than passing whatever it is given.
# Called like wasm-instrument: [-q] [--] in.wasm out.wasm
while [ $# -gt 2 ]; do shift; done
in=$1 out=$2
case $MISBEHAVE in
  internal) echo "internal error" >&2; exit 70 ;;
  signal) kill -SEGV $$ ;;
  two-lines) printf 'refused\nand a second line\n' >&2; exit 65 ;;
  partial-output) cp "$in" "$out"; echo "refused" >&2; exit 65 ;;
  temp-left) : >"$(dirname "$out")/.wasm-instrument-left"; echo "refused" >&2; exit 65 ;;
  accept-invalid) printf '\0asm\1\0\0\0' >"$out"; exit 0 ;;
  # a custom section "x" holding the clock's nanoseconds: valid, never the same
  nondeterministic) { printf '\0asm\1\0\0\0\0\14\1x'; date +%N; } >"$out"; exit 0 ;;
esac
echo "MISBEHAVE=$MISBEHAVE: unknown" >&2
exit 64
