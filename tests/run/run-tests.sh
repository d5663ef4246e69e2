#!/usr/bin/env bash
# `wprof run` itself, one case per call:
#   run-tests.sh CASE WPROF WASM_INSTRUMENT WAT_DIR(built .wasm) NODE_WASI_MJS
# Expected values are worked out from the wat sources (tests/run/wat/*.wat,
# each says what it does) and from the documented exit codes of
# `wprof run --help`. WPROF_CACHE_DIR is set by CTest unless a case makes
# its own.
set -euo pipefail
case_name=$1 wprof=$2 instrument=$3 wasm=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

# run_wprof ARGS...: stdout in out.txt, stderr in err.txt, exit code in $rc
# (with --engine $WPROF_RUN_ENGINE when set: tests/node-engine)
run_wprof() {
  rc=0
  "$wprof" run ${WPROF_RUN_ENGINE:+--engine "$WPROF_RUN_ENGINE"} "$@" > out.txt 2> err.txt || rc=$?
}

expect_rc() { [ "$rc" = "$1" ] || fail "exit code $rc, expected $1; stderr: $(cat err.txt)"; }
expect_err() { printf '%s\n' "$1" | diff -u - err.txt || fail "stderr differs"; }
# The same, with the sample count of the summary line (it varies) read as N.
expect_err_sampled() {
  sed -E 's/, [0-9]+ samples/, N samples/' err.txt > err-n.txt
  printf '%s\n' "$1" | diff -u - err-n.txt || fail "stderr differs"
}
# path_value DB COLUMN PATH: a column of the call path spelled PATH ('a;b').
path_value() { q "$1" "SELECT $2 FROM call_paths JOIN path_names USING (id) WHERE path = '$3'"; }
expect_no_db() {
  local left
  left=$(ls -A | grep -v -e '^out.txt$' -e '^err.txt$' -e '^notwasm.wasm$' || true)
  [ -z "$left" ] || fail "left files behind: $left"
}

# A bad input: one line on stderr, the documented exit code, no database.
bad_input() { # expected_rc expected_stderr wprof-run-args...
  local want_rc=$1 want_err=$2
  shift 2
  run_wprof -o "$work/x.db" "$@"
  expect_rc "$want_rc"
  expect_err "$want_err"
  expect_no_db
}

# Instruments a wat test module into $work/NAME.i.wasm.
instrumented() { "$instrument" -q "$wasm/$1.wasm" "$work/$1.i.wasm" && echo "$work/$1.i.wasm"; }

# Starts `wprof run` (with --engine $WPROF_RUN_ENGINE and --timing
# $WPROF_RUN_TIMING when set: tests/node-engine),
# waits for the guest's "ready" line, sends a signal.
interrupt() { # signal module
  local sig=$1 module=$2 pid
  "$wprof" run ${WPROF_RUN_ENGINE:+--engine "$WPROF_RUN_ENGINE"} ${WPROF_RUN_TIMING:+--timing "$WPROF_RUN_TIMING"} \
    -o "$work/i.db" "$module" > out.txt 2> err.txt &
  pid=$!
  for _ in $(seq 600); do grep -q ready out.txt 2>/dev/null && break; sleep 0.05; done
  grep -q ready out.txt || fail "the guest never started"
  sleep 0.2
  kill -"$sig" "$pid"
  rc=0
  wait "$pid" || rc=$?
}

check_interrupted() { # expected_rc signal_name
  expect_rc "$1"
  [ "$(q i.db 'PRAGMA integrity_check')" = ok ] || fail "database fails integrity_check"
  [ "$(q i.db 'SELECT status, trap FROM run')" = "interrupted|$2" ] || fail "run row: $(q i.db 'SELECT status, trap FROM run')"
  [ "$(q i.db 'SELECT unwound_frames = (SELECT COALESCE(SUM(unwound), 0) FROM call_paths) FROM run')" = 1 ] || fail "unwound frames != the paths' unwound"
  head -n 1 err.txt | grep -qx "wprof: guest interrupted by $2" || fail "stderr: $(cat err.txt)"
}

