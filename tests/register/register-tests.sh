#!/usr/bin/env bash
# tests/register: `node --import wprof-register.mjs` on unchanged JavaScript
# applications. app.mjs (with work.wat: one call of work = one call of the
# path work and two of work;leaf) loads the instrumented module each way
# the WebAssembly API allows, ends normally, through process.exit(), an
# uncaught exception, a trap or SIGINT; sqljs.mjs is sql.js (Emscripten, its
# own glue) with its .wasm instrumented, with sampled time and counting only,
# on the wasm recorder's probes and on the addon's; tiktoken.mjs
# @dqbd/tiktoken (wasm-bindgen, its own glue) likewise; reentry.mjs (with
# reentry.wat) throws through wasm frames and calls back into wasm from its
# import. Each case checks the database.
#   register-tests.sh CASE REGISTER_MJS WASM_INSTRUMENT SOURCE_DIR
# $WAT2WASM is wat2wasm.
set -euo pipefail
case_name=$1 register=$2 instrument=$3 src=$4
here=$src/tests/register
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL $case_name: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }
calls() { q "$1" "SELECT calls FROM call_paths JOIN path_names USING (id) WHERE path = '$2'"; }
# app DB ARGS...: the application under the register module, its exit code in $rc
app() { local db=$1; shift; rc=0; WPROF_OUTPUT=$db node --import "$register" "$here/app.mjs" "$@" > out.txt 2> err.txt || rc=$?; }
expect_rc() { [ "$rc" = "$1" ] || fail "exit code $rc, expected $1; stderr: $(cat err.txt)"; }
expect_run() { # DB 'status|exit_code|trap' WORK_CALLS
  [ "$(q "$1" 'SELECT status, exit_code, trap FROM run')" = "$2" ] || fail "$1: run $(q "$1" 'SELECT status, exit_code, trap FROM run'), expected $2"
  [ "$(q "$1" "SELECT value FROM meta WHERE key = 'complete'")" = 1 ] || fail "$1: not complete"
  [ "$(calls "$1" work)" = "$3" ] || fail "$1: work called $(calls "$1" work) times, expected $3"
  [ "$(calls "$1" 'work;leaf')" = $((2 * $3)) ] || fail "$1: leaf called $(calls "$1" 'work;leaf') times, expected $((2 * $3))"
  [ "$(q "$1" 'SELECT unwound_frames = (SELECT COALESCE(SUM(unwound), 0) FROM call_paths) FROM run')" = 1 ] || fail "$1: unwound frames != the paths' unwound"
}
"$WAT2WASM" --debug-names "$here/work.wat" -o work.wasm
"$instrument" -q work.wasm work.i.wasm
ways=(bytes module streaming instance sync)

