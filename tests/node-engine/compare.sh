#!/usr/bin/env bash
# The two engines of `wprof run` on one testdata program (testdata/README.md):
# instrumented once, run by --engine wasm2c and by --engine node, the two
# databases must hold the same call paths (id, parent, fid, calls, unwound),
# allocation sites and run totals, and the guest the same stdout and exit
# code. (tests/run/e2e.sh checks the wasm2c database against the program's
# hand-derived .expected file, so the node one is checked too.)
#   compare.sh NAME WPROF WASM_INSTRUMENT TESTDATA_DIR
set -euo pipefail
name=$1 wprof=$2 instrument=$3 data=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL $name: $*" >&2; exit 1; }

"$instrument" -q "$data/$name.wasm" "$work/$name.i.wasm" || fail "wasm-instrument failed"
tables="SELECT id, parent, fid, depth, calls, unwound FROM call_paths WHERE depth > 0 ORDER BY id;
        SELECT * FROM alloc_sites ORDER BY path_id;
        SELECT module_path, module_hash, instrumented, args, status, exit_code, trap, total_calls, total_exits,
               unwound_frames, peak_live_bytes, peak_live_objects, unknown_frees, double_frees FROM run;
        SELECT * FROM functions ORDER BY fid"
for engine in wasm2c node; do
  rc=0
  (cd "$work" && "$wprof" run -q --engine $engine -o "$work/$engine.db" "$name.i.wasm" a b \
     > "$work/$engine.stdout" 2> "$work/$engine.stderr" < /dev/null) || rc=$?
  echo "$rc" > "$work/$engine.rc"
  [ -s "$work/$engine.db" ] || fail "--engine $engine wrote no database (exit $rc: $(cat "$work/$engine.stderr"))"
  [ "$(sqlite3 -batch "$work/$engine.db" 'SELECT host FROM run')" = "$engine" ] || fail "run.host is not $engine"
  sqlite3 -batch "$work/$engine.db" "$tables" > "$work/$engine.tables"
done
cmp "$work/wasm2c.rc" "$work/node.rc" || fail "exit codes differ: wasm2c $(cat "$work/wasm2c.rc"), node $(cat "$work/node.rc")"
cmp "$work/wasm2c.stdout" "$work/node.stdout" || fail "the guest's stdout differs"
diff "$work/wasm2c.tables" "$work/node.tables" > "$work/diff" || fail "the databases differ:
$(head -20 "$work/diff")"
echo "ok $name: $(wc -l < "$work/node.tables") rows the same under wasm2c and node (exit $(cat "$work/node.rc"))"
