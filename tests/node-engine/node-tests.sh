#!/usr/bin/env bash
# `wprof run --engine node` (runtime-shim/node) on what the testdata
# comparison (compare.sh) does not cover: guests wasm2c cannot translate
# (tail calls, exceptions) with hand-derived counts and instructions, traps,
# bad input and sampled time, each
# against what the wasm2c engine does where it can run the guest.
#   node-tests.sh CASE WPROF WASM_INSTRUMENT RUN_TEST_DIR SOURCE_DIR
# RUN_TEST_DIR holds the wat modules of tests/run, built; $WAT2WASM is wat2wasm.
set -euo pipefail
case_name=$1 wprof=$2 instrument=$3 wasm=$4 src=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL $case_name: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }
run_wprof() { rc=0; "$wprof" run "$@" > out.txt 2> err.txt || rc=$?; }
expect_rc() { [ "$rc" = "$1" ] || fail "exit code $rc, expected $1; stderr: $(cat err.txt)"; }
path_value() { q "$1" "SELECT $2 FROM call_paths JOIN path_names USING (id) WHERE path = '$3'"; }

case $case_name in
  auto-big)
    # --engine auto gives a module of 1 MiB or more that is not compiled yet to Node,
    # and a small one to wasm2c: 65,000 exported functions of 3 instructions, _start empty
    { echo '(module (memory (export "memory") 1) (func (export "_start"))'
      for i in $(seq 65000); do echo "(func (export \"f$i\") (result i32) (i32.add (i32.const $i) (i32.const 1)))"; done
      echo ')'; } > big.wat
    "$WAT2WASM" big.wat -o big.wasm
    [ "$(stat -c %s big.wasm)" -ge 1048576 ] || fail "big.wasm has only $(stat -c %s big.wasm) bytes"
    WPROF_CACHE_DIR=$work/cache run_wprof -o big.db big.wasm
    expect_rc 0
    [ "$(q big.db 'SELECT host, status FROM run')" = "node|exited" ] || fail "big: $(q big.db 'SELECT host, status FROM run')"
    [ ! -e cache ] || [ -z "$(ls cache)" ] || fail "big: something was compiled: $(ls cache)"
    echo '(module (memory (export "memory") 1) (func (export "_start")))' > small.wat
    "$WAT2WASM" small.wat -o small.wasm
    WPROF_CACHE_DIR=$work/cache run_wprof -o small.db small.wasm
    expect_rc 0
    [ "$(q small.db 'SELECT host FROM run')" = wasm2c ] || fail "small: $(q small.db 'SELECT host FROM run')"
    ;;
  tail-calls)
    # tests/cost/tail-calls.wat: _start calls count(3), which tail-calls itself
    # down to count(0): four activations, each leaving its frame before the
    # next, so four calls of the one path _start;count, nothing unwound.
    "$WAT2WASM" --debug-names --enable-tail-call "$src/tests/cost/tail-calls.wat" -o tail.wasm
    "$instrument" -q tail.wasm tail.i.wasm
    for engine in node auto; do
      run_wprof --engine $engine -o $engine.db tail.i.wasm
      expect_rc 0
      [ "$(q $engine.db 'SELECT host, status, exit_code, total_calls, total_exits, unwound_frames FROM run')" = "node|exited|0|5|5|0" ] ||
        fail "--engine $engine: run row $(q $engine.db 'SELECT host, status, exit_code, total_calls, total_exits, unwound_frames FROM run')"
      [ "$(path_value $engine.db calls _start)" = 1 ] || fail "--engine $engine: _start calls $(path_value $engine.db calls _start)"
      [ "$(path_value $engine.db calls '_start;count')" = 4 ] || fail "--engine $engine: _start;count calls $(path_value $engine.db calls '_start;count')"
      [ "$(q $engine.db 'SELECT COUNT(*) FROM call_paths WHERE depth > 0')" = 2 ] || fail "--engine $engine: paths other than these two"
      grep -qx "wprof: wrote $engine.db: 5 calls, 2 functions, 0 allocations (0 bytes, 0 live), [0-9]* samples.*" err.txt ||
        fail "--engine $engine: summary line: $(cat err.txt)"
    done
    run_wprof --engine wasm2c -o w.db tail.i.wasm
    expect_rc 69
    # with --cost, the instructions tail-calls.wat derives by hand
    "$instrument" -q --cost tail.wasm tail.cost.wasm
    run_wprof --engine node -o cost.db tail.cost.wasm
    expect_rc 0
    [ "$(q cost.db 'SELECT instructions FROM run')" = 29 ] || fail "--cost: run.instructions $(q cost.db 'SELECT instructions FROM run')"
    [ "$(path_value cost.db 'self_instructions, incl_instructions, calls' _start)" = "3|29|1" ] ||
      fail "--cost: _start $(path_value cost.db 'self_instructions, incl_instructions, calls' _start)"
    [ "$(path_value cost.db 'self_instructions, incl_instructions, calls' '_start;count')" = "26|26|4" ] ||
      fail "--cost: _start;count $(path_value cost.db 'self_instructions, incl_instructions, calls' '_start;count')"
    ;;
  traps)
    # every trap of tests/run/wat/traps.wat: exit 134, status trapped, and
    # the same message on stderr and in run.trap as the wasm2c engine
    "$instrument" -q "$wasm/traps.wasm" traps.i.wasm
    for letter in u d m i s; do
      for engine in wasm2c node; do
        run_wprof --engine $engine --timing none -o t.db traps.i.wasm $letter
        expect_rc 134
        cp err.txt $engine.err
        q t.db 'SELECT status, exit_code IS NULL, trap, unwound_frames = (SELECT COALESCE(SUM(unwound), 0) FROM call_paths) FROM run' > $engine.run
      done
      # (the calls before a stack overflow depend on the engine's stack)
      [ $letter = s ] && sed -i 's/: [0-9]* calls, /: N calls, /' wasm2c.err node.err
      cmp wasm2c.err node.err || fail "trap $letter: stderr differs: $(cat wasm2c.err) / $(cat node.err)"
      cmp wasm2c.run node.run || fail "trap $letter: run row differs: $(cat wasm2c.run) / $(cat node.run)"
      grep -q '^trapped|1|' node.run || fail "trap $letter: $(cat node.run)"
    done
    ;;
  bad-abi-version)
    # the wprof.functions section of an instrumented module, its probe ABI
    # version (the byte after the section's name) made 99
    "$instrument" -q "$wasm/counts.wasm" counts.i.wasm
    "$src/tests/node-engine/set-abi-version.py" counts.i.wasm abi99.wasm 99
    for engine in wasm2c node; do
      run_wprof --engine $engine -o x.db abi99.wasm
      echo "$rc" > $engine.rc
      cp err.txt $engine.err
      [ ! -e x.db ] || fail "--engine $engine left a database"
    done
    cmp wasm2c.rc node.rc || fail "exit codes differ: $(cat wasm2c.rc) / $(cat node.rc)"
    cmp wasm2c.err node.err || fail "stderr differs: $(cat wasm2c.err) / $(cat node.err)"
    [ "$(wc -l < node.err)" = 1 ] && grep -q 'probe ABI version 99' node.err || fail "stderr: $(cat node.err)"
    ;;
  bad-options)
    # a missing --dir fails before node starts, in the words of wasm2c's
    run_wprof --engine node --dir nodir -o x.db "$wasm/counts.wasm"
    expect_rc 66
    [ "$(cat err.txt)" = "wprof run: nodir: No such file or directory" ] || fail "stderr: $(cat err.txt)"
    run_wprof --engine nodejs -o x.db "$wasm/counts.wasm"
    expect_rc 64
    [ "$(cat err.txt)" = "wprof run: nodejs: --engine expects node, wasm2c or auto (wprof run --help)" ] || fail "stderr: $(cat err.txt)"
    ;;
  deterministic)
    # clockrand.wat (clocks, a sleep, random bytes) rewritten with --cost,
    # under --deterministic: the guest sees the same values under both
    # engines (wprof-deterministic.mjs mirrors runtime-shim/wasi), so its
    # output, paths, counts and instructions are the same
    "$instrument" -q --cost "$wasm/clockrand.wasm" clockrand.i.wasm
    for engine in wasm2c node; do
      run_wprof -q --deterministic --engine $engine -o $engine.db clockrand.i.wasm
      expect_rc 0
      cp out.txt $engine.out
      q $engine.db "SELECT id, parent, fid, calls, incl_instructions, self_instructions FROM call_paths WHERE depth > 0 ORDER BY id;
                    SELECT instructions FROM run; SELECT value FROM meta WHERE key = 'deterministic'" > $engine.tables
    done
    [ "$(od -An -tu8 -N32 node.out | tr -s ' \n' ' ')" = " 946684800000001000 2000 10003000 1000 " ] ||
      fail "clocks: $(od -An -tu8 -N32 node.out)"
    cmp wasm2c.out node.out || fail "the guest's output differs"
    diff wasm2c.tables node.tables || fail "the tables differ"
    ;;
  sampled)
    # sampled time (the default) under both engines, under Node the wasm
    # recorder's stack read by the addon's timer: _start calls leaf, which
    # returns at once, spin, 2e8 rounds of a linear congruential generator
    # (about 0.3 s, which no compiler shortens), and leaf again: nearly every
    # sample is spin's, none is leaf's
    cat > spin.wat <<'WAT'
