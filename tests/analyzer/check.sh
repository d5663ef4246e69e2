#!/usr/bin/env bash
# Analyzer tests over hand-built databases (make-db.sh + data/*.sql, whose
# comments give the hand-computed numbers). One group per CTest test:
#   check.sh GROUP DRIVER SOURCE_DIR WORK_DIR
# GROUP: report | errors | diff | export | queries
# Golden files in golden/ were written from the fixtures' hand-computed
# values; a mismatch prints a diff.
set -uo pipefail
group=$1 driver=$2 src=$3 work=$4
top=$(cd "$src/../.." && pwd)
mkdir -p "$work"
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

db() { # db NAME FIXTURES... -> $work/NAME.db, rebuilt when the schema or a fixture is newer
  local name=$1 input fresh=1; shift
  for input in "$top/docs/schema.md" "${@/#/$src/data/}"; do
    [ "$work/$name.db" -nt "$input" ] || fresh=
  done
  [ -n "$fresh" ] && return
  # groups run in parallel: build aside, then rename into place
  "$src/make-db.sh" "$top/docs/schema.md" "$work/$name.db.$$" "${@/#/$src/data/}" &&
    mv -f "$work/$name.db.$$" "$work/$name.db" || { echo "cannot build $name.db" >&2; exit 1; }
}
db fib fib.sql
db fib2 fib.sql fib2.sql
db mutual mutual.sql
db trace trace.sql
db empty empty.sql
db sampled sampled.sql
db names fib.sql names.sql
db deep fib.sql deep.sql

# expect_out EXPECTED_RC GOLDEN_FILE COMMAND...: stdout must equal the golden file.
expect_out() {
  local rc=$1 golden=$2; shift 2
  local out; out=$("$@" 2>"$work/stderr"); local got=$?
  [ "$got" = "$rc" ] || fail "exit $got, expected $rc: $* ($(cat "$work/stderr"))"
  diff -u "$src/golden/$golden" <(printf '%s\n' "$out") >&2 || fail "output of $* differs from golden/$golden"
}

# expect_err EXPECTED_RC MESSAGE COMMAND...: stderr must be exactly MESSAGE, stdout empty.
expect_err() {
  local rc=$1 message=$2; shift 2
  local out; out=$("$@" 2>"$work/stderr"); local got=$?
  [ "$got" = "$rc" ] || fail "exit $got, expected $rc: $*"
  [ "$(cat "$work/stderr")" = "$message" ] || fail "stderr of $*: '$(cat "$work/stderr")', expected '$message'"
  [ -z "$out" ] || fail "stdout of $* not empty: $out"
}

# expect_eq WHAT GOT EXPECTED
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }

R() { "$driver" report "$@"; }

# The JSON of a flame graph page (wprof export --format html, wprof diff --flame), read by
# Python as P: prints PYTHON_EXPRESSION_OF_P.
profile_json() { # profile_json HTML PYTHON_EXPRESSION_OF_P
  python3 -c 'import json, sys
page = open(sys.argv[1], encoding="utf-8").read()
opening = "<script id=\"profile\" type=\"application/json\">\n"
start = page.index(opening) + len(opening)
P = json.loads(page[start:page.index("\n</script>", start)])
print(eval(sys.argv[2]))' "$@"
}

