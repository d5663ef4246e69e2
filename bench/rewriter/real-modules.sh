#!/usr/bin/env bash
# Checks wasm-instrument on real modules built by others (and on the
# synthetic one): each is rewritten, validated by wabt with every feature on,
# and run on a fixed workload under Node, plain and instrumented; the outputs
# must be identical byte for byte. Prints the 10 functions called most in the
# instrumented run (from the reference JS host's results).
#
#   bench/rewriter/real-modules.sh [BUILD_DIR [MODULE...]]
#     BUILD_DIR defaults to build; MODULE is flite, ruby, ruby-debug or synthetic (default: all)
#
# Uses BUILD_DIR/rewriter/wasm-instrument (build it first:
# cmake --build BUILD_DIR --target wasm-instrument) and the modules of
# setup.sh, which it runs. Workloads:
#   flite.wasm      flite -t TEXT -o out.wav, in a temporary directory preopened as "."
#   ruby.wasm       ruby-driver.mjs: ruby-init, then rb-eval-string-protect(PROGRAM);
#                   then fib(10), fib(15), fib(20) for an exact call-count check
#   ruby-debug.wasm the same PROGRAM (this one has names, so allocation probes too)
#   synthetic.wasm  synthetic-driver.mjs: run(20000), an i64 checksum
# Exit status: 0 when every output matched and every instrumented run was well
# nested; 1 otherwise (each failure is named on stderr); 2 on a setup problem.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-"$top/build"}
shift || true
modules=" ${*:-flite ruby ruby-debug synthetic} "
instrument="$build/rewriter/wasm-instrument"
work="$top/bench/work"
host_cli="$top/runtime-shim/js/wprof-node.mjs"

[ -x "$instrument" ] || { echo "real-modules: no $instrument (cmake --build $build --target wasm-instrument)" >&2; exit 2; }
"$here/setup.sh" || exit 2

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() {
  echo "real-modules: FAIL: $*" >&2
  failures=$((failures + 1))
}

# rewrite NAME: NAME.wasm -> NAME.inst.wasm in bench/work, then validate it.
# Fails (1) only when nothing was written: an output wabt rejects is a
# failure too, but its workload still runs, since V8 may accept it.
rewrite() {
  local name=$1 rc
  echo "== $name.wasm: $(stat -c %s "$work/$name.wasm") bytes"
  rm -f "$work/$name.inst.wasm"
  "$instrument" -q "$work/$name.wasm" "$work/$name.inst.wasm"
  rc=$?
  if [ $rc -ne 0 ]; then
    fail "wasm-instrument $name.wasm exited $rc"
    return 1
  fi
  if wasm-validate --enable-all "$work/$name.inst.wasm"; then
    echo "rewritten: $(stat -c %s "$work/$name.inst.wasm") bytes, valid"
  else
    fail "$name.inst.wasm does not validate (wasm-validate --enable-all)"
  fi
}

# same WHAT PLAIN INSTRUMENTED: the two output files must be identical.
same() {
  if cmp -s "$2" "$3"; then
    echo "$1: identical ($(stat -c %s "$2") bytes, sha256 $(sha256sum <"$2" | cut -c1-16))"
  else
    fail "$1 differs between the plain and the instrumented run ($(cmp "$2" "$3" 2>&1 | head -1))"
  fi
}

wanted() { [[ $modules == *" $1 "* ]]; }

top_calls() {
  node "$here/top-calls.mjs" "$1" 10 || fail "$2: the probe events are not well nested"
}

# --- flite: text to speech, a WAV file ---
flite_text="Flite is a small, fast run-time speech synthesis engine. It was developed at \
Carnegie Mellon University in 1999, and this sentence is read out by a profiled copy of it: \
forty-two words, 3.14159 and the date 2024-01-31 included."
if wanted flite && rewrite flite; then
  for variant in plain inst; do
    mkdir -p "$scratch/flite-$variant"
    module="$work/flite.wasm"; json=()
    [ $variant = inst ] && { module="$work/flite.inst.wasm"; json=(--json "$scratch/flite.json"); }
    (cd "$scratch/flite-$variant" && node --no-warnings "$host_cli" "${json[@]}" "$module" \
      -t "$flite_text" -o out.wav >stdout.txt 2>stderr.txt) || fail "flite ($variant) exited $?"
  done
  same "flite WAV" "$scratch/flite-plain/out.wav" "$scratch/flite-inst/out.wav"
  same "flite stdout" "$scratch/flite-plain/stdout.txt" "$scratch/flite-inst/stdout.txt"
  [ -f "$scratch/flite.json" ] && top_calls "$scratch/flite.json" flite
