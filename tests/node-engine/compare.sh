#!/usr/bin/env bash
# The two engines of `wprof run` on one testdata program (testdata/README.md):
# instrumented once, run by --engine wasm2c and by --engine node, the two
# databases must hold the same call paths (id, parent, fid, calls, unwound),
# allocation sites and run totals, and the guest the same stdout and exit
# code. (tests/run/e2e.sh checks the wasm2c database against the program's
# hand-derived .expected file, so the node one is checked too.) The same
# again for the module rewritten with --cost, with every path's instructions,
# and under --timing none. Node's call probes are the wasm recorder's
# (runtime-shim/wasm-recorder), whose tables start small enough to grow in
# every program, and whose tree the addon reads before allocation probes
# and at the end; the addon's own N-API probes (WPROF_NODE_PROBES=addon, as
# under exact time and --trace) are compared too, with and without --cost.
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
# variant none: --timing none; variants addon*: Node's probes the addon's)
both() {
  local variant=$1 engine rc timing=() probes=
  shift
  [ "$variant" = none ] && timing=(--timing none)
  [ "${variant#addon}" != "$variant" ] && probes=addon
  mkdir "$work/$variant"
  "$instrument" -q "$@" "$data/$name.wasm" "$work/$variant/$name.i.wasm" || fail "wasm-instrument $* failed"
  local t=$tables
  [ "${variant%cost}" != "$variant" ] && t="$t; SELECT id, incl_instructions, self_instructions FROM call_paths WHERE depth > 0 ORDER BY id;
                              SELECT instructions FROM run"
  for engine in wasm2c node; do
    rc=0
    (cd "$work/$variant" && WPROF_NODE_PROBES=$probes "$wprof" run -q --engine $engine "${timing[@]}" -o "$work/$engine.db" "$name.i.wasm" a b \
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
both none
both addon
both addon-cost --cost
echo "ok $name: the same $probe_rows rows under wasm2c and node (exit $(cat "$work/node.rc")), with --cost $cost_rows rows, also with the addon's probes"