(module
  (memory (export "memory") 1)
  (func $leaf)
  (func $spin (local $x i64) (local $n i32)
    (local.set $n (i32.const 200000000))
    (loop
      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
      (br_if 0 (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.store (i32.const 0) (local.get $x)))
  (func (export "_start") (call $leaf) (call $spin) (call $leaf)))
WAT
    "$WAT2WASM" --debug-names spin.wat -o spin.wasm
    "$instrument" -q spin.wasm spin.i.wasm
    for engine in wasm2c node; do
      run_wprof --engine $engine -o $engine.db spin.i.wasm
      expect_rc 0
      total=$(q $engine.db 'SELECT samples FROM run') spin=$(path_value $engine.db samples '_start;spin')
      [ "$total" -ge 50 ] || fail "--engine $engine: $total samples"
      [ $((spin * 100)) -ge $((total * 90)) ] || fail "--engine $engine: spin has $spin of $total samples"
      [ "$(path_value $engine.db 'calls, samples' '_start;leaf')" = "2|0" ] ||
        fail "--engine $engine: leaf $(path_value $engine.db 'calls, samples' '_start;leaf')"
    done
    ;;
  exceptions)
    # what only Node runs: exceptions through instrumented frames (the frame
    # and catch probes), on the wasm recorder's probes and on the addon's.
    # _start calls catcher five times; each calls middle, which calls
    # thrower, which throws; catcher catches: middle and thrower are
    # unwound each time, 16 calls = 6 exits + 10 unwound frames
    cat > eh.wat <<'WAT'
(module
  (memory (export "memory") 1)
  (tag $boom (param i32))
  (func $thrower (param i32) (throw $boom (local.get 0)))
  (func $middle (param i32) (call $thrower (local.get 0)))
  (func $catcher (param i32) (result i32)
    (try (result i32)
      (do (call $middle (local.get 0)) (i32.const 0))
      (catch $boom)))
  (func (export "_start") (local $i i32)
    (loop
      (drop (call $catcher (local.get $i)))
      (br_if 0 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 5))))))
WAT
    "$WAT2WASM" --debug-names --enable-exceptions eh.wat -o eh.wasm
    "$instrument" -q eh.wasm eh.i.wasm
    for probes in "" addon; do
      WPROF_NODE_PROBES=$probes run_wprof --engine node --timing none -o eh.db eh.i.wasm
      expect_rc 0
      [ "$(q eh.db 'SELECT status, total_calls, total_exits, unwound_frames FROM run')" = "exited|16|6|10" ] ||
        fail "probes '$probes': run $(q eh.db 'SELECT status, total_calls, total_exits, unwound_frames FROM run')"
      got=$(q eh.db "SELECT path || '=' || calls || '/' || unwound FROM call_paths JOIN path_names USING (id) ORDER BY id" | tr '\n' ' ')
      [ "$got" = "_start=1/0 _start;catcher=5/0 _start;catcher;middle=5/5 _start;catcher;middle;thrower=5/5 " ] ||
        fail "probes '$probes': paths $got"
      [ "$(q eh.db "SELECT value FROM meta WHERE key = 'probe_mismatches'")" = 0 ] || fail "probes '$probes': mismatches"
    done
    ;;
  *) fail "unknown case" ;;
esac
echo "ok $case_name"
