#!/usr/bin/env bash
# Benchmark of the analyzer on a big synthetic profile: a calling-context
# tree of PATHS call paths (8-ary, 8 levels, 10 calls each: 10 million calls
# with the default 1,000,000 paths) plus as many --trace rows in `calls` as
# there are calls. The tree is consistent (incl = self + children, no
# recursion); the trace rows are filler of the right size, not a nested trace.
# Times `wprof report top`, the exports and `wprof diff`; see README.md.
#   bench/analyzer/bench.sh [WPROF] [WORK_DIR] [PATHS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wprof=${1:-$here/../../build/cli/wprof}
work=${2:-$here/../work/analyzer}
paths=${3:-1000000}
mkdir -p "$work"
db=$work/big.db
if [ ! -f "$db" ] || [ "$here/../../docs/schema.md" -nt "$db" ] ||
   [ "$(sqlite3 "$db" 'SELECT COUNT(*) FROM call_paths')" != "$paths" ]; then
  rm -f "$db"
  echo "generating $db ($paths paths, $((paths * 10)) calls)..." >&2
  start=$(date +%s)
  version=$(sed -n '1s/^# wprof database schema, version //p' "$here/../../docs/schema.md")
  {
    awk '/^```sql$/ {on = 1; next} /^```$/ {on = 0} on' "$here/../../docs/schema.md"
    cat <<SQL
PRAGMA user_version = $version;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
INSERT INTO meta VALUES ('schema_version', '$version'), ('wprof_version', 'bench'), ('complete', '1');
INSERT INTO functions SELECT value, value, 'function_' || value, value * 16, 1, NULL, 0, NULL, NULL FROM generate_series(0, 899);
-- Breadth-first ids: the children of i are 8i-6 .. 8i+1; a path's fid is
-- unique to its depth, so no path is recursive.
INSERT INTO call_paths
SELECT value, CASE WHEN value = 1 THEN NULL ELSE (value + 6) / 8 END,
       d * 100 + value % 100, d, 0, 10, 0, 0, 1000 + (value * 7919) % 1000, 0
FROM (SELECT value, CASE WHEN value = 1 THEN 1 WHEN value <= 9 THEN 2 WHEN value <= 73 THEN 3
                         WHEN value <= 585 THEN 4 WHEN value <= 4681 THEN 5 WHEN value <= 37449 THEN 6
                         WHEN value <= 299593 THEN 7 ELSE 8 END AS d
      FROM generate_series(1, $paths));
CREATE INDEX bench_parent ON call_paths(parent);
SQL
    for level in 8 7 6 5 4 3 2 1; do
      echo "UPDATE call_paths SET incl_ns = self_ns + COALESCE((SELECT SUM(c.incl_ns) FROM call_paths c WHERE c.parent = call_paths.id), 0) WHERE depth = $level;"
    done
    cat <<SQL
DROP INDEX bench_parent;
INSERT INTO alloc_sites SELECT id, 3, 3 * 64, 2, 128, 1, 64, 1, 64 FROM call_paths WHERE id % 100 = 0;
INSERT INTO calls SELECT value, 1 + value % $paths, value * 10, 5, 0 FROM generate_series(1, $paths * 10);
INSERT INTO run SELECT 1, 'big.wasm', '0123456789abcdef0123456789abcdef', 1, 1, '[]', 'wasm2c',
  '2026-11-22T04:05:06Z', SUM(incl_ns), 'tsc', NULL, 'exact', NULL, 0, 0, 1, 'exited', 0, NULL, SUM(calls), SUM(calls), 0, 0,
  0, 0, 0, 0, 0 FROM call_paths;
UPDATE run SET duration_ns = (SELECT incl_ns FROM call_paths WHERE id = 1);
SQL
  } | sqlite3 -bail "$db"
  echo "generated in $(($(date +%s) - start)) s, $(du -h "$db" | cut -f1)" >&2
fi
echo "database: $(sqlite3 "$db" 'SELECT COUNT(*) || " paths, " || SUM(calls) || " calls" FROM call_paths'), $(sqlite3 "$db" 'SELECT COUNT(*) FROM calls') trace rows" >&2
sync
# Best of 3 wall times, and the CPU time (user + sys) of that run: on a
# shared machine the wall time also measures the other processes.
bench() { # bench LABEL COMMAND...
  local label=$1 best= best_cpu=
  shift
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null
    local ms cpu
    read -r ms cpu < <(awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' "$work/time")
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms best_cpu=$cpu; fi
  done
  printf '%-28s best of 3: %5d ms wall, %5d ms cpu   (%s)\n' "$label" "$best" "$best_cpu" "$*"
}
bench "report top" "$wprof" report "$db" top
bench "report top --sort cum" "$wprof" report "$db" top --sort cum
bench "export --format pprof" "$wprof" export --format pprof "$db" -o "$work/big.pb.gz"
bench "export --format folded" "$wprof" export --format folded "$db" -o "$work/big.folded"
bench "diff (same database)" "$wprof" diff "$db" "$db"
echo "pprof file: $(du -h "$work/big.pb.gz" | cut -f1); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
