#!/usr/bin/env bash
# End to end: a testdata program (testdata/README.md) instrumented by
# wasm-instrument and run by `wprof run`; the database must say what the
# program's hand-derived <name>.expected file says.
#   e2e.sh NAME WPROF WASM_INSTRUMENT TESTDATA_DIR
# Allocations are credited as testdata/README.md says: to the innermost
# frame of the allocation's call path that is not an allocator.
set -euo pipefail
name=$1 wprof=$2 instrument=$3 data=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL $name: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$work/p.db" "$1"; }

"$instrument" -q "$data/$name.wasm" "$work/$name.i.wasm" || fail "wasm-instrument failed"
rc=0
(cd "$work" && "$wprof" run -q -o "$work/p.db" "$name.i.wasm" > "$work/stdout" 2> "$work/stderr" < /dev/null) || rc=$?

# per-function allocation credit: walk up from each site through allocator frames
credit="WITH RECURSIVE up(site, id) AS (
    SELECT path_id, path_id FROM alloc_sites
    UNION ALL
    SELECT up.site, p.parent FROM up JOIN call_paths p ON p.id = up.id JOIN functions f ON f.fid = p.fid
    WHERE f.alloc_kind IS NOT NULL AND p.parent IS NOT NULL),
  owner(site, name) AS (
    SELECT up.site, f.name FROM up JOIN call_paths p ON p.id = up.id JOIN functions f ON f.fid = p.fid
    WHERE f.alloc_kind IS NULL)
  SELECT COALESCE(SUM(s.%s_objects), 0) || ' ' || COALESCE(SUM(s.%s_bytes), 0)
  FROM owner o JOIN alloc_sites s ON s.path_id = o.site WHERE o.name = '%s'"

checked=0
while read -r key a b c; do
  case $key in
    '' | '#'*) continue ;;
    exit) [ "$rc" = "$a" ] || fail "exit code $rc, expected $a ($(cat "$work/stderr"))"
          [ "$(q 'SELECT exit_code FROM run')" = "$a" ] || fail "run.exit_code" ;;
    status) [ "$(q 'SELECT status FROM run')" = "$a" ] || fail "status $(q 'SELECT status FROM run'), expected $a"
            [ "$a" != trapped ] || [ "$rc" = 134 ] || fail "a trap exits 134, got $rc" ;;
    stdout) cmp "$data/$a" "$work/stdout" || fail "stdout differs from $a" ;;
    stderr) cmp "$data/$a" "$work/stderr" || fail "stderr differs from $a" ;;
    calls) got=$(q "SELECT COALESCE(SUM(calls), 0) FROM flat_profile WHERE name = '$a'")
           [ "$got" = "$b" ] || fail "calls $a: $got, expected $b" ;;
    allocs | frees | live)
      col=${key%s}; [ "$key" = live ] && col=live; [ "$key" = allocs ] && col=alloc; [ "$key" = frees ] && col=free
      got=$(q "$(printf "$credit" "$col" "$col" "$a")")
      [ "$got" = "$b $c" ] || fail "$key $a: $got, expected $b $c" ;;
    total)
      col=$a; [ "$a" = allocs ] && col=alloc; [ "$a" = frees ] && col=free
      got=$(q "SELECT COALESCE(SUM(${col}_objects), 0) || ' ' || COALESCE(SUM(${col}_bytes), 0) FROM alloc_sites")
      [ "$got" = "$b $c" ] || fail "total $a: $got, expected $b $c" ;;
    *) fail "unknown line in $name.expected: $key" ;;
  esac
  checked=$((checked + 1))
done < "$data/$name.expected"
[ "$checked" -gt 0 ] || fail "nothing checked"
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
[ "$(q 'SELECT unwound_frames = (SELECT COALESCE(SUM(unwound), 0) FROM call_paths) FROM run')" = 1 ] || fail "unwound frames != the paths' unwound"