case $group in
report)
  expect_out 0 fib-top.txt R "$work/fib.db"
  expect_out 0 fib-top.csv R "$work/fib.db" top --format csv
  expect_out 0 fib-top-cum-limit.json R "$work/fib.db" top --sort cum --limit 2 --format json
  expect_out 0 fib-top-calls.csv R "$work/fib.db" --format csv top --sort calls
  expect_out 0 fib-top-name.csv R "$work/fib.db" top --sort name --format csv
  expect_out 0 fib-top-focus.csv R "$work/fib.db" top --focus 'f*' --ignore 'free' --format csv
  expect_out 0 mutual-top.txt R "$work/mutual.db" top
  expect_out 0 mutual-top.csv R "$work/mutual.db" top --format csv
  expect_out 0 fib-tree.csv R "$work/fib.db" tree --format csv
  expect_out 0 fib-tree.txt R "$work/fib.db" tree --min-percent 5
  expect_out 0 fib-tree-depth.csv R "$work/fib.db" tree --depth 3 --format csv
  expect_out 0 fib-peek.txt R "$work/fib.db" peek fib
  expect_out 0 fib-peek-main.csv R "$work/fib.db" peek main --format csv
  expect_out 0 mutual-peek.csv R "$work/mutual.db" peek '*' --format csv
  # --metric instructions: fib.sql's hand-chosen instruction columns (its header comment)
  expect_out 0 fib-top-instructions.txt R "$work/fib.db" --metric instructions
  expect_out 0 fib-top-instructions-cum.csv R "$work/fib.db" top --metric instructions --sort cum --format csv
  expect_out 0 fib-tree-instructions.txt R "$work/fib.db" tree --metric instructions --min-percent 5
  expect_out 0 fib-tree-instructions.csv R "$work/fib.db" tree --metric instructions --format csv
  expect_out 0 fib-peek-instructions.txt R "$work/fib.db" peek fib --metric instructions
  expect_out 0 fib-peek-main-instructions.csv R "$work/fib.db" peek main --metric instructions --format csv
  expect_out 0 fib-top.txt R "$work/fib.db" --metric time
  # a run without time that counted instructions is weighed by them by default
  cp "$work/fib.db" "$work/untimed-counted.db"
  sqlite3 "$work/untimed-counted.db" "UPDATE run SET timing = 'none'; UPDATE call_paths SET self_ns = 0, incl_ns = 0"
  expect_eq "untimed counted: default metric" "$(R "$work/untimed-counted.db" --format csv | head -n 2)" \
    "$(printf 'self_instructions,incl_instructions,calls,primitive_calls,name,fid\n1000,1610,1,1,main,0')"
  expect_out 0 fib-allocs.txt R "$work/fib.db" allocs
  expect_out 0 fib-allocs-inuse-objects.csv R "$work/fib.db" allocs --sample inuse_objects --format csv
  expect_out 0 fib-allocs-focus.csv R "$work/fib.db" allocs --focus '*fib*' --format csv
  expect_out 0 fib-leaks.txt R "$work/fib.db" leaks
  expect_out 0 fib-peak.txt R "$work/fib.db" peak
  # a 100,000-deep direct recursion (data/deep.sql): stacks collapse the recursion into one
  # frame, and every view finishes in time proportional to the paths (they were quadratic: hours)
  expect_eq "deep tree instructions" "$(timeout 60 "$driver" report "$work/deep.db" tree --metric instructions --format csv)" \
    "$(printf 'calls,incl_instructions,self_instructions,name,depth,path_id,fid\n1,300005,5,main,1,1,0\n100000,300000,300000,fib,2,2,1')"
  deep_note="Note: the tree is 100001 calls deep (over 1000): stacks are drawn with direct recursion collapsed into one frame"
  expect_eq "deep tree" "$(timeout 60 "$driver" report "$work/deep.db" tree | sed -n '5p;8,$p')" \
    "$(printf '%s\n     1  1.00 ms  100.00%%    10 ns  main\n100000  1.00 ms  100.00%%  1.00 ms    fib' "$deep_note")"
  expect_eq "deep allocs path" "$(timeout 60 "$driver" report "$work/deep.db" allocs | tail -n 1 | awk '{print $NF}')" "main;fib"
  expect_eq "deep leaks" "$(timeout 60 "$driver" report "$work/deep.db" leaks | grep -c 'main;fib$')" 1
  expect_eq "deep peak" "$(timeout 60 "$driver" report "$work/deep.db" peak | grep -c 'main;fib$')" 1
  evil='fi;b\x0ax\x1b[31m\\'
  expect_eq "escaped name in top" "$(R "$work/names.db" top --sort name | awk 'NR > 4 && /fi;b/ {print $NF}')" "$evil"
  expect_eq "escaped name in csv" "$(R "$work/names.db" top --sort name --format csv | grep -c 'fi;b.x0ax.x1b\[31m')" 1
  expect_eq "no raw ESC in any text output" \
    "$( (R "$work/names.db" top; R "$work/names.db" tree; R "$work/names.db" --format csv tree) | grep -c "$(printf '\033')")" 0
  expect_eq "name in json" "$(R "$work/names.db" top --sort name --format json | grep -o '"fi;b[^"]*"' | head -n 1)" \
    '"fi;b\u000ax\u001b[31m\\"'
  expect_out 0 fib-peak.json R "$work/fib.db" peak --format json
  expect_out 0 trace-calls.txt R "$work/trace.db" calls
  expect_out 0 trace-calls.json R "$work/trace.db" calls --limit 2 --format json
  expect_out 0 trace-calls-focus.csv R "$work/trace.db" calls --focus '*;eval' --format csv
  expect_out 0 fib-info.txt R "$work/fib.db" info
  expect_out 0 empty-info.csv R "$work/empty.db" info --format csv
  # A sampled run: the Time: line gives the samples, the interval and the probes' share.
  expect_out 0 sampled-top.txt R "$work/sampled.db" top
  expect_out 0 sampled-info.txt R "$work/sampled.db" info
  # The trapped run's note goes to stderr with machine formats.
  R "$work/mutual.db" top --format json >/dev/null 2>"$work/stderr"
  expect_eq "trapped note" "$(cat "$work/stderr")" \
    "wprof report: $work/mutual.db: note: the run trapped: integer divide by zero; 5 frames were closed without an exit"
  ;;
errors)
  printf 'hello, not a database\n' >"$work/text.db"
  sqlite3 "$work/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
  cp "$work/fib.db" "$work/newer.db"; sqlite3 "$work/newer.db" "PRAGMA user_version = 4; UPDATE meta SET value = '4' WHERE key = 'schema_version';"
  cp "$work/fib.db" "$work/older.db"; sqlite3 "$work/older.db" "PRAGMA user_version = 2; UPDATE meta SET value = '2' WHERE key = 'schema_version';"
  cp "$work/fib.db" "$work/incomplete.db"; sqlite3 "$work/incomplete.db" "DELETE FROM meta WHERE key = 'complete';"
  # crafted files: a two-path cycle in call_paths.parent; the views replaced by endless ones
  cp "$work/fib.db" "$work/cycle.db"; sqlite3 "$work/cycle.db" "UPDATE call_paths SET parent = 3 WHERE id = 2;"
  cp "$work/fib.db" "$work/views.db"; sqlite3 "$work/views.db" "DROP VIEW flat_profile; DROP VIEW path_names;
    CREATE VIEW flat_profile AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
      SELECT n AS fid, 'x' AS name, n AS calls, n AS primitive_calls, n AS self_ns, n AS incl_ns, n AS samples FROM r;
    CREATE VIEW path_names AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n AS id, 'x' AS path FROM r;"
  expect_err 65 "wprof report: $work/text.db: not a wprof database (not an SQLite file)" R "$work/text.db"
  expect_err 65 "wprof report: $work/other.db: not a wprof database (no meta table)" R "$work/other.db"
  expect_err 65 "wprof report: $work/newer.db: schema version 4 is newer than this wprof supports (3)" R "$work/newer.db"
  expect_err 65 "wprof report: $work/older.db: schema version 2 is older than this wprof reads (3): record the run again" R "$work/older.db"
  expect_err 65 "wprof report: $work/incomplete.db: incomplete database (the run was not written to the end)" R "$work/incomplete.db" info
  for view in allocs tree top; do
    expect_err 65 "wprof report: $work/cycle.db: not a wprof database (a call path's parent does not come before it)" \
      timeout 20 "$driver" report "$work/cycle.db" "$view"
  done
  # the file's own views are never run: the reports are those of fib.db
  expect_out 0 fib-top.txt timeout 20 "$driver" report "$work/views.db"
  expect_out 0 fib-allocs.txt timeout 20 "$driver" report "$work/views.db" allocs
  expect_err 66 "wprof report: $work/missing.db: cannot open: No such file or directory" R "$work/missing.db"
  expect_err 65 "wprof report: $work/empty.db: the run recorded no calls" R "$work/empty.db"
  expect_err 65 "wprof report: $work/empty.db: the run recorded no calls" R "$work/empty.db" allocs
  expect_err 64 "wprof report: unknown view 'bogus' (top, tree, peek, allocs, leaks, peak, calls or info)" R "$work/fib.db" bogus
  expect_err 64 "wprof report: unknown format 'xml' (text, csv or json)" R "$work/fib.db" --format xml
  expect_err 64 "wprof report: unknown sort 'size' (flat, cum, calls or name)" R "$work/fib.db" --sort size
  expect_err 64 "wprof report: bad --limit '-3' (a number, 0 for all)" R "$work/fib.db" --limit -3
  expect_err 64 "wprof report: an option given does not apply to the tree view (see --help)" R "$work/fib.db" tree --sort flat
  expect_err 64 "wprof report: peek needs a function name or glob" R "$work/fib.db" peek
  expect_err 65 "wprof report: $work/fib.db: no called function matches 'nothing*'" R "$work/fib.db" peek 'nothing*'
  expect_err 64 "wprof report: bad option '--bogus' (see wprof report --help)" R "$work/fib.db" --bogus
  expect_err 64 "wprof report: missing database (usage: wprof report prof.db [view] [options])" R
  expect_err 65 "wprof report: $work/fib.db: not recorded with --trace: there is no per-call data (run \`wprof run --trace\`)" R "$work/fib.db" calls
  expect_err 65 "wprof report: $work/sampled.db: no instruction counts in this profile (instrument the module with \`wasm-instrument --cost\`)" \
    R "$work/sampled.db" --metric instructions
  expect_err 65 "wprof report: $work/mutual.db: no instruction counts in this profile (instrument the module with \`wasm-instrument --cost\`)" \
    R "$work/mutual.db" tree --metric instructions
  expect_err 64 "wprof report: unknown metric 'cycles' (time or instructions)" R "$work/fib.db" --metric cycles
  expect_err 64 "wprof report: an option given does not apply to the allocs view (see --help)" R "$work/fib.db" allocs --metric instructions
  expect_err 64 "wprof report: unknown sample 'heap' (alloc_space, alloc_objects, inuse_space or inuse_objects)" R "$work/fib.db" allocs --sample heap
  # A glob is a bound parameter, never SQL: quotes in it are just characters.
  expect_err 65 "wprof report: $work/fib.db: no called function matches 'x' OR 1=1 --'" R "$work/fib.db" peek "x' OR 1=1 --"
  R "$work/fib.db" >/dev/full 2>"$work/stderr"; expect_eq "report on a full disk: exit" "$?" 73
  expect_eq "report on a full disk: stderr" "$(cat "$work/stderr")" "wprof report: cannot write the report"
  out=$(R "$work/fib.db" top --focus "' OR 1=1 --" --format csv); expect_eq "injected focus" "$out" "self_ns,incl_ns,calls,primitive_calls,name,fid"
  ;;