fi

# --- ruby: CRuby evaluating a small program ---
ruby_program='puts (1..2000).map { |i| i * i }.sum
puts [3, 1, 2].sort.inspect
puts "abc" * 3
h = Hash.new(0); "the quick brown fox jumps over the lazy dog".each_char { |c| h[c] += 1 }
puts h.sort_by { |c, n| [-n, c] }.first(5).inspect
puts (1..30).reduce(:*)
puts 1.0 / 3
puts [1, 2, 3].each_slice(2).map(&:sum).inspect
def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
puts fib(20)
puts "%08.3f|%-6s|%x" % [Math::PI, "ab", 255]'
# run_ruby NAME: the program on NAME.wasm, plain and instrumented.
run_ruby() {
  local name=$1
  node "$here/ruby-driver.mjs" "$work/$name.wasm" "$ruby_program" \
    >"$scratch/$name-plain.txt" 2>"$scratch/$name-plain.err" || fail "$name (plain) exited $?: $(head -c 300 "$scratch/$name-plain.err")"
  node "$here/ruby-driver.mjs" --json "$scratch/$name.json" "$work/$name.inst.wasm" "$ruby_program" \
    >"$scratch/$name-inst.txt" 2>"$scratch/$name-inst.err" || fail "$name (instrumented) exited $?: $(head -c 300 "$scratch/$name-inst.err")"
  sed "s/^/$name> /" "$scratch/$name-plain.txt"
  same "$name stdout" "$scratch/$name-plain.txt" "$scratch/$name-inst.txt"
  same "$name stderr" "$scratch/$name-plain.err" "$scratch/$name-inst.err"
  [ -f "$scratch/$name.json" ] && top_calls "$scratch/$name.json" "$name"
}
if wanted ruby && rewrite ruby; then
  run_ruby ruby
  # Exact counts: naive fib(n) makes 2*F(n+1) - 1 Ruby calls (177, 1973 and
  # 21891 for n = 10, 15, 20), so the function that runs once per Ruby call
  # must gain exactly 1973 - 177 and 21891 - 1973 calls from one run to the next.
  for n in 10 15 20; do
    node "$here/ruby-driver.mjs" --json "$scratch/fib$n.json" "$work/ruby.inst.wasm" \
      "def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
puts fib($n)" >/dev/null || fail "ruby fib($n) (instrumented) exited $?"
  done
  node --input-type=module - "$scratch" <<'EOF' || fail "ruby: no function counts one call per Ruby call of fib"
import fs from 'node:fs';
const calls = (n) => JSON.parse(fs.readFileSync(`${process.argv[2]}/fib${n}.json`, 'utf8')).calls;
const [c10, c15, c20] = [calls(10), calls(15), calls(20)];
const fids = c10.map((_, fid) => fid).filter((fid) => c15[fid] - c10[fid] === 1973 - 177 && c20[fid] - c15[fid] === 21891 - 1973);
console.log(`ruby fib: functions called once per Ruby call: ${fids.map((f) => `fid ${f} (${c10[f]}, ${c15[f]}, ${c20[f]} calls)`).join(', ') || 'none'}`);
process.exitCode = fids.length > 0 ? 0 : 1;
EOF
fi

# --- ruby-debug: the same Ruby with its standard library and a name section,
# so malloc, calloc, realloc, posix_memalign and free carry allocation probes ---
if wanted ruby-debug && rewrite ruby-debug; then
  run_ruby ruby-debug
fi

# --- synthetic: 50,000 generated functions ---
if wanted synthetic && rewrite synthetic; then
  node "$here/synthetic-driver.mjs" "$work/synthetic.wasm" 20000 >"$scratch/syn-plain.txt" \
    || fail "synthetic (plain) exited $?"
  node "$here/synthetic-driver.mjs" --json "$scratch/synthetic.json" "$work/synthetic.inst.wasm" 20000 \
    >"$scratch/syn-inst.txt" || fail "synthetic (instrumented) exited $?"
  echo "synthetic run(20000) = $(cat "$scratch/syn-plain.txt")"
  same "synthetic checksum" "$scratch/syn-plain.txt" "$scratch/syn-inst.txt"
  [ -f "$scratch/synthetic.json" ] && top_calls "$scratch/synthetic.json" synthetic
fi

if [ $failures -ne 0 ]; then
  echo "real-modules: $failures failure(s)" >&2
  exit 1
fi
echo "real-modules: all outputs identical"
