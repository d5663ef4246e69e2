#!/usr/bin/env bash
# A CI job gating on exact cost (issue 11): two builds of ci-gate.c, the new
# one doing 3% more work in checksum, rewritten with --cost and recorded with
# --deterministic. `wprof diff --fail-on instructions:+2%` must exit 1 naming
# checksum; `--fail-on instructions:+5%` must exit 0; calls do not change.
#   ci-gate.sh WPROF WASM_INSTRUMENT
set -euo pipefail
wprof=$1 instrument=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL ci-gate: $*" >&2; exit 1; }
cd "$work"
for build in base:1000 new:1030; do
  name=${build%:*} iters=${build#*:}
  clang --target=wasm32-wasi -O2 -DITERS="$iters" -c "$here/ci-gate.c" -o "$name.o"
  clang --target=wasm32-wasi "$name.o" -o "$name.wasm"
  "$instrument" -q --cost "$name.wasm" "$name.cost.wasm"
  "$wprof" run -q --deterministic -o "$name.db" "$name.cost.wasm" > "$name.out"
done
# checksum's self instructions grow by 30 iterations' worth: between 2% and 5%
growth=$(sqlite3 -batch new.db "ATTACH 'base.db' AS b;
  SELECT 100.0 * n.self_instructions / o.self_instructions - 100 FROM flat_profile n, b.flat_profile o
  WHERE n.name = 'checksum' AND o.name = 'checksum'")
awk -v g="$growth" 'BEGIN { exit !(g > 2.5 && g < 3.5) }' || fail "checksum grew by $growth%, expected about 3%"
rc=0
"$wprof" diff base.db new.db --fail-on instructions:+2% > gate2.txt 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "--fail-on instructions:+2% exited $rc: $(cat gate2.txt)"
grep -q 'checksum' gate2.txt || fail "the regression does not name checksum: $(cat gate2.txt)"
rc=0
"$wprof" diff base.db new.db --fail-on instructions:+5% > gate5.txt 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "--fail-on instructions:+5% exited $rc: $(cat gate5.txt)"
rc=0
"$wprof" diff base.db new.db --fail-on calls:+0% > calls.txt 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "the calls changed: $(cat calls.txt)"
echo "ok ci-gate (checksum +$growth%)"