diff)
  D() { "$driver" diff "$@"; }
  expect_out 0 diff.txt D "$work/fib.db" "$work/fib2.db"
  expect_out 0 diff-focus.csv D "$work/fib.db" "$work/fib2.db" --focus 'main*' --format csv
  expect_out 1 diff-calls30.txt D "$work/fib.db" "$work/fib2.db" --fail-on calls:+30% --focus malloc
  expect_out 0 diff-none.csv D "$work/fib.db" "$work/fib2.db" --fail-on calls:+40% --focus 'f*' --format csv
  out=$(D "$work/fib.db" "$work/fib2.db" --fail-on 'calls:+10%:f*'); rc=$?
  expect_eq "calls:+10%:f* exit" "$rc" 1
  expect_eq "calls:+10%:f* regressions" "$(printf '%s\n' "$out" | sed -n '/^Regressions:/,$p')" \
    "$(printf 'Regressions:\n  calls:+10%%:f*  fib: 15 -> 19 (+4, +26.67%%)')"
  out=$(D "$work/fib.db" "$work/fib2.db" --fail-on alloc_bytes:+0); rc=$?
  expect_eq "alloc_bytes:+0 exit" "$rc" 1
  expect_eq "alloc_bytes:+0 regressions" "$(printf '%s\n' "$out" | sed -n '/^Regressions:/,$p')" \
    "$(printf 'Regressions:\n  alloc_bytes:+0  main;fib;fib;malloc: 0 B -> 64 B (+64 B, new)\n  alloc_bytes:+0  main;malloc: 400 B -> 500 B (+100 B, +25.00%%)')"
  D "$work/fib.db" "$work/fib2.db" --fail-on inuse_bytes:+100 >/dev/null; expect_eq "inuse_bytes:+100 exit" $? 0
  D "$work/fib.db" "$work/fib2.db" --fail-on inuse_bytes:+99 >/dev/null; expect_eq "inuse_bytes:+99 exit" $? 1
  D "$work/fib.db" "$work/fib2.db" --fail-on 'inuse_objects:+99%:main;malloc' >/dev/null; expect_eq "inuse_objects:+99% exit" $? 1
  D "$work/fib.db" "$work/fib2.db" --fail-on 'inuse_objects:+100%:main;malloc' >/dev/null; expect_eq "inuse_objects:+100% exit" $? 0
  D "$work/fib.db" "$work/fib2.db" --fail-on self_ns:+5% >/dev/null; expect_eq "self_ns:+5% exit" $? 1
  D "$work/fib.db" "$work/fib2.db" --fail-on self_ns:+10% >/dev/null; expect_eq "self_ns:+10% exit" $? 0
  D "$work/fib.db" "$work/fib.db" --fail-on calls:+0 --fail-on alloc_bytes:+0 >/dev/null; expect_eq "same db exit" $? 0
  # csv/json keep stdout machine-readable: regressions go to stderr, fail_on marks the rows.
  out=$(D "$work/fib.db" "$work/fib2.db" --fail-on calls:+30% --focus malloc --format csv 2>"$work/stderr"); rc=$?
  expect_eq "csv gate exit" "$rc" 1
  expect_eq "csv gate rows" "$out" "$(printf 'metric,base,new,delta,kind,name,fail_on\ncalls,3,4,1,function,malloc,calls:+30%%\nself_ns,80000,80000,0,function,malloc,\nincl_ns,80000,80000,0,function,malloc,\ninstructions,350,400,50,function,malloc,')"
  expect_eq "csv gate stderr" "$(cat "$work/stderr")" "$(printf 'Regressions:\n  calls:+30%%  malloc: 3 -> 4 (+1, +33.33%%)')"
  # Exact against sampled time: one note (on stderr with csv/json), no gating change.
  expect_out 0 diff-sampled.txt D "$work/fib.db" "$work/sampled.db" --focus 'ma*'
  timed_differently() { echo "wprof diff: note: the two runs timed differently (base: $1, new: $2): their times are not comparable"; }
  D "$work/fib.db" "$work/sampled.db" --format csv >/dev/null 2>"$work/stderr"
  expect_eq "exact/sampled csv note" "$(cat "$work/stderr")" "$(timed_differently exact 'sampled, one sample per 1.00 ms')
