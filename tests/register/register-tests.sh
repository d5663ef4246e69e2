#!/usr/bin/env bash
# tests/register: `node --import wprof-register.mjs` on unchanged JavaScript
# applications. app.mjs (with work.wat: one call of work = one call of the
# path work and two of work;leaf) loads the instrumented module each way
# the WebAssembly API allows, ends normally, through process.exit(), an
# uncaught exception, a trap or SIGINT; sqljs.mjs is sql.js (Emscripten, its
# own glue) with its .wasm instrumented, with sampled time and counting only,
# on the wasm recorder's probes and on the addon's. Each case checks the
# database.
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
  [ "$(q "$1" 'SELECT total_calls = total_exits + unwound_frames FROM run')" = 1 ] || fail "$1: unbalanced frames"
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
    [ "$(q x.db 'SELECT total_calls = total_exits + unwound_frames FROM run')" = 1 ] || fail "unbalanced frames"
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
  *) fail "no such case" ;;
esac
echo "PASS $case_name"