case $case_name in
  ways)
    # each way alone, 3 + k calls for the k-th; then all of them in one
    # process (the same module: one recorder, the counts add up), with the
    # uninstrumented module instantiated beside them and left alone
    k=0
    for way in "${ways[@]}"; do
      app $way.db work.i.wasm $way $((3 + k))
      expect_rc 0
      expect_run $way.db 'exited|0|' $((3 + k))
      grep -q "^wprof: wrote $work/$way.db: $((3 * (3 + k))) calls, 2 functions" err.txt || fail "$way: summary: $(cat err.txt)"
      k=$((k + 1))
    done
    app all.db work.i.wasm "$(IFS=,; echo "${ways[*]}")" 4 return work.wasm
    expect_rc 0
    expect_run all.db 'exited|0|' $((4 * ${#ways[@]}))
    [ "$(q all.db 'SELECT module_path FROM run')" = work.i.wasm ] || fail "module_path $(q all.db 'SELECT module_path FROM run')"
    ;;
  default-output)
    mkdir d && (cd d && rc=0 && node --import "$register" "$here/app.mjs" ../work.i.wasm sync 2 2> ../err.txt) || fail "$(cat err.txt)"
    expect_run d/wprof.db 'exited|0|' 2
    ;;
  exit | throw | trap)
    # process.exit(3) after 2 + 2 calls (the calls after it never happen), an
    # uncaught Error, a trap: the database is complete, with the calls made
    app x.db work.i.wasm bytes,instance 2 $case_name
    case $case_name in
      exit) expect_rc 3; expect_run x.db 'exited|3|' 4 ;;
      throw) expect_rc 1; expect_run x.db 'error||uncaught exception: the application gives up' 4
             grep -q 'the application gives up' err.txt || fail "the application's error is not shown: $(cat err.txt)" ;;
      trap) expect_rc 1; expect_run x.db 'trapped||unreachable executed' 4
            [ "$(calls x.db trap)" = 1 ] || fail "trap called $(calls x.db trap) times" ;;
    esac
    ;;
  sigint-busy | sigint-idle)
    # the application calls work forever (busy: a loop; idle: a timer); SIGINT
    # once it is running: status interrupted, exit code 130, complete
    mode=${case_name#sigint-}
    WPROF_OUTPUT=x.db node --import "$register" "$here/app.mjs" work.i.wasm sync 2 ${mode/busy/loop} > out.txt 2> err.txt &
    pid=$!
    for _ in $(seq 100); do grep -q ready out.txt && break; sleep 0.1; done
    grep -q ready out.txt || fail "the application did not start: $(cat err.txt)"
    sleep 0.3
    kill -INT $pid
    rc=0; wait $pid || rc=$?
    expect_rc 130
    [ "$(q x.db 'SELECT status, trap FROM run')" = 'interrupted|SIGINT' ] || fail "run $(q x.db 'SELECT status, trap FROM run')"
    [ "$(q x.db "SELECT value FROM meta WHERE key = 'complete'")" = 1 ] || fail "not complete"
    w=$(calls x.db work) l=$(calls x.db 'work;leaf')
    [ "$w" -gt 2 ] || fail "work called $w times"
    # the signal stops the next enter: of work (leaf = 2 work) or of either leaf
    [ "$l" -le $((2 * w)) ] && [ "$l" -ge $((2 * w - 2)) ] || fail "work $w, leaf $l"
    [ "$(q x.db 'SELECT unwound_frames = (SELECT COALESCE(SUM(unwound), 0) FROM call_paths) FROM run')" = 1 ] || fail "unwound frames != the paths' unwound"
    grep -qx 'wprof: guest interrupted by SIGINT' err.txt || fail "stderr: $(cat err.txt)"
    ;;
  cost)
    # wasm-instrument --cost: the instance's wprof.cost counter. work runs 3
    # instructions of its own (local.get, call, call), leaf 3 (local.get,
    # i32.const, i32.add): 9 a call. A second instance of a --cost module is
    # not profiled (its counter is another), with a warning.
    "$instrument" -q --cost work.wasm work.c.wasm
    app x.db work.c.wasm sync,instance 4
    expect_rc 0
    expect_run x.db 'exited|0|' 4
    [ "$(q x.db 'SELECT instructions FROM run')" = 36 ] || fail "instructions $(q x.db 'SELECT instructions FROM run')"
    [ "$(q x.db "SELECT group_concat(self_instructions || '/' || incl_instructions, ' ') FROM (SELECT * FROM call_paths JOIN path_names USING (id) WHERE depth > 0 ORDER BY path)")" = '12/36 24/24' ] ||
      fail "instructions of work, work;leaf: $(q x.db "SELECT group_concat(self_instructions || '/' || incl_instructions, ' ') FROM (SELECT * FROM call_paths JOIN path_names USING (id) WHERE depth > 0 ORDER BY path)")"
    grep -qx 'wprof: an instance of an instrumented module is not profiled (another instance of the --cost module work.c.wasm): one recorder per process' err.txt ||
      fail "stderr: $(cat err.txt)"
    ;;
  second-module)
    # another instrumented module in the same process: a warning, no probes, it runs
    wat2wasm_out=other.wasm
    echo '(module (func $other (export "work") (param i32) (result i32) local.get 0))' > other.wat
    "$WAT2WASM" --debug-names other.wat -o "$wat2wasm_out"
    "$instrument" -q other.wasm other.i.wasm
    app x.db work.i.wasm sync 2 return other.i.wasm
    expect_rc 0
    expect_run x.db 'exited|0|' 2
    grep -qx 'wprof: an instance of an instrumented module is not profiled (this process records work.i.wasm): one recorder per process' err.txt ||
      fail "stderr: $(cat err.txt)"
    [ "$(q x.db "SELECT COUNT(*) FROM functions WHERE name = 'other'")" = 0 ] || fail "other recorded"
    ;;
  not-instrumented | no-wasm)
    # nothing to profile: one note, no database
    if [ $case_name = no-wasm ]; then
      rc=0; WPROF_OUTPUT=x.db node --import "$register" -e 'console.log("no wasm here")' > out.txt 2> err.txt || rc=$?
      note='wprof: the application instantiated no WebAssembly module: no database written'
    else
      app x.db work.wasm bytes,sync 2
      note='wprof: the application instantiated 2 WebAssembly module(s), none importing wprof probes (instrument the .wasm with wasm-instrument): no database written'
    fi
    expect_rc 0
    [ ! -e x.db ] || fail "a database was left"
    [ "$(cat err.txt)" = "$note" ] || fail "stderr: $(cat err.txt)"
    ;;
  bad-abi-version)
    # the probe ABI version (the byte after the section's name) made 99: one line, exit 65, no database
    "$src/tests/node-engine/set-abi-version.py" work.i.wasm abi99.wasm 99
    app x.db abi99.wasm bytes 2
    expect_rc 65
    [ ! -e x.db ] || fail "a database was left"
    [ "$(wc -l < err.txt)" = 1 ] && grep -q '^wprof: abi99.wasm: .*probe ABI version 99' err.txt || fail "stderr: $(cat err.txt)"
    ;;
  sqljs)
    # sql.js's own sql-wasm.wasm, instrumented, loaded by its untouched glue
    # (locateFile): N rows inserted one statement at a time. Its exports are
    # minified (U, V, ...) and it has no name section, so a function is named
    # by its export; the glue says which export is which (Module._sqlite3_step=wasmExports.V).
    dist=$src/tests/register/node_modules/sql.js/dist
    [ -f "$dist/sql-wasm.wasm" ] || fail "sql.js is not installed: scripts/setup.sh installs it (npm ci in tests/register)"
    "$instrument" -q "$dist/sql-wasm.wasm" sql.i.wasm
    n=37
    export_of() { # the export the glue binds Module._NAME to
      local e
      e=$(grep -o "\._$1=[a-z]\.[A-Za-z_\$][A-Za-z0-9_\$]*" "$dist/sql-wasm.js" | sed 's/.*\.//')
      [ -n "$e" ] || fail "sql-wasm.js binds no export to _$1"
      echo "$e"
    }
    # sampled time (the default) and counts only, both with the wasm
    # recorder's probes (runtime-shim/wasm-recorder), and counts only with
    # the addon's (WPROF_NODE_PROBES=addon)
    for variant in sampled none none:addon; do
      probes=
      [ "$variant" = none:addon ] && probes=addon
      rc=0; WPROF_TIMING=${variant%:*} WPROF_NODE_PROBES=$probes WPROF_OUTPUT=x.db \
        node --import "$register" "$here/sqljs.mjs" "$work/sql.i.wasm" $n > out.txt 2> err.txt || rc=$?
      expect_rc 0
      [ "$(q x.db 'SELECT status, exit_code, module_path, timing FROM run')" = "exited|0|$work/sql.i.wasm|${variant%:*}" ] ||
        fail "$variant: run $(q x.db 'SELECT status, exit_code, module_path, timing FROM run')"
      [ "$(q x.db "SELECT value FROM meta WHERE key = 'complete'")" = 1 ] || fail "$variant: not complete"
      # calls from JavaScript (paths of depth 1): once per row, once for the
      # CREATE (sqlite3_exec), and one string copied in and freed per Database.run
      for f_count in sqlite3_prepare_v2=$n sqlite3_clear_bindings=$n sqlite3_reset=$n sqlite3_bind_int=$n \
                     sqlite3_step=$n sqlite3_finalize=$n sqlite3_exec=1 malloc=$((n + 1)) free=$((n + 1)); do
        f=${f_count%=*} want=${f_count#*=}
        e=$(export_of "$f")
        [ "$(q x.db "SELECT COUNT(*) FROM functions WHERE name = '$e'")" = 1 ] || fail "no function named $e ($f)"
        got=$(calls x.db "$e")
        [ "$got" = "$want" ] || fail "$variant: $f ($e) called $got times from JavaScript, expected $want"
      done
    done
    ;;
  reentry-throw | reentry-nest | reentry-trap | reentry-start)
    # reentry.mjs (its header says what each step calls): the expected call
    # paths as "path calls unwound" lines, counted by hand from reentry.wat
    # (init and init;inner once: the start function of the first instance);
    # every run without probe mismatches (an exit not matching the top frame)
    "$WAT2WASM" --enable-exceptions --debug-names "$here/reentry.wat" -o reentry.wasm
    "$instrument" -q reentry.wasm reentry.i.wasm
    reentry() { # DB STEPS: the application, its exit code in $rc
      rc=0; WPROF_OUTPUT=$1 node --import "$register" "$here/reentry.mjs" reentry.i.wasm "$2" > out.txt 2> err.txt || rc=$?
    }
    paths() { q "$1" "SELECT path || ' ' || calls || ' ' || unwound FROM call_paths JOIN path_names USING (id) WHERE depth > 0 ORDER BY path"; }
    expect_paths() { # DB 'status|exit_code|trap' 'total_calls|total_exits|unwound_frames' PATH-LINES
      [ "$(q "$1" 'SELECT status, exit_code, trap FROM run')" = "$2" ] || fail "$1: run $(q "$1" 'SELECT status, exit_code, trap FROM run'), expected $2"
      [ "$(q "$1" 'SELECT total_calls, total_exits, unwound_frames FROM run')" = "$3" ] ||
        fail "$1: calls|exits|unwound $(q "$1" 'SELECT total_calls, total_exits, unwound_frames FROM run'), expected $3"
      [ "$(q "$1" "SELECT value FROM meta WHERE key = 'probe_mismatches'")" = 0 ] || fail "$1: probe mismatches"
      [ "$(paths "$1")" = "$4" ] || fail "$1: paths
$(paths "$1")
expected
$4"
    }
    case $case_name in
      reentry-throw)
        # the import throws through outer and inner; caught, then a clean
        # call: its paths are those of two clean calls, the thrown call's two
        # frames unwound. The same through its table.
        for first in throw table; do
          reentry $first.db $first,clean
          expect_rc 0
          expect_paths $first.db 'exited|0|' '6|4|2' "init 1 0