wprof diff: note: only base counted instructions (wasm-instrument --cost): they do not compare"
  cp "$work/sampled.db" "$work/sampled100.db"; sqlite3 "$work/sampled100.db" "UPDATE run SET sample_interval_ns = 100000"
  D "$work/sampled.db" "$work/sampled100.db" --format json >/dev/null 2>"$work/stderr"
  expect_eq "sample interval json note" "$(cat "$work/stderr")" \
    "$(timed_differently 'sampled, one sample per 1.00 ms' 'sampled, one sample per 100 µs')"
  D "$work/sampled.db" "$work/sampled.db" --format csv >/dev/null 2>"$work/stderr"
  expect_eq "same timing: no note" "$(cat "$work/stderr")" ""
  D "$work/fib.db" "$work/sampled.db" --fail-on calls:+0 >/dev/null; expect_eq "exact/sampled calls:+0 exit" $? 1
  D "$work/fib.db" "$work/sampled.db" --fail-on 'calls:+0:ma*' >/dev/null; expect_eq "exact/sampled calls:+0:ma* exit" $? 0
  for bad in calls 'calls:' 'calls:+x%' 'calls:+5%:' 'calls:-5' '+' '+5%:'; do
    expect_err 64 "wprof diff: bad --fail-on '$bad' (METRIC:+N, METRIC:+N%, METRIC:+N%:GLOB or +N%)" D "$work/fib.db" "$work/fib2.db" --fail-on "$bad"
  done
  for bad in 'bogus:+1' 'instruction:+2%' 'Calls:+1'; do
    expect_err 64 "wprof diff: unknown metric in --fail-on '$bad' (calls, self_ns, incl_ns, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes)" \
      D "$work/fib.db" "$work/fib2.db" --fail-on "$bad"
  done
  # Instructions (fib2.sql's header: self instructions main +3.00%, fib +26.67%, malloc +14.29%):
  # gated exactly; +N% without a metric is instructions when both sides counted them, else calls.
  out=$(D "$work/fib.db" "$work/fib2.db" --fail-on instructions:+2%); rc=$?
  expect_eq "instructions:+2% exit" "$rc" 1
  expect_eq "instructions:+2% regressions" "$(printf '%s\n' "$out" | sed -n '/^Regressions:/,$p')" \
    "$(printf 'Regressions:\n  instructions:+2%%  fib: 180 -> 228 (+48, +26.67%%)\n  instructions:+2%%  main: 1000 -> 1030 (+30, +3.00%%)\n  instructions:+2%%  malloc: 350 -> 400 (+50, +14.29%%)')"
  out=$(D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+2%:main'); rc=$?
  expect_eq "instructions:+2%:main exit" "$rc" 1
  expect_eq "instructions:+2%:main regressions" "$(printf '%s\n' "$out" | sed -n '/^Regressions:/,$p')" \
    "$(printf 'Regressions:\n  instructions:+2%%:main  main: 1000 -> 1030 (+30, +3.00%%)')"
  D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+5%:main' >/dev/null; expect_eq "instructions:+5%:main exit" $? 0
  D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+14%:ma*' >/dev/null; expect_eq "instructions:+14%:ma* exit" $? 1
  D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+15%:ma*' >/dev/null; expect_eq "instructions:+15%:ma* exit" $? 0
  D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+47' >/dev/null; expect_eq "instructions:+47 exit" $? 1
  D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+50' >/dev/null; expect_eq "instructions:+50 exit" $? 0
  D "$work/fib.db" "$work/fib2.db" --fail-on 'instructions:+27%' >/dev/null; expect_eq "instructions:+27% exit" $? 0
  out=$(D "$work/fib.db" "$work/fib2.db" --fail-on '+2%:main' --format csv 2>"$work/stderr"); rc=$?
  expect_eq "+2%:main (default metric: instructions) exit" "$rc" 1
  expect_eq "+2%:main stderr" "$(cat "$work/stderr")" "$(printf 'Regressions:\n  instructions:+2%%:main  main: 1000 -> 1030 (+30, +3.00%%)')"
  expect_eq "+2%:main csv row" "$(printf '%s\n' "$out" | grep '^instructions,.*,main,')" "instructions,1000,1030,30,function,main,instructions:+2%:main"
  D "$work/fib.db" "$work/fib2.db" --fail-on '+5%:main' >/dev/null; expect_eq "+5%:main exit" $? 0
  D "$work/fib.db" "$work/fib2.db" --fail-on '+27%' >/dev/null; expect_eq "+27% exit (fib's instructions +26.67%, its calls +26.67%)" $? 0
  out=$(D "$work/sampled.db" "$work/sampled.db" --fail-on +0 --focus nothing); expect_eq "+0 without counts (calls) exit" $? 0
  cp "$work/fib.db" "$work/uncounted.db"
  sqlite3 "$work/uncounted.db" "UPDATE run SET instructions = NULL; UPDATE call_paths SET incl_instructions = 0, self_instructions = 0"
  out=$(D "$work/uncounted.db" "$work/fib2.db" --fail-on '+10%'); rc=$?
  expect_eq "+10% with one side uncounted: calls, exit" "$rc" 1
  expect_eq "+10% with one side uncounted: calls" "$(printf '%s\n' "$out" | sed -n '/^Regressions:/,$p')" \
    "$(printf 'Regressions:\n  calls:+10%%  fib: 15 -> 19 (+4, +26.67%%)\n  calls:+10%%  malloc: 3 -> 4 (+1, +33.33%%)')"
  expect_eq "one side uncounted: rows" "$(D "$work/uncounted.db" "$work/fib2.db" --format csv --focus main 2>"$work/stderr" | grep '^instructions')" \
    "instructions,,1030,,function,main,"
  expect_eq "one side uncounted: note" "$(cat "$work/stderr")" \
    "wprof diff: note: only new counted instructions (wasm-instrument --cost): they do not compare"
  expect_err 65 "wprof diff: $work/uncounted.db: --fail-on instructions:+2%: no instruction counts in this profile (instrument the module with \`wasm-instrument --cost\`)" \
    D "$work/uncounted.db" "$work/fib2.db" --fail-on instructions:+2%
  expect_err 65 "wprof diff: $work/sampled.db: --fail-on instructions:+0: no instruction counts in this profile (instrument the module with \`wasm-instrument --cost\`)" \
    D "$work/fib.db" "$work/sampled.db" --fail-on instructions:+0
  # --flame: the report and the exit status are those without it; the page has fib2's frames (fib.sql
  # with main;fib;fib;malloc added, main;free gone) with fib.sql's own and total calls, null when new
  expect_out 0 diff.txt D "$work/fib.db" "$work/fib2.db" --flame "$work/diff.html"
  expect_out 1 diff-calls30.txt D "$work/fib.db" "$work/fib2.db" --fail-on calls:+30% --focus malloc --flame "$work/diff.html" --flame-metric alloc_bytes
  expect_eq "diff flame alloc_bytes" "$(profile_json "$work/diff.html" 'P["kind"], P["metrics"][P["weight"]]["name"], P["self"][P["weight"]], P["base_self"], P["base_total"]')" \
    "('diff', 'alloc_bytes', [0, 0, 0, 0, 0, 0, 0, 500, 2097152, 64], [0, 0, 0, 0, 0, 0, 0, 400, 2097152, None], [0, 2097552, 2097152, 0, 0, 0, 0, 400, 2097152, None])"
  D "$work/fib.db" "$work/fib2.db" --flame "$work/diff.html" >/dev/null || fail "diff --flame"
  # both sides counted instructions: the default metric; fib2.sql's self instructions per frame, fib.sql's own and incl
  expect_eq "diff flame instructions" "$(profile_json "$work/diff.html" 'P["metrics"][P["weight"]]["name"], P["self"][P["weight"]], P["base_self"], P["base_total"]')" \
    "('instructions', [0, 1030, 12, 24, 48, 96, 48, 200, 150, 50], [0, 1000, 12, 24, 48, 72, 24, 200, 150, None], [0, 1610, 330, 168, 144, 96, 24, 200, 150, None])"
  D "$work/uncounted.db" "$work/fib2.db" --flame "$work/diff.html" >/dev/null 2>&1 || fail "diff --flame, one side uncounted"
  expect_eq "diff flame default without counts on one side" "$(profile_json "$work/diff.html" 'P["metrics"][P["weight"]]["name"]')" calls
  D "$work/fib.db" "$work/fib2.db" --flame "$work/diff.html" --flame-metric calls >/dev/null || fail "diff --flame --flame-metric calls"
  expect_eq "diff flame frames" "$(profile_json "$work/diff.html" '[(P["names"][f] if f >= 0 else "all", p) for f, p in zip(P["function"], P["parent"])]')" \
    "[('all', -1), ('main', 0), ('fib', 1), ('fib', 2), ('fib', 3), ('fib', 4), ('fib', 5), ('malloc', 1), ('malloc', 2), ('malloc', 3)]"
  expect_eq "diff flame calls" "$(profile_json "$work/diff.html" 'P["metrics"][P["weight"]]["name"], P["self"][P["weight"]], P["base_self"], P["base_total"]')" \
    "('calls', [0, 1, 1, 2, 4, 8, 4, 2, 1, 1], [0, 1, 1, 2, 4, 6, 2, 2, 1, None], [0, 20, 16, 14, 12, 8, 2, 2, 1, None])"
  expect_err 64 "wprof diff: --flame-metric applies to --flame only" D "$work/fib.db" "$work/fib2.db" --flame-metric time
  expect_err 64 "wprof diff: unknown --flame-metric 'self_ns' (time, calls, samples, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes)" \
    D "$work/fib.db" "$work/fib2.db" --flame "$work/x.html" --flame-metric self_ns
  expect_err 64 "wprof diff: --flame - would mix the flame graph with the report on standard output: name a file" \
    D "$work/fib.db" "$work/fib2.db" --flame -
  expect_err 65 "wprof diff: $work/fib.db: no samples in this profile (timing exact): it has time, calls, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes" \
    D "$work/fib.db" "$work/sampled.db" --flame "$work/x.html" --flame-metric samples
  expect_err 73 "wprof diff: $work/no/dir/x.html: cannot create: No such file or directory" \
    D "$work/fib.db" "$work/fib2.db" --flame "$work/no/dir/x.html"
  printf 'text\n' >"$work/text.db"
  expect_err 65 "wprof diff: $work/text.db: not a wprof database (not an SQLite file)" D "$work/fib.db" "$work/text.db"
  expect_err 65 "wprof diff: $work/empty.db: the run recorded no calls" D "$work/empty.db" "$work/fib.db"
  expect_err 64 "wprof diff: usage: wprof diff base.db new.db [--fail-on METRIC:+N%] [--focus GLOB]" D "$work/fib.db"
  ;;
queries)
  # Every ```sql block of docs/queries.md, run with sqlite3 against the
  # database named in queries.expected, must print the expected rows.
  awk '/^```sql$/ {n++; on = 1; next} /^```$/ {on = 0} on {print > (dir "/query-" n ".sql")}' dir="$work" "$top/docs/queries.md"
  count=$(ls "$work"/query-*.sql | wc -l)
  expect_eq "number of queries" "$count" "$(grep -c '^== ' "$src/queries.expected")"
  [ "$count" -ge 10 ] || fail "docs/queries.md has only $count queries"
  for i in $(seq 1 "$count"); do
    name=$(awk -v i="$i" '$1 == "==" && $2 == i {print $3}' "$src/queries.expected")
    want=$(awk -v i="$i" '$1 == "==" {on = ($2 == i); next} on' "$src/queries.expected")
    # BASE+NEW: NEW attached to BASE as 'new', as the query's text says
    attach=()
    [ "${name#*+}" != "$name" ] && attach=(-cmd "ATTACH '$work/${name#*+}.db' AS new") && name=${name%%+*}
    got=$(sqlite3 -bail "${attach[@]}" "$work/$name.db" <"$work/query-$i.sql" 2>&1)
    expect_eq "query $i on $name.db" "$got" "$want"
  done
  ;;
