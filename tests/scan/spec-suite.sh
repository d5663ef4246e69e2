#!/bin/sh
# Runs every binary module of the WebAssembly spec test suite through
# wasm-scan (via scan-dump) and checks: no crash or hang; every
# assert_malformed binary module is refused as NOT_WASM or MALFORMED; no
# valid module (module / assert_trap / assert_unlinkable /
# assert_uninstantiable) is called NOT_WASM or MALFORMED. Prints how many
# valid modules are accepted and why the others are UNSUPPORTED.
# usage: spec-suite.sh SCAN_DUMP SUITE_DIR
set -eu
scan_dump=$1
suite=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
for wast in "$suite"/*.wast; do
  base=$(basename "$wast" .wast)
  dir=$tmp/$base
  mkdir "$dir"
  if ! wast2json "$wast" -o "$dir/m.json" 2>"$dir/wast2json.err"; then
    echo "note: wast2json cannot convert $base.wast: $(head -n 1 "$dir/wast2json.err")"
    continue
  fi
  # "<command type> <file>" for every command that names a binary module
  sed -n 's/.*"type": "\([a-z_]*\)".*"filename": "\([^"]*\.wasm\)".*/\1 \2/p' "$dir/m.json" >"$dir/commands"
  [ -s "$dir/commands" ] || continue
  files=$(awk -v d="$dir" '{ printf "%s/%s ", d, $2 }' "$dir/commands")
  # shellcheck disable=SC2086
  if ! timeout 60 "$scan_dump" -q $files >"$dir/results" 2>"$dir/scan.err"; then
    echo "FAIL: scan-dump crashed or hung on $base.wast: $(head -n 3 "$dir/scan.err")"
    failed=1
    continue
  fi
  paste -d '\t' "$dir/commands" "$dir/results" | sed "s|^|$base\t|" >>"$tmp/all"
done
# all: wast <tab> "type file" <tab> STATUS <tab> path <tab> reason
awk -F '\t' '
  { split($2, c, " "); type = c[1]; status = $3; reason = $5
    gsub(/[0-9]+/, "N", reason)
    if (type == "assert_malformed") {
      malformed++
      if (status != "NOT_WASM" && status != "MALFORMED") { bad++; print "FAIL: malformed module accepted as " status ": " $1 " " c[2] " " $5 }
    } else if (type == "assert_invalid") {
      invalid[status]++
    } else {
      valid++; vstatus[status]++
      if (status == "NOT_WASM" || status == "MALFORMED") { bad++; print "FAIL: valid module refused as " status ": " $1 " " c[2] " " $5 }
      if (status == "UNSUPPORTED") why[reason]++
    }
  }
  END {
    printf "assert_malformed binary modules: %d, all refused: %s\n", malformed, bad ? "no" : "yes"
    printf "valid modules: %d (OK %d, UNSUPPORTED %d, INSTRUMENTED %d)\n", valid, vstatus["OK"], vstatus["UNSUPPORTED"], vstatus["INSTRUMENTED"]
    for (r in why) printf "  unsupported x%d: %s\n", why[r], r
    printf "assert_invalid binary modules:"
    for (s in invalid) printf " %s %d", s, invalid[s]
    printf "\n"
    exit bad ? 1 : 0
  }' "$tmp/all" || failed=1
exit $failed