init;inner 1 0
outer 2 1
outer;inner 2 1"
        done
        reentry clean.db clean,clean
        expect_rc 0
        expect_paths clean.db 'exited|0|' '6|6|0' "init 1 0
init;inner 1 0
outer 2 0
outer;inner 2 0"
        # --cost: init, outer and inner run 2 instructions each (global.get
        # or local.get, call), the thrown call's included: outer 4 self and 8
        # in all, inner 4 under outer; the run 12 with init's 4 (a start
        # function's are the root's under Node: docs/limitations.md)
        "$instrument" -q --cost reentry.wasm reentry.i.wasm
        reentry cost.db throw,clean
        expect_rc 0
        expect_paths cost.db 'exited|0|' '6|4|2' "init 1 0
init;inner 1 0
outer 2 1
outer;inner 2 1"
        got=$(q cost.db "SELECT group_concat(self_instructions || '/' || incl_instructions, ' ') FROM (SELECT * FROM call_paths JOIN path_names USING (id) WHERE path LIKE 'outer%' ORDER BY path)")
        [ "$got" = '4/8 4/4' ] && [ "$(q cost.db 'SELECT instructions FROM run')" = 12 ] ||
          fail "instructions (self/incl of outer, outer;inner): $got, run $(q cost.db 'SELECT instructions FROM run')"
        ;;
      reentry-nest)
        # nest: outer;inner three times over, once each. catch-in: outer and
        # outer;inner once more, and under them the re-entered outer(-1)
        # whose two frames the import's Error unwinds (caught one level down:
        # the outer call then returns normally). shield: inner unwound by the
        # guest's own catch_all. Then clean: outer and outer;inner once more.
        reentry x.db nest,catch-in,shield,clean
        expect_rc 0
        expect_paths x.db 'exited|0|' '16|13|3' "init 1 0