export)
  X() { "$driver" export "$@"; }
  out_dir=$work/out; rm -rf "$out_dir"; mkdir -p "$out_dir"
  # an export ended by SIGINT, SIGTERM or SIGHUP leaves neither its output nor its temporary
  # file: a 10,000-deep chain of paths alternating two functions (no direct recursion to
  # collapse) makes a ~200 MB folded export, seconds of writing
  cp "$work/fib.db" "$out_dir/deep.db"
  sqlite3 "$out_dir/deep.db" "WITH RECURSIVE chain(id) AS (SELECT 100 UNION ALL SELECT id + 1 FROM chain WHERE id < 10099)
    INSERT INTO call_paths SELECT id, CASE id WHEN 100 THEN 1 ELSE id - 1 END, 1 + 3 * (id % 2), id - 98, 1, 1, 0, 1, 1, 0, 0, 0
    FROM chain;"
  for sig in INT TERM HUP; do
    mkdir "$out_dir/$sig"
    # (python: a shell's background job starts with SIGINT ignored, which wprof keeps)
    python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
      "$driver" export --format folded "$out_dir/deep.db" -o "$out_dir/$sig/deep.folded" 2>/dev/null &
    pid=$!
    for _ in $(seq 500); do ls "$out_dir/$sig" | grep -q tmp && break; sleep 0.01; done
    ls "$out_dir/$sig" | grep -q tmp || fail "$sig: the export never started its temporary file"
    kill -"$sig" "$pid"
    wait "$pid"
    expect_eq "$sig: exit status" "$?" "$((128 + $(kill -l "$sig")))"
    expect_eq "$sig: files left" "$(ls -A "$out_dir/$sig")" ""
  done
  # the 100,000-deep recursion (data/deep.sql), exported with the recursion collapsed
  timeout 60 "$driver" export --format folded "$work/deep.db" -o "$out_dir/deep100k.folded" 2>/dev/null ||
    fail "folded export of the deep recursion"
  expect_eq "deep folded" "$(cat "$out_dir/deep100k.folded")" "$(printf 'main 10\nmain;fib 1000000')"
  timeout 60 "$driver" export --format pprof "$work/deep.db" -o "$out_dir/deep100k.pb.gz" 2>/dev/null ||
    fail "pprof export of the deep recursion"
  expect_eq "deep pprof" "$(go tool pprof -top -unit=ns "$out_dir/deep100k.pb.gz" 2>&1 | awk '/^ +[0-9]+ns .*%/ {print $1, $4, $6}')" \
    "$(printf '1000000ns 1000000ns fib\n10ns 1000010ns main')"
  timeout 60 "$driver" export --format callgrind "$work/deep.db" -o "$out_dir/deep100k.callgrind" 2>/dev/null ||
    fail "callgrind export of the deep recursion"
  # an untrusted name (data/names.sql) keeps each stack on one line and each frame whole
  X --format folded "$work/names.db" -o "$out_dir/names.folded" || fail "folded export of names.db"
  expect_eq "folded escaped frame" "$(grep -c '^main;fi\\x3bb\\x0ax\\x1b\[31m\\\\ ' "$out_dir/names.folded")" 1
  X --format folded "$work/fib.db" -o "$out_dir/fib-for-names.folded" || fail "folded export of fib.db"
  expect_eq "folded lines" "$(wc -l < "$out_dir/names.folded")" "$(wc -l < "$out_dir/fib-for-names.folded")"
  X --format callgrind "$work/names.db" -o "$out_dir/names.callgrind" || fail "callgrind export of names.db"
  expect_eq "callgrind escaped name" "$(grep -c '^c\?fn=([0-9]*) fi;b\\x0ax\\x1b\[31m\\\\$' "$out_dir/names.callgrind")" 1
  # pprof, read back by Go's own pprof: no warning, totals and cum equal to the database's.
  X --format pprof "$work/fib.db" -o "$out_dir/fib.pb.gz" || fail "pprof export"
  gzip -t "$out_dir/fib.pb.gz" || fail "pprof output is not gzip"
  go tool pprof -raw "$out_dir/fib.pb.gz" >"$out_dir/raw" 2>"$out_dir/raw.err" || fail "go tool pprof -raw"
  expect_eq "pprof -raw warnings" "$(cat "$out_dir/raw.err")" ""
  expect_eq "pprof sample types" "$(grep -c -x 'calls/count time/nanoseconds\[dflt\] instructions/count' "$out_dir/raw")" 1
  expect_eq "pprof sample totals (calls ns instructions)" \
    "$(awk '/^ +[0-9]+ +[0-9]+ +[0-9]+: / {c += $1; t += $2; i += $3} END {print c, t, i}' "$out_dir/raw")" "20 1400000 1610"
  # instructions (fib.sql's header): flat = self, cum = outermost incl, per function
  expect_eq "pprof instructions" "$(go tool pprof -top -sample_index=instructions "$out_dir/fib.pb.gz" 2>&1 | awk '/%/ && NF == 6 {print $1, $4, $6}')" \
    "$(printf '1000 1610 main\n350 350 malloc\n180 330 fib\n80 80 free')"
  X --format pprof --sample-index instructions "$work/fib.db" -o "$out_dir/fib-instructions.pb.gz" || fail "pprof --sample-index instructions"
  expect_eq "pprof --sample-index instructions" "$(go tool pprof -top "$out_dir/fib-instructions.pb.gz" 2>&1 | awk '/^Type:/ {print $2}')" instructions
  expect_err 65 "wprof export: $work/sampled.db: no instruction counts in this profile (instrument the module with \`wasm-instrument --cost\`)" \
    X --format pprof --sample-index instructions "$work/sampled.db" -o "$out_dir/keep"
  expect_eq "pprof -top" "$(go tool pprof -top -unit=ns "$out_dir/fib.pb.gz" 2>&1 | awk '/^ +[0-9]+ns .*%/ {print $1, $4, $6}')" \
    "$(printf '1000000ns 1400000ns main\n300000ns 350000ns fib\n80000ns 80000ns malloc\n20000ns 20000ns free')"
  expect_eq "pprof calls" "$(go tool pprof -top -sample_index=calls "$out_dir/fib.pb.gz" 2>&1 | awk '/%/ && NF == 6 {print $1, $6}')" \
    "$(printf '15 fib\n3 malloc\n1 free\n1 main')"
  # Mutual recursion: pprof's cum (each function once per sample) equals our outermost-only incl.
  X --format pprof "$work/mutual.db" -o "$out_dir/mutual.pb.gz" 2>/dev/null || fail "pprof export of a trapped run"
  expect_eq "pprof mutual cum" "$(go tool pprof -top -unit=ns "$out_dir/mutual.pb.gz" 2>&1 | awk '/^ +[0-9]+ns .*%/ {print $4, $6}')" \
    "$(printf '200000ns main\n90000ns odd\n100000ns even')"
  X --format pprof --heap "$work/fib.db" -o "$out_dir/heap.pb.gz" || fail "pprof heap export"
  go tool pprof -raw "$out_dir/heap.pb.gz" >"$out_dir/raw" 2>"$out_dir/raw.err"
  expect_eq "pprof heap warnings" "$(cat "$out_dir/raw.err")" ""
  expect_eq "pprof heap totals" \
    "$(awk '/^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+: / {a += $1; b += $2; c += $3; d += $4} END {print a, b, c, d}' "$out_dir/raw")" \
    "3 2097552 2 2097452"
  expect_eq "pprof heap default type" "$(grep -c 'inuse_space/bytes\[dflt\]' "$out_dir/raw")" 1
  X --format pprof --sample-index alloc_objects "$work/fib.db" -o "$out_dir/heap2.pb.gz" || fail "pprof --sample-index"
  expect_eq "pprof --sample-index" "$(go tool pprof -top "$out_dir/heap2.pb.gz" 2>&1 | awk '/^Type:/ {print $2}')" alloc_objects
  # A sampled run: Go's CPU profile types (samples/count, cpu/nanoseconds, period
  # the interval), then calls/count; sampled.sql's values per path and function.
  X --format pprof "$work/sampled.db" -o "$out_dir/sampled.pb.gz" || fail "pprof export of a sampled run"
  go tool pprof -raw "$out_dir/sampled.pb.gz" >"$out_dir/raw" 2>"$out_dir/raw.err" || fail "go tool pprof -raw sampled"
  expect_eq "pprof sampled warnings" "$(cat "$out_dir/raw.err")" ""
  expect_eq "pprof sampled types" "$(grep -x 'samples/count cpu/nanoseconds\[dflt\] calls/count' "$out_dir/raw")" \
    "samples/count cpu/nanoseconds[dflt] calls/count"
  expect_eq "pprof sampled period" "$(grep -A1 '^PeriodType:' "$out_dir/raw")" "$(printf 'PeriodType: cpu nanoseconds\nPeriod: 1000000')"
  expect_eq "pprof sampled totals (samples cpu calls)" \
    "$(awk '/^ +[0-9]+ +[0-9]+ +[0-9]+: / {s += $1; t += $2; c += $3; n++} END {print n, s, t, c}' "$out_dir/raw")" \
    "8 1000 1000000000 3013"
  expect_eq "pprof sampled -top" \
    "$(go tool pprof -top -unit=ms -nodefraction=0 "$out_dir/sampled.pb.gz" 2>&1 | awk '/^ +[0-9.]+m?s .*%/ {print $1, $4, $6}')" \
    "$(printf '500ms 820ms sort\n320ms 320ms compare\n150ms 150ms parse\n25ms 995ms main\n5ms 5ms (root)')"
  expect_eq "pprof sampled samples" \
    "$(go tool pprof -top -sample_index=samples -nodefraction=0 "$out_dir/sampled.pb.gz" 2>&1 | awk '/%/ && NF == 6 {print $1, $4, $6}')" \
    "$(printf '500 820 sort\n320 320 compare\n150 150 parse\n25 995 main\n5 5 (root)')"
  expect_eq "pprof sampled calls" \
    "$(go tool pprof -top -sample_index=calls -nodefraction=0 "$out_dir/sampled.pb.gz" 2>&1 | awk '/%/ && NF == 6 {print $1, $4, $6}')" \
    "$(printf '3000 3000 compare\n7 3007 sort\n4 4 tokenize\n1 3013 main\n1 5 parse')"
  X --format pprof --sample-index samples "$work/sampled.db" -o "$out_dir/sampled2.pb.gz" || fail "pprof --sample-index samples"
  expect_eq "pprof --sample-index samples" "$(go tool pprof -top "$out_dir/sampled2.pb.gz" 2>&1 | awk '/^Type:/ {print $2}')" samples
  # callgrind, read back by callgrind_annotate.
  X --format callgrind "$work/fib.db" -o "$out_dir/fib.cg" || fail "callgrind export"
  expect_eq "callgrind totals" "$(callgrind_annotate "$out_dir/fib.cg" | grep 'PROGRAM TOTALS')" \
    "1,400,000 (100.0%) 20 (100.0%) 1,610 (100.0%)  PROGRAM TOTALS"
  expect_eq "callgrind self" "$(callgrind_annotate "$out_dir/fib.cg" | grep 'fib.wasm:' | tr -s ' ')" \
    "$(printf '1,000,000 (71.43%%) 1 ( 5.00%%) 1,000 (62.11%%) fib.wasm:main\n 300,000 (21.43%%) 15 (75.00%%) 180 (11.18%%) fib.wasm:fib\n 80,000 ( 5.71%%) 3 (15.00%%) 350 (21.74%%) fib.wasm:malloc\n 20,000 ( 1.43%%) 1 ( 5.00%%) 80 ( 4.97%%) fib.wasm:free')"
  expect_eq "callgrind inclusive" "$(callgrind_annotate --inclusive=yes "$out_dir/fib.cg" | grep 'fib.wasm:' | awk '{print $1, $NF}')" \
    "$(printf '1,400,000 fib.wasm:main\n350,000 fib.wasm:fib\n80,000 fib.wasm:malloc\n20,000 fib.wasm:free')"
  # Ir, the event callgrind_annotate knows for executed instructions: fib.sql's self and incl instructions
  expect_eq "callgrind events" "$(grep '^events:' "$out_dir/fib.cg")" "events: ns calls Ir"
  expect_eq "callgrind Ir inclusive" "$(callgrind_annotate --sort=Ir --show=Ir --inclusive=yes "$out_dir/fib.cg" | grep -E 'TOTALS|fib.wasm:' | tr -s ' ')" \
    "$(printf '1,610 (100.0%%) PROGRAM TOTALS\n1,610 (100.0%%) fib.wasm:main\n 350 (21.74%%) fib.wasm:malloc\n 330 (20.50%%) fib.wasm:fib\n 80 ( 4.97%%) fib.wasm:free')"
  X --format callgrind "$work/sampled.db" -o "$out_dir/sampled.cg" || fail "callgrind export of a sampled run"
  expect_eq "callgrind sampled events" "$(grep '^events:' "$out_dir/sampled.cg")" "events: ns Samples calls"
  expect_eq "callgrind sampled totals" "$(callgrind_annotate "$out_dir/sampled.cg" | grep 'PROGRAM TOTALS')" \
    "1,000,000,000 (100.0%) 1,000 (100.0%) 3,013 (100.0%)  PROGRAM TOTALS"
  expect_eq "callgrind sampled inclusive" \
    "$(callgrind_annotate --inclusive=yes --threshold=100 "$out_dir/sampled.cg" | grep 'sort.wasm:' | sed -E 's/ \( *[0-9.]+%\)//g' | awk '{print $1, $2, $3, $NF}')" \
    "$(printf '995,000,000 995 3,013 sort.wasm:main\n820,000,000 820 3,007 sort.wasm:sort\n320,000,000 320 3,000 sort.wasm:compare\n150,000,000 150 5 sort.wasm:parse\n5,000,000 5 0 sort.wasm:(root)\n0 0 4 sort.wasm:tokenize')"
  # chrome: valid JSON, exact times, children nested inside their parents.
  X --format chrome "$work/trace.db" -o "$out_dir/trace.json" || fail "chrome export"
  python3 - "$out_dir/trace.json" <<'PY' || fail "chrome trace checks"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["displayTimeUnit"] == "ns", doc["displayTimeUnit"]