case $case_name in
  # ---- bad input ----
  no-module) bad_input 64 "wprof run: MODULE.wasm: no module given (wprof run --help)" ;;
  unknown-option) bad_input 64 "wprof run: --bogus: unknown option (wprof run --help)" --bogus "$wasm/counts.wasm" ;;
  missing-argument) bad_input 64 "wprof run: --dir: needs an argument (wprof run --help)" --dir ;;
  bad-env) bad_input 64 "wprof run: NOEQUALS: --env expects KEY=VALUE (wprof run --help)" --env NOEQUALS "$wasm/counts.wasm" ;;
  output-special)
    # -o of every writer: a device stays a device, a symbolic link (even a dangling one) is
    # followed and its target replaced, a FIFO's reader gets the whole file, "-" (exports) is stdout
    # (the device is a null device of our own, so that a regression cannot replace /dev/null)
    module=$(instrumented counts)
    is_db() { [ "$(q "$1" 'SELECT total_calls FROM run')" = 13 ] || fail "$2: not the profile"; }
    dev=$work/null-dev
    mknod "$dev" c 1 3 2> /dev/null || dev=/dev/null # not root: /dev/null, which cannot be replaced then
    run_wprof -q -o "$dev" "$module"; expect_rc 0
    [ -c "$dev" ] || fail "wprof run replaced its device"
    ln -s db-target.db db-link.db
    run_wprof -q -o db-link.db "$module"; expect_rc 0
    [ -L db-link.db ] || fail "wprof run replaced its symbolic link"; is_db db-target.db "through a dangling link"
    run_wprof -q -o db-link.db "$module"; expect_rc 0; is_db db-target.db "through a link"
    mkfifo db.fifo; (cat db.fifo > from-fifo.db) & reader=$!
    run_wprof -q -o db.fifo "$module"; expect_rc 0; wait "$reader"
    [ -p db.fifo ] || fail "wprof run replaced its FIFO"; is_db from-fifo.db "from a FIFO"
    "$instrument" -q "$wasm/counts.wasm" "$dev" || fail "wasm-instrument to a device"
    [ -c "$dev" ] || fail "wasm-instrument replaced its device"
    ln -s wasm-target.wasm wasm-link.wasm
    "$instrument" -q "$wasm/counts.wasm" wasm-link.wasm || fail "wasm-instrument through a link"
    [ -L wasm-link.wasm ] && cmp -s wasm-target.wasm "$module" || fail "wasm-instrument through a link"
    mkfifo wasm.fifo; (cat wasm.fifo > from-fifo.wasm) & reader=$!
    "$instrument" -q "$wasm/counts.wasm" wasm.fifo || fail "wasm-instrument to a FIFO"; wait "$reader"
    cmp -s from-fifo.wasm "$module" || fail "wasm-instrument to a FIFO: not the module"
    "$wprof" export --format folded db-target.db -o folded.txt 2> /dev/null
    [ "$("$wprof" export --format folded db-target.db -o - 2> /dev/null)" = "$(cat folded.txt)" ] || fail "export -o -"
    "$wprof" export --format folded db-target.db -o "$dev" 2> /dev/null && [ -c "$dev" ] || fail "export to a device"
    ln -s export-target.txt export-link.txt
    "$wprof" export --format folded db-target.db -o export-link.txt 2> /dev/null
    [ -L export-link.txt ] && cmp -s export-target.txt folded.txt || fail "export through a link"
    [ -z "$(ls -A | grep -e tmp -e '^\.wasm-instrument')" ] || fail "temporary files left: $(ls -A)"
    ;;
  file-modes)
    # every file wprof writes gets 0666 less the umask, as open(2) would give it
    for mask in 027 022 077; do
      rm -f m.wasm m.db m.folded
      (umask "$mask"
       "$instrument" -q "$wasm/counts.wasm" m.wasm &&
       "$wprof" run -q -o m.db m.wasm > /dev/null &&
       "$wprof" export --format folded m.db -o m.folded 2> /dev/null) || fail "umask $mask: a step failed"
      want=$(printf '%o' $((0666 & ~0$mask)))
      [ "$(stat -c %a m.wasm m.db m.folded | sort -u)" = "$want" ] ||
        fail "umask $mask: modes $(stat -c '%a %n' m.wasm m.db m.folded | tr '\n' ' '), expected $want"
    done
    ;;
  output-is-input)
    cp "$wasm/counts.wasm" same.wasm
    ln same.wasm hardlink.wasm
    for out in same.wasm ./same.wasm hardlink.wasm; do
      rc=0
      "$wprof" run -o "$out" same.wasm > out.txt 2> err.txt || rc=$?
      expect_rc 64
      expect_err "wprof run: $out: the database would replace the module itself (wprof run --help)"
      cmp -s same.wasm "$wasm/counts.wasm" || fail "the module was changed"
    done
    ;;
  missing-file) bad_input 66 "wprof run: nope.wasm: No such file or directory" nope.wasm ;;
  missing-dir) bad_input 66 "wprof run: nodir: No such file or directory" --dir nodir "$wasm/counts.wasm" ;;
  not-wasm)
    printf '#!/bin/sh\necho hi\n' > notwasm.wasm
    bad_input 65 "wprof run: notwasm.wasm: not a WebAssembly module (no \\0asm magic)" notwasm.wasm
    ;;
  truncated)
    # header (8 bytes), type section: id, size 0x11, 17 bytes -> the import section starts at 27
    head -c 30 "$wasm/counts.wasm" > notwasm.wasm
    [ "$(od -An -tx1 -j9 -N1 notwasm.wasm)" = " 11" ] || fail "counts.wat's type section changed size"
    bad_input 65 "wprof run: notwasm.wasm: malformed module: section 2 at offset 27 overruns the end of the module (size 35)" notwasm.wasm
    ;;
  unwritable-output)
    run_wprof -o "$work/no/such/dir/p.db" "$wasm/counts.wasm"
    expect_rc 73
    expect_err "wprof run: $work/no/such/dir/p.db: cannot write here: No such file or directory"
    [ ! -e "$work/no" ] || fail "created the directory"
    ;;
  # (the default engine, auto, runs these two under Node: tests/node-engine)
  tail-call) bad_input 69 "wprof run: $wasm/tailcall.wasm: uses tail calls (return_call), which wasm2c 1.0.32 cannot translate" --engine wasm2c "$wasm/tailcall.wasm" ;;
  simd) bad_input 69 "wprof run: $wasm/simd.wasm: uses SIMD (v128), which wasm2c 1.0.32 cannot translate" --engine wasm2c "$wasm/simd.wasm" ;;
  bad-import) bad_input 69 "wprof run: $wasm/badimport.wasm: imports env.host_thing, which wprof run does not provide" "$wasm/badimport.wasm" ;;
  bad-import-type)
    bad_input 69 "wprof run: $wasm/badtype.wasm: imports wasi_snapshot_preview1.proc_exit as (i64 i64) -> (i32), but wprof run provides it as (i32) -> ()" \
      "$wasm/badtype.wasm"
    bad_input 69 "wprof run: $wasm/badprobe.wasm: imports wprof.enter as (i64) -> (), but wprof run provides it as (i32) -> ()" \
      "$wasm/badprobe.wasm"
    ;;
  no-start) bad_input 69 "wprof run: $wasm/nostart.wasm: has no _start export (not a WASI command)" "$wasm/nostart.wasm" ;;
  bad-start)
    for m in badstart globalstart; do
      bad_input 69 "wprof run: $wasm/$m.wasm: its _start export is not a function without parameters or results (not a WASI command)" \
        "$wasm/$m.wasm"
    done
    ;;
  unknown-command)
    rc=0
    "$wprof" frobnicate > out.txt 2> err.txt || rc=$?
    expect_rc 64
    expect_err "wprof: frobnicate: unknown command (wprof --help lists them)"
    ;;
  help)
    rc=0
    "$wprof" run --help > out.txt 2> err.txt || rc=$?
    expect_rc 0
    grep -q '^  134  the guest trapped' out.txt || fail "--help does not document exit code 134"
    grep -q 'a second one exits at once' out.txt || fail "--help does not document the second signal"
    "$wprof" --help | grep -q '^  run ' || fail "wprof --help does not list run"
    ;;

  # ---- traps and exits (plain module: nothing to count) ----
  trap-unreachable | trap-div | trap-oob | trap-indirect | trap-stack)
    declare -A letter=([trap-unreachable]=u [trap-div]=d [trap-oob]=m [trap-indirect]=i [trap-stack]=s)
    declare -A message=([trap-unreachable]="unreachable executed" [trap-div]="integer divide by zero"
      [trap-oob]="out of bounds memory or table access"
      [trap-indirect]="indirect call: type mismatch, null or out of range" [trap-stack]="call stack exhausted")
    run_wprof -o "$work/t.db" "$wasm/traps.wasm" "${letter[$case_name]}"
    expect_rc 134
    want="${message[$case_name]}"
    expect_err_sampled "$(printf 'wprof: guest trapped: %s\nwprof: wrote %s: 0 calls, 0 functions, 0 allocations (0 bytes, 0 live), N samples (too few to rank functions by time)' "$want" "$work/t.db")"
    [ "$(q t.db 'SELECT status, exit_code IS NULL, trap, instrumented FROM run')" = "trapped|1|$want|0" ] ||
      fail "run row: $(q t.db 'SELECT status, exit_code, trap, instrumented FROM run')"
    ;;
  proc-exit)
    run_wprof -q -o "$work/t.db" "$wasm/traps.wasm" x
    expect_rc 3
    [ ! -s err.txt ] || fail "--quiet printed: $(cat err.txt)"
    [ "$(q t.db 'SELECT status, exit_code, trap IS NULL FROM run')" = "exited|3|1" ] || fail "run row"
    ;;
  instrumented-trap)
    # traps.wasm, instrumented: _start (open) -> recurse... ; every open frame is unwound
    module=$(instrumented traps)
    run_wprof -q -o "$work/t.db" "$module" u
    expect_rc 134
    [ "$(q t.db 'SELECT status, trap, total_calls, total_exits, unwound_frames FROM run')" = "trapped|unreachable executed|1|0|1" ] ||
      fail "run row: $(q t.db 'SELECT status, trap, total_calls, total_exits, unwound_frames FROM run')"
    ;;

  # ---- counting (counts.wat: _start 1, a 3, b 6, malloc 3; 3 x 16 bytes live) ----
  counts)
    module=$(instrumented counts)
    run_wprof -o "$work/c.db" "$module"
    expect_rc 0
    [ "$(cat out.txt)" = "counts done" ] || fail "stdout: $(cat out.txt)"
    expect_err_sampled "wprof: wrote $work/c.db: 13 calls, 4 functions, 3 allocations (48 bytes, 3 live), N samples (too few to rank functions by time)"
    [ "$(q c.db "SELECT group_concat(name || '=' || calls, ' ') FROM (SELECT name, calls FROM flat_profile WHERE fid >= 0 ORDER BY name)")" = \
      "_start=1 a=3 b=6 malloc=3" ] || fail "flat profile: $(q c.db 'SELECT name, calls FROM flat_profile')"
    [ "$(q c.db 'SELECT instrumented, status, exit_code, total_calls, total_exits, unwound_frames, timing, trace FROM run')" = \
      "1|exited|0|13|13|0|sampled|0" ] || fail "run row: $(q c.db 'SELECT * FROM run')"
    [ "$(q c.db 'SELECT SUM(alloc_objects), SUM(alloc_bytes), SUM(live_objects), SUM(live_bytes) FROM alloc_sites')" = "3|48|3|48" ] ||
      fail "allocations"
    ;;
  deterministic)
    # two runs with the default (sampled) time, then exact and none: the same counts and allocations
    module=$(instrumented counts)
    for i in 1 2 exact none; do
      case $i in [12]) mode=sampled ;; *) mode=$i ;; esac
      run_wprof -q --timing "$mode" -o "$work/d$i.db" "$module"
      q "d$i.db" "SELECT p.id, p.parent, p.fid, p.calls, p.unwound FROM call_paths p WHERE depth > 0 ORDER BY p.id;
                  SELECT * FROM alloc_sites ORDER BY path_id;
                  SELECT total_calls, total_exits, unwound_frames FROM run" > "counts$i.txt"
      [ "$(q "d$i.db" 'SELECT timing FROM run')" = "$mode" ] || fail "run.timing of $mode"
    done
    for i in 2 exact none; do diff -u counts1.txt "counts$i.txt" || fail "run $i differs"; done
    [ "$(wc -l < counts1.txt)" -ge 5 ] || fail "too few rows to compare"
    ;;
  no-timing)
    module=$(instrumented counts)
    run_wprof -q --no-timing -o "$work/n.db" "$module"
    [ "$(q n.db 'SELECT timing, clock, SUM(incl_ns), SUM(self_ns), SUM(calls), run.samples FROM run, call_paths')" = "none|none|0|0|13|0" ] ||
      fail "timing row: $(q n.db 'SELECT timing, clock, SUM(incl_ns), SUM(self_ns), SUM(calls) FROM run, call_paths')"
    ;;

  # ---- sampled time ----
  sampled-split)
    # split.wat: heavy spins 4 units, light 1, alternately 150 times (about 0.45 s): the
    # samples of _start;heavy and _start;light are in a 4:1 ratio. With ~4,500 samples light
    # has ~900 (a statistical error of ~3.5%); 3.4..4.7 allows four times that and more.
    module=$(instrumented split)
    run_wprof --sample-interval 100us -o "$work/s.db" "$module"
    expect_rc 0
    heavy=$(path_value s.db samples '_start;heavy') light=$(path_value s.db samples '_start;light')
    [ "$(path_value s.db calls '_start;heavy')|$(path_value s.db calls '_start;light')" = "150|150" ] || fail "calls"
    awk -v h="$heavy" -v l="$light" 'BEGIN { r = h / l; exit !(l > 0 && r >= 3.4 && r <= 4.7) }' ||
      fail "heavy:light samples $heavy:$light, expected 4:1"
    [ "$(q s.db 'SELECT timing, sample_interval_ns, samples = (SELECT SUM(samples) FROM call_paths) FROM run')" = "sampled|100000|1" ] ||
      fail "run row: $(q s.db 'SELECT timing, sample_interval_ns, samples FROM run')"
    [ "$(path_value s.db self_ns '_start;heavy')" = "$((heavy * 100000))" ] || fail "self_ns is not samples x interval"
    "$wprof" report s.db > report.txt
    grep -q "^Time: sampled, [0-9]* samples, one per 100 µs" report.txt || fail "report header: $(head -4 report.txt)"
    ! grep -q "too few" report.txt || fail "report says too few samples: $(head -5 report.txt)"
    ;;
  exact-split)
    # split.wat under exact time: a clock read at every entry and exit (the TSC, read by
    # the probes compiled into the module, where the machine has one). Exact time is
    # wall time, so a guest preempted on a loaded machine (CI runs two tests at once on
    # two cores) carries the wait into whichever call was running: the checks hold
    # whatever the load. Every path's self time is at least 0 and _start's inclusive time
    # is the sum of the self times under it, within the run's duration (a tick not read
    # at entry gives seconds); heavy, 4 times light's work in the same loop (150 calls
    # each of 800,000 and 200,000 iterations), gets 2 to 8 times light's time.
    module=$(instrumented split)
    run_wprof --timing exact -o "$work/e.db" "$module"
    expect_rc 0
    heavy=$(path_value e.db self_ns '_start;heavy') light=$(path_value e.db self_ns '_start;light')
    awk -v h="$heavy" -v l="$light" 'BEGIN { r = h / l; exit !(l > 0 && r >= 2 && r <= 8) }' ||
      fail "heavy:light self_ns $heavy:$light, expected about 4:1"
    [ "$(q e.db 'SELECT COUNT(*) FROM call_paths WHERE self_ns < 0')" = 0 ] || fail "a negative self time"
    start=$(path_value e.db incl_ns _start)
    [ "$start" = "$(q e.db "SELECT SUM(self_ns) FROM call_paths WHERE depth >= 1")" ] ||
      fail "_start's incl_ns is not the sum of self times"
    [ "$start" -le "$(q e.db 'SELECT duration_ns FROM run')" ] || fail "_start's incl_ns $start exceeds the run"
    ;;
  sampled-sleep)
    # nap.wat: nap sleeps 300 ms in poll_oneoff, then spin runs briefly: the sleep's wall
    # time is on _start;nap (sampled while blocked), none of it on _start;spin.
    module=$(instrumented nap)
    run_wprof -o "$work/n.db" "$module"
    expect_rc 0
    nap=$(path_value n.db incl_ns '_start;nap')
    [ "$nap" -ge 150000000 ] && [ "$nap" -le 400000000 ] || fail "nap's incl_ns $nap, expected about 300 ms"
    [ "$(path_value n.db incl_ns '_start;spin')" -lt 100000000 ] || fail "spin got the sleep"
    ;;
  sampled-probes)
    # callloop.wat: 20,000,000 calls of a one-instruction function, each with its
    # enter and exit probes (about 20 instructions inlined at the call, against the
    # loop's 4 and the body's 3): the probes' samples, told apart by the flag the
    # inlined probes set, are at least a quarter of all samples. Under --engine node
    # (tests/node-engine), the wasm recorder's probes set such a flag of their own.
    module=$(instrumented callloop)
    run_wprof --sample-interval 100us -o "$work/p.db" "$module"
    expect_rc 0
    [ "$(path_value p.db calls '_start;tick')" = 20000000 ] || fail "tick calls: $(path_value p.db calls '_start;tick')"
    read -r paths probes <<< "$(q p.db 'SELECT samples, probe_samples FROM run' | tr '|' ' ')"
    awk -v s="$paths" -v p="$probes" 'BEGIN { exit !(s + p >= 100 && p >= (s + p) / 4) }' ||
      fail "samples on paths $paths, in the probes $probes: expected a quarter or more in the probes"
    ;;
  sampled-leaf-code)
    # leafburn.wat: 5,000,000 calls through a table of a straight-line leaf, counted
    # with no frame (--count-leaves): _start is on top throughout, but the samples that
    # interrupt burn's own compiled code (most of the loop's time) go to _start;burn, as
    # the host maps code addresses to functions (module-code.c). Without that mapping
    # _start;burn would have none.
    "$instrument" -q --count-leaves "$wasm/leafburn.wasm" "$work/leafburn.l.wasm"
    run_wprof --sample-interval 100us -o "$work/l.db" "$work/leafburn.l.wasm"
    expect_rc 0
    [ "$(path_value l.db calls '_start;burn')" = 5000000 ] || fail "burn calls: $(path_value l.db calls '_start;burn')"
    read -r burn all <<< "$(q l.db "SELECT (SELECT samples FROM call_paths JOIN path_names USING (id) WHERE path = '_start;burn'), samples FROM run" | tr '|' ' ')"
    awk -v b="$burn" -v a="$all" 'BEGIN { exit !(a >= 100 && b >= a / 4) }' ||
      fail "samples on _start;burn $burn of $all: expected a quarter or more"
    ;;
  sampled-short)
    # counts.wat runs for microseconds: the run and the report say the samples are too few
    module=$(instrumented counts)
    run_wprof -o "$work/c.db" "$module"
    grep -q ', [0-9]* samples (too few to rank functions by time)$' err.txt || fail "stderr: $(cat err.txt)"
    "$wprof" report c.db > report.txt
    grep -q "^Note: only [0-9]* samples: too few to rank functions by time" report.txt || fail "report: $(head -5 report.txt)"
    ;;
  deterministic-wasi)
    # clockrand.wat under --deterministic: the values wasi.h defines, worked out by hand
    # (the realtime epoch 946684800 s plus one 1 us step; the monotonic clock at the
    # second step; the 10 ms sleep and a third step; the step as resolution), and
    # splitmix64's first 12 bytes from the seed 0x7770726f66, computed here independently.
    want_random=$(python3 -c '
s, m = 0x7770726f66, 2**64
out = b""
for _ in range(2):
    s = (s + 0x9E3779B97F4A7C15) % m
    z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) % m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % m
    out += (z ^ (z >> 31)).to_bytes(8, "little")
