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

# fdcalls CALL: runs programs/fdcalls.c for one call in box/ (f = "hello");
# its stdout must be the expected lines on stdin. The errno values are those of
# the WASI preview1 spec: 8 BADF, 28 INVAL, 52 NOSYS, 58 NOTSUP, 76 NOTCAPABLE.
fdcalls() {
  local want; want=$(cat)
  rm -rf box && mkdir box && printf hello > box/f
  run_wprof --dir box:/box "$programs/fdcalls.wasm" "$1"
  diff -u <(printf '%s\n' "$want") out.txt || fail "$1: output differs"
}
expect_exit() { [ "$rc" = "$1" ] || fail "exit code $rc, expected $1: $(cat err.txt)"; }
# expect_file PRINTF_FORMAT: box/f holds exactly these bytes
expect_file() { printf "$1" | cmp - box/f || fail "box/f is not $1: $(od -c box/f | head -3)"; }

case $case_name in
  fd-sync | fd-datasync) # the data written before is in the file; a descriptor without the right is refused
    call=${case_name//-/_}
    fdcalls "$call" <<'END'
wrote 'SYNC', cursor now 4
file                                 0
without the right                    76
closed fd                            8
END
    expect_exit 0
    expect_file SYNCo
    ;;
  fd-fdstat-set-flags) # flags read back; with APPEND a write at 0 lands at the end, without it at 0
    fdcalls fd_fdstat_set_flags <<'END'
APPEND                               0
flags 1
wrote 'abc', cursor now 8
none                                 0
flags 0
wrote 'J', cursor now 1
NONBLOCK                             0
flags 4
APPEND|NONBLOCK                      0
flags 5
SYNC                                 58
an unknown flag (32)                 28
flags 5
without the right                    76
closed fd                            8
END
    # SYNC: 58, as wasi.c documents (Linux cannot switch O_SYNC on an open file)
    expect_exit 0
    expect_file Jelloabc
    ;;
  fd-filestat-set-times) # times set to the nanosecond, read back by the guest and by stat(1)
    start=$(date +%s)
    fdcalls fd_filestat_set_times <<'END'
ATIM|MTIM                            0
atim 1234567890123456789 mtim 1111111111222222222
MTIM_NOW                             0
atim 1234567890123456789 mtim within the call 1
ATIM with ATIM_NOW                   28
MTIM with MTIM_NOW                   28
an unknown flag (16)                 28
without the right                    76
closed fd                            8
END
    end=$(date +%s)
    expect_exit 0
    [ "$(stat -c %.9X box/f)" = 1234567890.123456789 ] || fail "atime $(stat -c %.9X box/f)"
    mtime=$(stat -c %Y box/f)
    [ "$mtime" -ge "$start" ] && [ "$mtime" -le "$end" ] || fail "mtime $mtime, not within $start..$end"
    expect_file hello
    ;;
  fd-advise) # every advice is accepted and changes nothing in the file
    fdcalls fd_advise <<'END'
NORMAL                               0
SEQUENTIAL                           0
RANDOM                               0
WILLNEED                             0
DONTNEED                             0
NOREUSE                              0
NORMAL to the end (len 0)            0
an unknown advice (6)                28
without the right                    76
closed fd                            8
size 5
first bytes 'hello' (0)
END
    expect_exit 0
    expect_file hello
    ;;
  fd-allocate) # the file grows to offset + len, never shrinks, and keeps its bytes; the rest reads as zeros
    fdcalls fd_allocate <<'END'
0+4096                               0
size 4096
8192+100                             0
size 8292
0+10 (inside the file)               0
size 8292
length 0                             28
offset 2^63                          28
without the right                    76
closed fd                            8
size 8292
first bytes 'hello' (0)
END
    expect_exit 0
    [ "$(stat -c %s box/f)" = 8292 ] || fail "size $(stat -c %s box/f)"
    { printf hello; head -c 8287 /dev/zero; } | cmp - box/f || fail "box/f is not hello and 8287 zeros"
    ;;
  sched-yield)
    fdcalls sched_yield <<'END'
1000 calls, 0 failed
sched_yield                          0
END
    expect_exit 0
    ;;
  proc-raise) # NOSYS: no signal reaches the host (docs/limitations.md); the guest goes on and exits normally
    fdcalls proc_raise <<'END'
SIGTERM (15)                         52
SIGKILL (9)                          52
SIGABRT (6)                          52
no signal (0)                        52
still running
END
    expect_exit 7
    [ "$(sqlite3 run.db 'SELECT status, exit_code FROM run')" = "exited|7" ] ||
      fail "run row: $(sqlite3 run.db 'SELECT status, exit_code FROM run')"
    ;;
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