events = [e for e in doc["traceEvents"] if e["ph"] == "X"]
got = [(e["name"], e["ts"], e["dur"]) for e in events]
want = [("main", 0.0, 10.0), ("parse", 1.234, 3.0), ("eval", 1.5, 1.0), ("eval", 5.0, 4.0), ("eval", 9.2, 0.5), ("parse", 6.0, 1.5)]
assert got == want, got
# Proper nesting: walk in start order with a stack of open events.
stack = []
parents = {}
for e in sorted(events, key=lambda e: (e["ts"], -e["dur"])):
    while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
        stack.pop()
    if stack:
        assert e["ts"] + e["dur"] <= stack[-1]["ts"] + stack[-1]["dur"], (e, stack[-1])
        parents[e["args"]["call"]] = stack[-1]["args"]["call"]
    stack.append(e)
assert parents == {2: 1, 3: 2, 4: 1, 5: 1, 6: 4}, parents
PY
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$out_dir/trace.json" || fail "node JSON.parse"
  # chrome --from/--to: the calls overlapping the window, ends included. By
  # hand from trace.sql (call: start-end ns): 1: 0-10000, 2: 1234-4234,
  # 3: 1500-2500, 4: 5000-9000, 5: 9200-9700, 6: 6000-7500.
  window_calls() { # window_calls EXPECTED_IDS OPTIONS...
    local want=$1; shift
    X --format chrome "$work/trace.db" -o "$out_dir/window.json" "$@" 2>/dev/null || { fail "chrome $*"; return; }
    expect_eq "chrome $*" "$(python3 -c 'import json, sys
print(" ".join(str(e["args"]["call"]) for e in json.load(open(sys.argv[1]))["traceEvents"] if e["ph"] == "X"))' \
      "$out_dir/window.json")" "$want"
  }
  window_calls "1 4 6" --from 5us --to 9.1us
  window_calls "1 2 4 5 6" --from 4234ns
  window_calls "1 4 5 6" --from 4.235us
  window_calls "1 2 3" --to 1500
  window_calls "1" --from 9701 --to 0.01ms
  # folded, both values.
  X --format folded "$work/fib.db" -o "$out_dir/fib.folded" || fail "folded export"
  diff -u "$src/golden/fib.folded" "$out_dir/fib.folded" >&2 || fail "folded self"
  X --format folded --value calls "$work/mutual.db" -o "$out_dir/mutual.folded" 2>/dev/null || fail "folded calls"
  diff -u "$src/golden/mutual-calls.folded" "$out_dir/mutual.folded" >&2 || fail "folded calls"
  X --format folded "$work/sampled.db" -o "$out_dir/sampled.folded" || fail "folded export of a sampled run"
  diff -u "$src/golden/sampled.folded" "$out_dir/sampled.folded" >&2 || fail "folded sampled"
  X --format folded --value self "$work/fib.db" -o "$out_dir/fib-self.folded" || fail "folded --value self"
  diff -u "$src/golden/fib.folded" "$out_dir/fib-self.folded" >&2 || fail "folded --value self (time's first name)"
  # bytes allocated per path (fib.sql: main;malloc 400, main;fib;malloc 2097152), samples (sampled.sql)
  expect_eq "folded alloc_bytes" "$(X --format folded --value alloc_bytes "$work/fib.db" -o - 2>/dev/null)" \
    "$(printf 'main;malloc 400\nmain;fib;malloc 2097152')"
  expect_eq "folded samples" "$(X --format folded --value samples "$work/sampled.db" -o - 2>/dev/null | tr '\n' ' ')" \
    "(root) 5 main 25 main;parse 150 main;sort 300 main;sort;sort 200 main;sort;compare 100 main;sort;sort;compare 220 "
  # a run without time is weighed by calls by default (fib.sql's calls per path)
  cp "$work/fib.db" "$out_dir/untimed.db"; sqlite3 "$out_dir/untimed.db" "UPDATE run SET timing = 'none', instructions = NULL;
    UPDATE call_paths SET self_ns = 0, incl_ns = 0, self_instructions = 0, incl_instructions = 0"
  expect_eq "folded untimed default" "$(X --format folded "$out_dir/untimed.db" -o - 2>/dev/null | tr '\n' ' ')" \
    "main 1 main;fib 1 main;fib;fib 2 main;fib;fib;fib 4 main;fib;fib;fib;fib 6 main;fib;fib;fib;fib;fib 2 main;malloc 2 main;free 1 main;fib;malloc 1 "
  # weighed by instructions (fib.sql's self instructions per path); the default of a run
  # without time that counted them
  expect_eq "folded instructions" "$(X --format folded --value instructions "$work/fib.db" -o - 2>/dev/null | tr '\n' ' ')" \
    "main 1000 main;fib 12 main;fib;fib 24 main;fib;fib;fib 48 main;fib;fib;fib;fib 72 main;fib;fib;fib;fib;fib 24 main;malloc 200 main;free 80 main;fib;malloc 150 "
  cp "$work/fib.db" "$out_dir/untimed-counted.db"; sqlite3 "$out_dir/untimed-counted.db" "UPDATE run SET timing = 'none'; UPDATE call_paths SET self_ns = 0, incl_ns = 0"
  expect_eq "folded untimed counted default" "$(X --format folded "$out_dir/untimed-counted.db" -o - 2>/dev/null | head -n 2 | tr '\n' ' ')" "main 1000 main;fib 12 "
  expect_err 65 "wprof export: $out_dir/untimed.db: no instruction counts in this profile (instrument the module with \`wasm-instrument --cost\`)" \
    X --format folded --value instructions "$out_dir/untimed.db" -o -
  # html: the flame graph page. Its JSON (profile_json) per frame: 'all', then fib.sql's paths
  # in id order, each with its own values (fib.sql's self and calls columns, alloc_sites bytes).
  X --format html "$work/fib.db" -o "$out_dir/fib.html" 2>/dev/null || fail "html export"
  expect_eq "html weight (exact run: time)" "$(profile_json "$out_dir/fib.html" 'P["metrics"][P["weight"]]["name"]')" time
  expect_eq "html metrics" "$(profile_json "$out_dir/fib.html" '" ".join(m["name"] + "/" + m["unit"] for m in P["metrics"])')" \
    "time/ns calls/count instructions/count alloc_objects/count alloc_bytes/bytes inuse_objects/count inuse_bytes/bytes"
  expect_eq "html frames" "$(profile_json "$out_dir/fib.html" '[(P["names"][f] if f >= 0 else "all", p) for f, p in zip(P["function"], P["parent"])]')" \
    "[('all', -1), ('main', 0), ('fib', 1), ('fib', 2), ('fib', 3), ('fib', 4), ('fib', 5), ('malloc', 1), ('free', 1), ('malloc', 2)]"
  expect_eq "html self time" "$(profile_json "$out_dir/fib.html" 'P["self"][0]')" \
    "[0, 1000000, 100000, 40000, 60000, 60000, 40000, 30000, 20000, 50000]"
  expect_eq "html calls" "$(profile_json "$out_dir/fib.html" 'P["self"][1]')" "[0, 1, 1, 2, 4, 6, 2, 2, 1, 1]"
  expect_eq "html instructions" "$(profile_json "$out_dir/fib.html" 'P["self"][2]')" "[0, 1000, 12, 24, 48, 72, 24, 200, 80, 150]"
  expect_eq "html alloc_bytes" "$(profile_json "$out_dir/fib.html" 'P["self"][4]')" "[0, 0, 0, 0, 0, 0, 0, 400, 0, 2097152]"
  X --format html --value calls "$out_dir/untimed.db" -o - 2>/dev/null >"$out_dir/untimed.html" || fail "html -o -"
  expect_eq "html untimed: no time, weighed by calls" \
    "$(profile_json "$out_dir/untimed.html" '[m["name"] for m in P["metrics"]][:2], P["metrics"][P["weight"]]["name"]')" "(['calls', 'alloc_objects'], 'calls')"
  expect_eq "html sampled: samples" "$(X --format html --value samples "$work/sampled.db" -o - 2>/dev/null |
    profile_json /dev/stdin 'P["self"][[m["name"] for m in P["metrics"]].index("samples")]')" "[0, 5, 25, 150, 300, 200, 100, 220, 0]"
  # the 100,000-deep recursion: three frames (all, main, main;fib with 100,000 calls)
  timeout 60 "$driver" export --format html "$work/deep.db" -o "$out_dir/deep100k.html" 2>/dev/null || fail "html export of the deep recursion"
  expect_eq "deep html" "$(profile_json "$out_dir/deep100k.html" 'P["parent"], P["self"][1], P["self"][0]')" \
    "([-1, 0, 1], [0, 1, 100000], [0, 10, 1000000])"
  # hostile names: one closing the script element, U+2028, a byte that is not UTF-8; the page keeps
  # its two script elements, the names come back as the JSON's escapes decode them
  cp "$work/names.db" "$out_dir/html-names.db"
  sqlite3 "$out_dir/html-names.db" "UPDATE functions SET name = '</script><script>alert(1)</script>&<!--' WHERE fid = 0;
    UPDATE functions SET name = CAST(X'6d616cE280A86c6f63FF' AS TEXT) WHERE fid = 2"
  X --format html "$out_dir/html-names.db" -o "$out_dir/names.html" || fail "html export of hostile names"
  expect_eq "html script elements" "$(grep -c '</script>' "$out_dir/names.html")" 2
  expect_eq "html no raw <, >, & in the JSON" "$(sed -n '/application\/json/,/^<\/script>/p' "$out_dir/names.html" | sed '1d;$d' | grep -c '[<>&]')" 0
  expect_eq "html names decoded" "$(profile_json "$out_dir/names.html" 'ascii(P["names"][:3])')" \
    "['</script><script>alert(1)</script>&<!--', 'fi;b\\nx\\x1b[31m\\\\', 'mal\\u2028loc\\ufffd']"
  expect_eq "html no raw U+2028" "$(grep -c "$(printf '\xe2\x80\xa8')" "$out_dir/names.html")" 0
  # Failures: one line, the exit code of its kind (utils/exit-codes.h), no file (and an existing file is left alone).
  echo keep >"$out_dir/keep"
  printf 'x\n' >"$work/text.db"
  expect_err 65 "wprof export: $work/fib.db: no samples in this profile (timing exact): it has time, calls, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes" \
    X --format html --value samples "$work/fib.db" -o "$out_dir/keep"
  expect_err 64 "wprof export: unknown --value 'weight' (time, calls, samples, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes)" \
    X --format html --value weight "$work/fib.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/text.db: not a wprof database (not an SQLite file)" X --format html "$work/text.db" -o "$out_dir/keep"
  expect_err 73 "wprof export: $out_dir/no/such/dir/x.html: cannot create: No such file or directory" X --format html "$work/fib.db" -o "$out_dir/no/such/dir/x.html"
  expect_err 64 "wprof export: unknown format 'svg' (pprof, callgrind, chrome, folded or html)" X --format svg "$work/fib.db" -o "$out_dir/keep"
  expect_err 64 "wprof export: --from and --to apply to --format chrome only" X --format pprof "$work/trace.db" --from 1ms -o "$out_dir/keep"
  expect_err 64 "wprof export: bad time '1.5 ms' (a number, then ns, us, ms or s)" X --format chrome "$work/trace.db" --to '1.5 ms' -o "$out_dir/keep"
  expect_err 64 "wprof export: --from 2ms is after --to 1ms" X --format chrome "$work/trace.db" --from 2ms --to 1ms -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/fib.db: not recorded with --trace: there is no per-call data (run \`wprof run --trace\`)" X --format chrome "$work/fib.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/empty.db: the run recorded no calls" X --format pprof "$work/empty.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/text.db: not a wprof database (not an SQLite file)" X --format folded "$work/text.db" -o "$out_dir/keep"
  expect_err 64 "wprof export: --value applies to --format folded and html only" X --format pprof --value calls "$work/fib.db" -o "$out_dir/keep"
  expect_err 64 "wprof export: unknown --value 'bytes' (time, calls, samples, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes)" \
    X --format folded --value bytes "$work/fib.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/fib.db: no samples in this profile (timing exact): it has time, calls, instructions, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes" \
    X --format folded --value samples "$work/fib.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $out_dir/untimed.db: no time in this profile (timing none): it has calls, alloc_objects, alloc_bytes, inuse_objects, inuse_bytes" \
    X --format folded --value time "$out_dir/untimed.db" -o "$out_dir/keep"
  expect_err 64 "wprof export: unknown --sample-index 'time' (calls, time; samples, cpu if sampled; instructions if counted; with --heap alloc_objects, alloc_space, inuse_objects, inuse_space)" \
    X --format pprof --heap --sample-index time "$work/fib.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/sampled.db: --sample-index time: not a sample type of a profile timed 'sampled' (samples, cpu, calls)" \
    X --format pprof --sample-index time "$work/sampled.db" -o "$out_dir/keep"
  expect_err 65 "wprof export: $work/fib.db: --sample-index cpu: not a sample type of a profile timed 'exact' (calls, time, instructions)" \
    X --format pprof --sample-index cpu "$work/fib.db" -o "$out_dir/keep"
  expect_err 73 "wprof export: $out_dir/no/such/dir/x.pb.gz: cannot create: No such file or directory" X --format pprof "$work/fib.db" -o "$out_dir/no/such/dir/x.pb.gz"
  expect_eq "existing file untouched" "$(cat "$out_dir/keep")" keep
  expect_eq "no temporary file left" "$(ls "$out_dir" | grep -c tmp)" 0
  ;;
*)
  echo "unknown group $group" >&2; exit 2 ;;
esac
[ "$failures" = 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "analyzer $group: all checks passed"
