#!/usr/bin/env python3
# set-abi-version.py IN.wasm OUT.wasm VERSION: a copy of an instrumented
# module whose wprof.functions section claims probe ABI VERSION (the byte
# after the section's name; VERSION < 128), for the bad-input tests of
# tests/node-engine and tests/register.
import sys

data = bytearray(open(sys.argv[1], "rb").read())
at = data.index(b"wprof.functions") + len("wprof.functions")
assert data[at] < 0x80 and int(sys.argv[3]) < 0x80
data[at] = int(sys.argv[3])
open(sys.argv[2], "wb").write(data)
