#!/usr/bin/env bash
# Builds a wprof database by hand: the schema is taken verbatim from the
# ```sql blocks of docs/schema.md, then the version and meta rows, then the
# fixture files (plain INSERT/UPDATE statements) in order.
#   make-db.sh SCHEMA_MD OUT.db FIXTURE.sql...
set -euo pipefail
schema_md=$1 out=$2
shift 2
rm -f "$out"
version=$(sed -n '1s/^# wprof database schema, version //p' "$schema_md")
{
  awk '/^```sql$/ {on = 1; next} /^```$/ {on = 0} on' "$schema_md"
  echo "PRAGMA user_version = $version;"
  echo "INSERT INTO meta VALUES ('schema_version', '$version'), ('wprof_version', '0.1.0'), ('complete', '1');"
  for f in "$@"; do cat "$f"; done
} | sqlite3 -bail "$out"
