#!/usr/bin/env bash
# The README's first command: installs what is missing, builds wprof, then
# profiles the bundled demo (demo/wordfreq.c, built for wasm32-wasi) the way a
# user would: instrument it, run it, and show the reports and a SQL query.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
"$top/scripts/setup.sh" "$build"

out="$build/demo-run"
mkdir -p "$out"
instrument="$build/rewriter/wasm-instrument"
wprof="$build/cli/wprof"
show() { printf '\n$ %s\n' "$*"; "$@"; }

cd "$out"
show "$instrument" "$build/demo/wordfreq.wasm" wordfreq.prof.wasm
# 60,000 rounds of the text (about 0.3 s) sampled every 100 us: about 1,000 samples of
# the program, and the probes' own share of a call-dense program (tolower, strcmp)
show "$wprof" run --sample-interval 100us -o wordfreq.db wordfreq.prof.wasm -- 60000
show "$wprof" report wordfreq.db top --limit 10
show "$wprof" report wordfreq.db tree --min-percent 1
show "$wprof" report wordfreq.db allocs --sample alloc_space
show "$wprof" report wordfreq.db leaks
show sqlite3 -header -column wordfreq.db \
  'SELECT name, calls, self_ns FROM flat_profile ORDER BY calls DESC LIMIT 5'
# Exact cost for CI: the instructions each function executes, identical on every run, and
# a gate on them (the second run does more rounds: more instructions, the gate fails)
show "$instrument" --cost "$build/demo/wordfreq.wasm" wordfreq.cost.wasm
show "$wprof" run --deterministic -o base.db wordfreq.cost.wasm -- 1000
show "$wprof" run --deterministic -o new.db wordfreq.cost.wasm -- 1030
show "$wprof" report base.db top --metric instructions --limit 5
printf '\n$ %s\n' "wprof diff base.db new.db --fail-on instructions:+2%"
rc=0
"$wprof" diff base.db new.db --fail-on instructions:+2% --flame diff.html | tail -n 4 || rc=$?
printf '(exit %d: the gate failed; diff.html is the differential flame graph)\n' "$rc"
printf '\nThe profile is %s/wordfreq.db; see docs/queries.md for more SQL.\n' "$out"