print(out[:12].hex())')
    # (rewritten with --cost: ten runs agree on every count, instruction and allocation)
    "$instrument" -q --cost "$wasm/clockrand.wasm" "$work/clockrand.i.wasm" || fail "wasm-instrument --cost"
    module=$work/clockrand.i.wasm
    for i in $(seq 10); do
      run_wprof -q --deterministic -o "$work/r$i.db" "$module"
      expect_rc 0
      [ "$(od -An -tu8 -N32 out.txt | tr -s ' \n' ' ')" = " 946684800000001000 2000 10003000 1000 " ] ||
        fail "clocks: $(od -An -tu8 -N32 out.txt)"
      [ "$(od -An -tx1 -j32 out.txt | tr -d ' \n')" = "$want_random" ] || fail "random bytes: $(od -An -tx1 -j32 out.txt)"
      q "r$i.db" "SELECT id, parent, fid, calls, incl_instructions, self_instructions FROM call_paths WHERE depth > 0 ORDER BY id;
                  SELECT COALESCE(SUM(self_instructions), 0) FROM call_paths WHERE depth = 0;
                  SELECT * FROM alloc_sites ORDER BY path_id; SELECT instructions FROM run;
                  SELECT value FROM meta WHERE key = 'deterministic'" > "counts$i.txt"
      diff -u counts1.txt "counts$i.txt" || fail "run $i differs"
    done
    [ "$(q r1.db 'SELECT instructions > 0 FROM run')" = 1 ] || fail "no instructions counted"
    [ "$(tail -n 1 counts1.txt)" = 1 ] || fail "meta.deterministic"
    run_wprof -q -o "$work/real.db" "$module"
    [ "$(od -An -tu8 -N8 out.txt | tr -d ' ')" != 946684800000001000 ] || fail "the real clock is virtual"
    [ "$(q real.db "SELECT value FROM meta WHERE key = 'deterministic'")" = 0 ] || fail "meta.deterministic without it"
    ;;
  bad-interval)
    for bad in 0 -5 100 50us 5s 100x abc ''; do
      bad_input 64 "wprof run: $bad: --sample-interval expects a time from 100us to 1s, e.g. 250us or 1ms (wprof run --help)" \
        --sample-interval "$bad" "$wasm/counts.wasm"
    done
    bad_input 64 "wprof run: --sample-interval: only applies to --timing sampled (wprof run --help)" \
      --timing exact --sample-interval 1ms "$wasm/counts.wasm"
    bad_input 64 "wprof run: fast: --timing expects sampled, exact or none (wprof run --help)" --timing fast "$wasm/counts.wasm"
    bad_input 64 "wprof run: --trace: records per-call durations: use --timing exact (its default) or none (wprof run --help)" \
      --trace --timing sampled "$wasm/counts.wasm"
    ;;
  trace)
    module=$(instrumented counts)
    run_wprof -q --trace -o "$work/t.db" "$module"
    [ "$(q t.db 'SELECT trace, (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM alloc_events) FROM run')" = "1|13|3" ] ||
      fail "trace row: $(q t.db 'SELECT trace, (SELECT COUNT(*) FROM calls), (SELECT COUNT(*) FROM alloc_events) FROM run')"
    ;;
  plain)
    run_wprof -o "$work/p.db" "$wasm/counts.wasm"
    expect_rc 0
    [ "$(cat out.txt)" = "counts done" ] || fail "stdout"
    [ "$(q p.db 'SELECT instrumented, status, total_calls, host FROM run')" = "0|exited|0|wasm2c" ] || fail "run row"
    ;;

  # ---- the cache ----
  cache)
    export WPROF_CACHE_DIR=$work/cache
    run_wprof -q -o "$work/1.db" "$wasm/counts.wasm"
    expect_rc 0
    [ "$(ls cache | wc -l)" = 1 ] || fail "cache holds: $(ls cache)"
    so=$(ls cache/*.so)
    before=$(stat -c '%i %Y.%y' "$so")
    sleep 1.1
    # a second run must not rebuild: same file (inode) and untouched mtime
    run_wprof -q -o "$work/2.db" "$wasm/counts.wasm"
    expect_rc 0
    [ "$(stat -c '%i %Y.%y' "$so")" = "$before" ] || fail "the cached module was rebuilt"
    [ "$(ls cache | wc -l)" = 1 ] || fail "cache holds: $(ls cache)"
    # another module: another entry
    run_wprof -q -o "$work/3.db" "$wasm/traps.wasm" z
    expect_rc 0
    [ "$(ls cache | wc -l)" = 2 ] || fail "cache holds: $(ls cache)"
    ;;
  build-interrupted)
    # SIGINT while the module is being translated or compiled: the tools die with wprof run
    # (130), the build directory goes; a build directory left by a run that died without a
    # word (its lock free) goes on the next build, one that a live build holds stays
    export WPROF_CACHE_DIR=$work/cache
    { echo '(module (memory (export "memory") 1) (func (export "_start"))'
      for i in $(seq 20000); do echo "(func (export \"f$i\") (result i32) (i32.add (i32.const $i) (i32.const 1)))"; done
      echo ')'; } > big.wat
    wat2wasm big.wat -o big.wasm || fail "wat2wasm big.wat"
    "$wprof" run -q -o "$work/b.db" big.wasm > out.txt 2> err.txt &
    pid=$!
    for _ in $(seq 1000); do ls cache 2> /dev/null | grep -q '^build-' && break; sleep 0.01; done
    ls cache | grep -q '^build-' || fail "no build started"
    sleep 0.3
    kill -INT "$pid"
    rc=0; wait "$pid" || rc=$?
    expect_rc 130
    [ -z "$(ls cache | grep '^build-')" ] || fail "build directory left: $(ls cache)"
    sleep 0.2
    ! pgrep -f "$work/cache/build-" > /dev/null || fail "tools still running: $(pgrep -af "$work/cache/build-")"
    [ ! -e "$work/b.db" ] || fail "a database was written"
    # (made two minutes old: a younger directory may be a build about to take its lock)
    mkdir cache/build-dead cache/build-alive
    touch cache/build-dead/lock cache/build-dead/module.c cache/build-alive/lock
    touch -d '2 minutes ago' cache/build-dead cache/build-alive
    python3 -c 'import fcntl, sys, time; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], "w"); time.sleep(30)' \
      cache/build-alive/lock held < /dev/null > /dev/null 2>&1 &
    holder=$!
    for _ in $(seq 1000); do [ -e held ] && break; sleep 0.01; done
    [ -e held ] || fail "the lock holder did not start"
    run_wprof -q -o "$work/c.db" "$wasm/counts.wasm"; expect_rc 0
    [ ! -e cache/build-dead ] || fail "the abandoned build directory stayed"
    [ -d cache/build-alive ] || fail "a live build's directory was removed"
    kill "$holder"
    ;;
  cache-corrupt)
    # a truncated, then an emptied cache entry: rebuilt once, said on stderr, the run goes on
    export WPROF_CACHE_DIR=$work/cache
    run_wprof -q -o "$work/1.db" "$wasm/counts.wasm"
    so=$(ls cache/*.so)
    for damage in "truncate -s 100" "truncate -s 0"; do
      $damage "$so"
      run_wprof -o "$work/2.db" "$wasm/counts.wasm"
      expect_rc 0
      [ "$(cat out.txt)" = "counts done" ] || fail "$damage: stdout $(cat out.txt)"
      head -n 1 err.txt | grep -q "^wprof: the cached build of $wasm/counts.wasm cannot be loaded (.*): building it again$" ||
        fail "$damage: stderr $(cat err.txt)"
      [ "$(stat -c %s "$so")" -gt 1000 ] || fail "$damage: not rebuilt"
    done
    ;;
  cache-concurrent)
    export WPROF_CACHE_DIR=$work/cache
    for i in 1 2 3; do "$wprof" run -q -o "$work/c$i.db" "$wasm/counts.wasm" > "out$i.txt" & done
    wait
    for i in 1 2 3; do [ "$(cat "out$i.txt")" = "counts done" ] || fail "run $i"; done
    [ "$(ls cache)" = "$(ls cache/*.so | xargs -n1 basename)" ] || fail "cache leftovers: $(ls cache)"
    [ "$(ls cache | wc -l)" = 1 ] || fail "cache holds: $(ls cache)"
    ;;

  # ---- interruption ----
  sigint-instrumented) interrupt INT "$(instrumented spin)"; check_interrupted 130 SIGINT
    [ "$(q i.db 'SELECT unwound_frames FROM run')" = 1 ] || fail "_start should be the one unwound frame"
    [ "$(q i.db "SELECT calls > 1 FROM flat_profile WHERE name = 'tick'")" = 1 ] || fail "no ticks counted" ;;
  sigterm-instrumented) interrupt TERM "$(instrumented spin)"; check_interrupted 143 SIGTERM ;;
  sighup-instrumented) interrupt HUP "$(instrumented spin)"; check_interrupted 129 SIGHUP
    [ -z "$(ls -A | grep -F .tmp)" ] || fail "temporary files left: $(ls -A)" ;;
  sigint-plain-loop) interrupt INT "$wasm/spin.wasm"; check_interrupted 130 SIGINT ;;
  sigint-plain-sleep) interrupt INT "$wasm/sleep.wasm"; check_interrupted 130 SIGINT ;;
  sigint-twice) # a second signal exits at once. With --trace after a second of
    # spinning, writing the database takes long enough for the second signal
    # to land during it; whichever wins, the result is a complete database or
    # nothing, never a temporary file.
    module=$(instrumented spin)
    for attempt in 1 2 3; do
      rm -f "$work/i.db"
      "$wprof" run --trace -o "$work/i.db" "$module" > out.txt 2> err.txt &
      pid=$!
      for _ in $(seq 600); do grep -q ready out.txt 2>/dev/null && break; sleep 0.05; done
      sleep 1
      kill -INT "$pid"; sleep 0.05; kill -INT "$pid"
      rc=0
      wait "$pid" || rc=$?
      expect_rc 130
      [ -z "$(ls "$work" | grep 'i\.db\.tmp' || true)" ] || fail "attempt $attempt left a temporary database"
      if [ -e "$work/i.db" ]; then
        [ "$(q i.db 'SELECT status FROM run')" = interrupted ] || fail "attempt $attempt: incomplete database"
      fi
    done ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok $case_name"
