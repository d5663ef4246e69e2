#!/bin/sh
# Cross-checks what wasm-scan reads (via scan-dump) against wabt's
# wasm-objdump, an independent reader, on each module given:
#   - same number of defined functions, same body sizes, same names;
#   - the size field of body k+1 starts exactly where objdump says body k
#     ends, each body starts 1..5 bytes (its size LEB) after our code_offset,
#     the first size field lies inside the code section, the last body ends
#     at the code section's end;
#   - same custom sections, in order, with the same end offsets.
# usage: objdump-check.sh SCAN_DUMP MODULE.wasm...
set -eu
scan_dump=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
for wasm in "$@"; do
  "$scan_dump" "$wasm" >"$tmp/ours"
  wasm-objdump -h "$wasm" >"$tmp/headers"
  wasm-objdump -x "$wasm" >"$tmp/details"
  wasm-objdump -d "$wasm" | grep -E '^[0-9a-f]+ func\[' >"$tmp/starts" || true
  if ! awk '
    function hex(text,   i, v) { sub(/^0x/, "", text); v = 0
      for (i = 1; i <= length(text); i++) v = v * 16 + index("0123456789abcdef", substr(tolower(text), i, 1)) - 1
      return v }
    BEGIN { n = nc = nh = nd = ns = 0 }
    FILENAME ~ /ours$/ && $1 == "status" && $2 != "OK" { print "scan status " $2; bad = 1 }
    FILENAME ~ /ours$/ && $1 == "func" { off[n] = $6; osize[n] = $8; oname[n] = $NF; n++ }
    FILENAME ~ /ours$/ && $1 == "custom" { cname[nc] = $2; cend[nc] = $4 + $6; nc++ }
    FILENAME ~ /headers$/ && $1 == "Code" { split($2, a, "="); code_start = hex(a[2]); split($3, b, "="); code_end = hex(b[2]) }
    FILENAME ~ /headers$/ && $1 == "Custom" { split($3, b, "="); hend[nh] = hex(b[2]); hname[nh] = $NF; gsub(/"/, "", hname[nh]); nh++ }
    FILENAME ~ /details$/ && /^Code\[/ { in_code = 1; next }
    FILENAME ~ /details$/ && /^[A-Z]/ { in_code = 0 }
    FILENAME ~ /details$/ && in_code && $2 ~ /^func\[/ { split($3, s, "="); dsize[nd] = s[2]; dname[nd] = (NF >= 4 ? $4 : "-"); gsub(/^<|>$/, "", dname[nd]); nd++ }
    FILENAME ~ /starts$/ { dstart[ns++] = hex($1) }
    END {
      if (n != nd || n != ns) { printf "function count: ours %d, objdump %d sizes / %d starts\n", n, nd, ns; exit 1 }
      for (k = 0; k < n; k++) {
        if (osize[k] != dsize[k]) { printf "func #%d size: ours %s objdump %s\n", k, osize[k], dsize[k]; bad = 1 }
        if (oname[k] != dname[k]) { printf "func #%d name: ours %s objdump %s\n", k, oname[k], dname[k]; bad = 1 }
        if (dstart[k] - off[k] < 1 || dstart[k] - off[k] > 5) { printf "func #%d: body at %d, our size field at %d\n", k, dstart[k], off[k]; bad = 1 }
        if (k > 0 && off[k] != dstart[k - 1] + dsize[k - 1]) { printf "func #%d offset: ours %d, objdump %d\n", k, off[k], dstart[k - 1] + dsize[k - 1]; bad = 1 }
      }
      if (n > 0 && (off[0] <= code_start || dstart[n - 1] + dsize[n - 1] != code_end)) { print "code section bounds differ"; bad = 1 }
      if (nc != nh) { printf "custom sections: ours %d objdump %d\n", nc, nh; bad = 1 }
      for (k = 0; k < nc && k < nh; k++)
        if (cname[k] != hname[k] || cend[k] != hend[k]) { printf "custom #%d: ours %s end %d, objdump %s end %d\n", k, cname[k], cend[k], hname[k], hend[k]; bad = 1 }
      printf "%d functions, %d custom sections compared\n", n, nc
      exit bad
    }' "$tmp/ours" "$tmp/headers" "$tmp/details" "$tmp/starts"; then
    echo "FAIL: $wasm"
    status=1
  fi
done
exit $status