init;inner 1 0
outer 3 0
outer;inner 3 0
outer;inner;outer 2 1
outer;inner;outer;inner 2 1
outer;inner;outer;inner;outer 1 0
outer;inner;outer;inner;outer;inner 1 0
shield 1 0
shield;inner 1 1"
        ;;
      reentry-trap)
        # a trap caught by the application (trap and fault unwound), then a
        # clean call: the run ends normally (exited, not trapped). Then the
        # import's Error left uncaught: status error, its two frames unwound.
        reentry caught.db trap,clean
        expect_rc 0
        expect_paths caught.db 'exited|0|' '6|4|2' "init 1 0
init;inner 1 0
outer 1 0
outer;inner 1 0
trap 1 1
trap;fault 1 1"
        reentry uncaught.db trap,clean,uncaught
        expect_rc 1
        expect_paths uncaught.db 'error||uncaught exception: thrown by the import' '8|4|4' "init 1 0
init;inner 1 0
outer 2 1
outer;inner 2 1
trap 1 1
trap;fault 1 1"
        ;;
      reentry-start)
        # two instances whose start function's import throws (one made by
        # new WebAssembly.Instance, one by WebAssembly.instantiate): init and
        # init;inner twice more, unwound; then a clean call
        reentry x.db start,clean
        expect_rc 0
        expect_paths x.db 'exited|0|' '8|4|4' "init 3 2
