#!/bin/sh
# The WebAssembly spec test suite through wasm-scan (via scan-dump).
#   spec-suite.sh convert SUITE_DIR OUT_DIR   wast2json every .wast (a build step)
#   spec-suite.sh check SCAN_DUMP OUT_DIR     the test
# The check: no crash or hang; every assert_malformed binary module is
# refused as NOT_WASM or MALFORMED; no valid module (module / assert_trap /
# assert_unlinkable / assert_uninstantiable) is called NOT_WASM or
# MALFORMED. It prints how many valid modules are accepted and why the
# others are UNSUPPORTED.
set -eu
mode=$1
if [ "$mode" = convert ]; then
  suite=$2
  out=$3
  rm -rf "$out"
  mkdir -p "$out"
  for wast in "$suite"/*.wast; do
    base=$(basename "$wast" .wast)
    mkdir "$out/$base"
    if ! wast2json "$wast" -o "$out/$base/m.json" 2>"$out/$base/wast2json.err"; then
      echo "note: wast2json cannot convert $base.wast: $(head -n 1 "$out/$base/wast2json.err")"
    fi
  done
  exit 0
fi
scan_dump=$2
out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# "<wast> <tab> <command type> <file>" for every command that names a binary module
awk '{ if (match($0, /"type": "[a-z_]*"/)) type = substr($0, RSTART + 9, RLENGTH - 10); else next
       if (!match($0, /"filename": "[^"]*\.wasm"/)) next
       file = substr($0, RSTART + 13, RLENGTH - 14); dir = FILENAME; sub(/\/m\.json$/, "", dir)
       n = split(dir, parts, "/"); printf "%s\t%s %s/%s\n", parts[n], type, dir, file }' "$out"/*/m.json >"$tmp/commands"
if ! cut -f 2 "$tmp/commands" | cut -d ' ' -f 2 | timeout 300 xargs "$scan_dump" -q >"$tmp/results" 2>"$tmp/scan.err"; then
  echo "FAIL: scan-dump crashed or hung after $(tail -n 1 "$tmp/results" | cut -f 2): $(head -n 3 "$tmp/scan.err")"
  exit 1
fi
paste -d '\t' "$tmp/commands" "$tmp/results" >"$tmp/all"
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
    printf "valid modules: %d (OK %d, UNSUPPORTED %d)\n", valid, vstatus["OK"], vstatus["UNSUPPORTED"]
    for (r in why) printf "  unsupported x%d: %s\n", why[r], r
    printf "assert_invalid binary modules:"
    for (s in invalid) printf " %s %d", s, invalid[s]
    printf "\n"
    exit bad ? 1 : 0
  }' "$tmp/all"
