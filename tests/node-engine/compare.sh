#!/usr/bin/env bash
# The two engines of `wprof run` on one testdata program (testdata/README.md):
# instrumented once, run by --engine wasm2c and by --engine node, the two
# databases must hold the same call paths (id, parent, fid, calls, unwound),
# allocation sites and run totals, and the guest the same stdout and exit
# code. (tests/run/e2e.sh checks the wasm2c database against the program's
# hand-derived .expected file, so the node one is checked too.) The same
# again for the module rewritten with --cost, with every path's instructions,
# and, under --timing none, for Node's event ring (WPROF_NODE_RING) of 3
# events, smaller than any program's events, so that it is drained many
# times, before frame/catch/alloc probes and at the end.
#   compare.sh NAME WPROF WASM_INSTRUMENT TESTDATA_DIR
set -euo pipefail
name=$1 wprof=$2 instrument=$3 data=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL $name: $*" >&2; exit 1; }

tables="SELECT id, parent, fid, depth, calls, unwound FROM call_paths WHERE depth > 0 ORDER BY id;
        SELECT * FROM alloc_sites ORDER BY path_id;
        SELECT module_path, module_hash, instrumented, args, status, exit_code, trap, total_calls, total_exits,
               unwound_frames, peak_live_bytes, peak_live_objects, unknown_frees, double_frees FROM run;
        SELECT * FROM functions WHERE fid >= 0 ORDER BY fid" # (fid -1: the (root) of samples outside any frame)

# both VARIANT OPTIONS...: the module instrumented with OPTIONS, run by both
# engines, their tables compared (with --cost: each path's instructions too;
# variant ring: --timing none, Node with a ring of 3 events)
both() {
  local variant=$1 engine rc timing=() ring=()
  shift
  [ "$variant" = ring ] && timing=(--timing none) ring=(WPROF_NODE_RING=3)
  mkdir "$work/$variant"
  "$instrument" -q "$@" "$data/$name.wasm" "$work/$variant/$name.i.wasm" || fail "wasm-instrument $* failed"
  local t=$tables
  [ "$variant" = cost ] && t="$t; SELECT id, incl_instructions, self_instructions FROM call_paths WHERE depth > 0 ORDER BY id;
                              SELECT instructions FROM run"
  for engine in wasm2c node; do
    rc=0
    (cd "$work/$variant" && env "${ring[@]}" "$wprof" run -q --engine $engine "${timing[@]}" -o "$work/$engine.db" "$name.i.wasm" a b \
       > "$work/$engine.stdout" 2> "$work/$engine.stderr" < /dev/null) || rc=$?
    echo "$rc" > "$work/$engine.rc"
    [ -s "$work/$engine.db" ] || fail "$variant: --engine $engine wrote no database (exit $rc: $(cat "$work/$engine.stderr"))"
    [ "$(sqlite3 -batch "$work/$engine.db" 'SELECT host FROM run')" = "$engine" ] || fail "run.host is not $engine"
    sqlite3 -batch "$work/$engine.db" "$t" > "$work/$engine.tables"
    rm "$work/$engine.db"
  done
  cmp "$work/wasm2c.rc" "$work/node.rc" || fail "$variant: exit codes differ: wasm2c $(cat "$work/wasm2c.rc"), node $(cat "$work/node.rc")"
  cmp "$work/wasm2c.stdout" "$work/node.stdout" || fail "$variant: the guest's stdout differs"
  diff "$work/wasm2c.tables" "$work/node.tables" > "$work/diff" || fail "$variant: the databases differ:
$(head -20 "$work/diff")"
  rows=$(wc -l < "$work/node.tables")
}
both probes
probe_rows=$rows
both cost --cost
cost_rows=$rows
both ring
echo "ok $name: the same $probe_rows rows under wasm2c and node (exit $(cat "$work/node.rc")), with --cost $cost_rows rows, with a ring of 3 events $rows rows"