init;inner 3 2
outer 1 0
outer;inner 1 0"
        ;;
    esac
    ;;
  tiktoken)
    # @dqbd/tiktoken's lite build (wasm-bindgen, --target nodejs; bulk
    # memory), its glue copied untouched beside its .wasm instrumented (the
    # glue reads tiktoken_bg.wasm from its own directory). tiktoken.mjs's
    # header says what it calls: E + 1 + K + 1 encodes, each one call of the
    # export tiktoken_encode from JavaScript, 2 tokenizers made and freed.
    lite=$src/tests/register/node_modules/@dqbd/tiktoken/lite
    [ -f "$lite/tiktoken_bg.wasm" ] || fail "@dqbd/tiktoken is not installed: scripts/setup.sh installs it (npm ci in tests/register)"
    cp -r "$lite" tk
    "$instrument" -q tk/tiktoken_bg.wasm tk/tiktoken_bg.wasm
    e=5 k=3
    rc=0; WPROF_OUTPUT=x.db node --import "$register" "$here/tiktoken.mjs" "$work/tk" $e $k > out.txt 2> err.txt || rc=$?
    expect_rc 0
    [ "$(q x.db 'SELECT status, exit_code, module_path FROM run')" = "exited|0|$work/tk/tiktoken_bg.wasm" ] || fail "run $(q x.db 'SELECT status, exit_code, module_path FROM run')"
    [ "$(q x.db "SELECT value FROM meta WHERE key = 'complete'") $(q x.db "SELECT value FROM meta WHERE key = 'probe_mismatches'")" = '1 0' ] ||
      fail "not complete, or probe mismatches"
    # The glue's minified names: strings are copied in by
    # passStringToWasm0(text, MALLOC, REALLOC); an encode's result is freed
    # by FREE(r0, r1 * 4, 4); every call with a result area moves the stack
    # pointer twice (-16, then 16 in a finally, also after a throw).
    glue=tk/tiktoken_bg.cjs
    grep -q 'passStringToWasm0(text, wasm.__wbindgen_export_1, wasm.__wbindgen_export_2)' $glue &&
      grep -q 'wasm.__wbindgen_export_3(r0, r1 \* 4, 4)' $glue || fail "the glue's malloc, realloc and free are not those named here"
    calls=$((e + 1 + k + 1))
    for f_count in tiktoken_new=2 __wbg_tiktoken_free=2 tiktoken_encode=$calls __wbindgen_add_to_stack_pointer=$((2 * calls)) \
                   __wbindgen_export_1=$((2 * 2 + calls)) __wbindgen_export_2=2 __wbindgen_export_3=$((calls - k)); do
      f=${f_count%=*} want=${f_count#*=}
      got=$(calls x.db "$f")
      [ "$got" = "$want" ] || fail "$f called $got times from JavaScript, expected $want"
    done
    # The K encodes with the freed tokenizer throw through the frames the
    # disassembly shows: tiktoken_encode calls B, which on a null pointer
    # calls A (the 27 bytes of "null pointer passed to rust"), which calls T,
    # the only function that calls the import __wbindgen_throw. Those four
    # frames are unwound K times, and nothing else is.
    wasm-objdump -d "$lite/tiktoken_bg.wasm" > dis.txt
    in_func='/^[0-9a-f]+ func\[/ { f = $2; sub(/:$/, "", f); sub(/^func\[/, "", f); sub(/\]$/, "", f) }'
    t=$(awk "$in_func"' /\| *call [0-9]+ <.*__wbindgen_throw>$/ { print f }' dis.txt | sort -u)
    a=$(awk "$in_func"' $0 ~ ("\\| *call " t "$") && prev ~ /\| *i32\.const 27$/ { print f } { prev = $0 }' t="$t" dis.txt | sort -u)
    encode=$(awk "$in_func"' $0 ~ /^[0-9a-f]+ func\[[0-9]+\] <tiktoken_encode>:$/ { print f }' dis.txt)
    b=$(comm -12 <(awk "$in_func"' f == n && /\| *call [0-9]+$/ { print $NF }' n="$encode" dis.txt | sort -u) \
                 <(awk "$in_func"' $0 ~ ("\\| *call " a "$") { print f }' a="$a" dis.txt | sort -u))
    [ "$(echo "$t" | wc -w) $(echo "$a" | wc -w) $(echo "$b" | wc -w)" = '1 1 1' ] && [ ${#a} -gt 0 ] ||
      fail "the disassembly does not show one throwing chain: T '$t', A '$a', B '$b'"
    [ "$(q x.db 'SELECT unwound_frames FROM run')" = $((4 * k)) ] || fail "unwound_frames $(q x.db 'SELECT unwound_frames FROM run'), expected $((4 * k))"
    chain=tiktoken_encode
    for g in "func[$b]" "func[$a]" "func[$t]"; do
      chain="$chain;$g"
      got=$(q x.db "SELECT unwound FROM call_paths JOIN path_names USING (id) WHERE path = '$chain'")
      [ "$got" = $k ] || fail "$chain unwound $got times, expected $k"
    done
    [ "$(q x.db 'SELECT unwound FROM call_paths JOIN path_names USING (id) WHERE path = '"'tiktoken_encode'")" = $k ] || fail "tiktoken_encode not unwound $k times"
    [ "$(calls x.db "$chain")" = $k ] || fail "$chain called $(calls x.db "$chain") times, expected $k"
    ;;
  *) fail "no such case" ;;
esac
echo "PASS $case_name"