# wasm-instrument --count-leaves: tiny leaves get a count probe instead of a
# frame; every path, count and allocation stays the same (unwound frames may
# not: a trap inside a counted leaf leaves no frame of it to unwind), the
# counted leaves' own time is 0.
# (the same file name, in another folder: the guest's argv[0] is the path)
mkdir "$work/leaves"
"$instrument" -q --count-leaves "$data/$name.wasm" "$work/leaves/$name.i.wasm" || fail "wasm-instrument --count-leaves failed"
(cd "$work/leaves" && "$wprof" run -q -o "$work/leaves.db" "$name.i.wasm" > "$work/stdout-leaves" 2> /dev/null < /dev/null) || true
cmp "$work/stdout" "$work/stdout-leaves" || fail "--count-leaves: stdout differs"
same="SELECT id, parent, fid, calls FROM call_paths WHERE depth > 0 ORDER BY id; SELECT * FROM alloc_sites ORDER BY path_id;
      SELECT total_calls, total_exits + unwound_frames, status, exit_code FROM run"
[ "$(sqlite3 -batch "$work/p.db" "$same")" = "$(sqlite3 -batch "$work/leaves.db" "$same")" ] ||
  fail "--count-leaves: paths, counts or allocations differ"
[ "$(sqlite3 -batch "$work/leaves.db" 'SELECT COUNT(*) FROM call_paths JOIN functions USING (fid) WHERE frameless = 1 AND incl_ns != 0')" = 0 ] ||
  fail "--count-leaves: a counted leaf has time of its own"
leaves=$(sqlite3 -batch "$work/leaves.db" 'SELECT COUNT(*) FROM functions WHERE frameless = 1')

# wasm-instrument --cost under --deterministic: the same output, paths, counts
# and allocations as without the counter, and ten runs that agree to the byte
# on all of them and on every path's instructions.
mkdir "$work/cost"
"$instrument" -q --cost "$data/$name.wasm" "$work/cost/$name.i.wasm" || fail "wasm-instrument --cost failed"
# (the '(root)' path exists when a sample found no frame open, so it is left out but for its instructions)
tables="SELECT id, parent, fid, calls, unwound, incl_instructions, self_instructions FROM call_paths WHERE depth > 0 ORDER BY id;
        SELECT COALESCE(SUM(self_instructions), 0) FROM call_paths WHERE depth = 0;
        SELECT * FROM alloc_sites ORDER BY path_id;
        SELECT instructions, total_calls, total_exits, unwound_frames, status, exit_code FROM run"
for i in $(seq 10); do
  (cd "$work/cost" && "$wprof" run -q --deterministic -o "$work/cost$i.db" "$name.i.wasm" > "$work/stdout-cost$i" 2> /dev/null < /dev/null) || true
  cmp "$work/stdout-cost1" "$work/stdout-cost$i" || fail "--cost --deterministic: run $i's stdout differs"
  sqlite3 -batch "$work/cost$i.db" "$tables" > "$work/tables$i"
  cmp "$work/tables1" "$work/tables$i" || fail "--cost --deterministic: run $i's tables differ"
done
cmp "$work/stdout" "$work/stdout-cost1" || fail "--cost: stdout differs"
[ "$(sqlite3 -batch "$work/p.db" "$same")" = "$(sqlite3 -batch "$work/cost1.db" "$same")" ] ||
  fail "--cost: paths, counts or allocations differ"
instructions=$(sqlite3 -batch "$work/cost1.db" 'SELECT instructions FROM run')
[ "$instructions" -gt 0 ] || fail "--cost: no instructions counted"
[ "$(sqlite3 -batch "$work/cost1.db" 'SELECT SUM(self_instructions) = (SELECT instructions FROM run), MIN(self_instructions) >= 0 FROM call_paths')" = "1|1" ] ||
  fail "--cost: self instructions do not add up to run.instructions"
echo "ok $name ($checked facts; the same with $leaves functions counted without a frame; $instructions instructions, the same in 10 runs)"
