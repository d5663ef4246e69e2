#!/usr/bin/env bash
# WASI preview1 of `wprof run` (runtime-shim/wasi), one case per call:
#   wasi-tests.sh CASE WPROF PROGRAM_DIR EXPECTED_DIR NODE_WASI_MJS
# Programs are plain (uninstrumented) wasm32-wasi C programs; their output is
# compared with hand-written expected files and, where Node's WASI behaves
# the same, byte for byte with Node (node-wasi.mjs).
# WPROF_CACHE_DIR is set by CTest (one cache for the whole area).
set -euo pipefail
case_name=$1 wprof=$2 programs=$3 expected=$4 node_wasi=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }

# run_wprof [wprof run options...] -- module args...: stdout to out.txt, exit code in $rc
run_wprof() {
  rc=0
  "$wprof" run -q -o "$work/run.db" "$@" > out.txt 2> err.txt || rc=$?
}

# A fresh sandbox for escape.c: box/ with links that point outside, outside.txt next to it.
make_escape_sandbox() {
  rm -rf sb && mkdir -p sb/box/sub
  echo secret > sb/outside.txt
  touch sb/box/sub/file
  ln -s .. sb/box/up
  ln -s / sb/box/root
  ln -s chain2 sb/box/chain1
  ln -s ../outside.txt sb/box/chain2
  ln -s sub sb/box/inner
  ln -s loop2 sb/box/loop1
  ln -s loop1 sb/box/loop2
  ln -s /tmp sb/box/abs
}

check_escape() {
  make_escape_sandbox
  run_wprof --dir sb/box:/box "$programs/escape.wasm"
  [ "$rc" = 0 ] || fail "escape exited $rc: $(cat err.txt)"
  diff -u "$expected/escape.out" out.txt || fail "escape output differs"
  # nothing was created, moved or removed outside the sandbox
  [ "$(ls -A sb)" = "$(printf 'box\noutside.txt')" ] || fail "outside changed: $(ls -A sb)"
  [ "$(cat sb/outside.txt)" = secret ] || fail "outside.txt changed"
  [ -f sb/box/sub/file ] || fail "sub/file was moved"
}

check_files() {
  mkdir fsb
  run_wprof --dir fsb:/sandbox "$programs/files.wasm"
  [ "$rc" = 0 ] || fail "files exited $rc: $(cat err.txt)"
  diff -u "$expected/files.out" out.txt || fail "files output differs"
}

case $case_name in
  escape) check_escape ;;
  escape-walk) WPROF_WASI_NO_OPENAT2=1 check_escape ;;
  files) check_files ;;
  closed-stdio)
    # a stdio descriptor closed in the host stays the guest's closed 0, 1 or 2: the preopen
    # is still fd 3, where wasi-libc looks for it, and the program's files work
    mkdir fsb
    "$wprof" run -q --dir fsb:/sandbox -o run.db "$programs/files.wasm" > out.txt 2> err.txt <&- || fail "stdin closed: exit $?"
    diff -u "$expected/files.out" out.txt || fail "stdin closed: files output differs"
    rm -rf fsb && mkdir fsb
    "$wprof" run -q --dir fsb:/sandbox -o run.db "$programs/files.wasm" > out.txt 2>&- || fail "stderr closed: exit $?"
    diff -u "$expected/files.out" out.txt || fail "stderr closed: files output differs"
    rm -rf fsb && mkdir fsb
    "$wprof" run -q --dir fsb:/sandbox -o run.db "$programs/files.wasm" >&- 2> err.txt || fail "stdout closed: exit $?"
    [ -f fsb/d/b.txt ] || fail "stdout closed: the program's files are not in the preopen: $(ls -R fsb)"
    ;;
  files-walk) WPROF_WASI_NO_OPENAT2=1 check_files ;;
  files-node)
    # Node's WASI keeps times as doubles, so the nanosecond line differs: left out.
    mkdir fsb
    run_wprof --dir fsb:/sandbox "$programs/files.wasm"
    grep -v '^mtime' out.txt > wprof.txt
    rm -rf fsb && mkdir fsb
    node "$node_wasi" --dir fsb:/sandbox "$programs/files.wasm" | grep -v '^mtime' > node.txt
    diff -u node.txt wprof.txt || fail "wprof and node differ"
    ;;
  raw)
    mkdir box && printf hello > box/f
    run_wprof --dir box:/box "$programs/raw.wasm"
    [ "$rc" = 0 ] || fail "raw exited $rc: $(cat err.txt)"
    diff -u "$expected/raw.out" out.txt || fail "raw output differs"
    ;;
  argsenv)
    # FOO is in our environment but must not reach the guest
    FOO=leak run_wprof --env A=1 --env "B=two words" --env C= "$programs/argsenv.wasm" x "y z" ""
    [ "$rc" = 0 ] || fail "argsenv exited $rc"
    diff -u "$expected/argsenv.out" out.txt || fail "argsenv output differs"
    FOO=leak node "$node_wasi" --env A=1 --env "B=two words" --env C= "$programs/argsenv.wasm" x "y z" "" > node.txt
    diff -u node.txt out.txt || fail "wprof and node differ"
    ;;
  args-dashdash)
    # `--` after the module is ours; a second one is the guest's
    run_wprof "$programs/argsenv.wasm" -- -- -o x
    printf 'argc 4\narg[1] <-->\narg[2] <-o>\narg[3] <x>\n' > want.txt
    diff -u want.txt out.txt || fail "guest argv differs"
    ;;
  stdio)
    # stdout, stderr and the exit code pass through byte for byte
    printf 'abc\0def' | { "$wprof" run -q -o run.db "$programs/stdio.wasm" > w.out 2> w.err || echo $? > w.rc; }
    printf 'abc\0def' | { node "$node_wasi" "$programs/stdio.wasm" > n.out 2> n.err || echo $? > n.rc; }
    [ "$(cat w.rc)" = 42 ] || fail "exit code $(cat w.rc), expected 42"
    [ "$(cat n.rc)" = 42 ] || fail "node exit code $(cat n.rc)"
    # hash: h = h*31 + byte (32-bit) over "abc\0def", mod 1000003 = 686592
    printf 'out: line one\n\000\001\r\n\177\200\377\nstdin: 7 bytes, hash 686592\nno newline at the end' > want.out
    cmp want.out w.out || fail "stdout differs from the expected bytes"
    cmp n.out w.out || fail "stdout differs from node's"
    printf 'err: to stderr\n' | cmp - w.err || fail "stderr differs"
    cmp n.err w.err || fail "stderr differs from node's"
    ;;
  poll-stdin)
    # 5 bytes waiting on a pipe: the fd event comes first, FIONREAD says 5
    printf hello > in.txt
    run_wprof "$programs/pollin.wasm" < in.txt
    echo "poll 0 events 1 userdata 1 type 1 error 0 nbytes 5" | diff -u - out.txt || fail "stdin with data"
    # nothing on stdin for 3 s: the 2 s clock fires
    sleep 3 | { "$wprof" run -q -o run.db "$programs/pollin.wasm" > out.txt; }
    echo "poll 0 events 1 userdata 2 type 0 error 0 nbytes 0" | diff -u - out.txt || fail "silent stdin"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok $case_name"
