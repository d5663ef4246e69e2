#!/usr/bin/env python3
"""Hand-made binary edge cases for the wasm-instrument fuzzer (make-seeds.sh).

Byte-level modules that wat2wasm cannot write: odd name sections (duplicate,
out of order, out of range, NUL, newline, bad UTF-8, two of them, subsection
10), DWARF-named custom sections with junk, allocators with wrong signatures,
already-instrumented modules, and size stressors (many functions, deep block
nesting, long expression chains, long names) kept under 8 KB.
usage: edge-cases.py OUTDIR
"""
import os
import sys


def leb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def vec(items):
    return leb(len(items)) + b"".join(items)


def name(s):
    s = s if isinstance(s, bytes) else s.encode()
    return leb(len(s)) + s


def section(ident, body):
    return bytes([ident]) + leb(len(body)) + body


def custom(section_name, body):
    return section(0, name(section_name) + body)


HEADER = b"\0asm\1\0\0\0"
TYPES = section(1, vec([b"\x60\x00\x00", b"\x60\x01\x7f\x01\x7f"]))  # () -> (), (i32) -> i32


def funcs(n, type_index=0):
    return section(3, vec([leb(type_index)] * n))


def code(n, body=b"\x00\x0b"):
    return section(10, vec([leb(len(body)) + body] * n))


def exports(*pairs):
    return section(7, vec([name(n) + b"\x00" + leb(i) for n, i in pairs]))


def func_names(pairs, extra=b""):
    return custom("name", section(1, vec([leb(i) + name(s) for i, s in pairs])) + extra)


def module(*parts):
    return HEADER + b"".join(parts)


THREE = [TYPES, funcs(3)]
CASES = {
    "names-duplicate": module(*THREE, code(3), func_names([(0, "f"), (1, "f"), (2, "f")])),
    "names-newline": module(*THREE, code(3), func_names([(0, "a\nb"), (1, "malloc")])),
    "names-nul": module(*THREE, code(3), func_names([(0, b"malloc\0x"), (1, b"\0")])),
    "names-out-of-range": module(*THREE, code(3), func_names([(0, "a"), (99, "z")])),
    "names-out-of-order": module(*THREE, code(3), func_names([(2, "c"), (0, "a")])),
    "names-bad-utf8": module(*THREE, code(3), func_names([(0, b"\xff\xfe")])),
    "names-long": module(*THREE, code(3), func_names([(0, "x" * 5000)])),
    "names-twice": module(*THREE, code(3), func_names([(0, "a")]), func_names([(0, "b"), (1, "b")])),
    "names-before-code": module(*THREE, func_names([(0, "a")]), code(3)),
    "names-trailing-byte": module(*THREE, code(3), custom("name", section(1, vec([leb(0) + name("a")]) + b"\x00"))),
    "names-subsection-10": module(*THREE, code(3), custom("name", section(1, vec([leb(0) + name("a")])) + section(10, b"\x00"))),
    "names-subsection-oversized": module(*THREE, code(3), custom("name", section(1, vec([leb(0) + name("a")])) + b"\x04\xff\xff\xff\x0f")),
    "names-empty": module(*THREE, code(3), custom("name", b"")),
    "dwarf-empty-debug-info": module(custom(".debug_info", b"\x00")),
    "dwarf-junk-debug-line": module(*THREE, code(3), custom(".debug_line", b"\xff" * 16)),
    "alloc-wrong-signatures": module(*THREE, exports(("malloc", 0), ("free", 1)), code(3)),
    "alloc-exported-twice": module(TYPES, funcs(1, 1), exports(("malloc", 0), ("calloc", 0)), code(1, b"\x00\x20\x00\x0b")),
    "alloc-imported-malloc": module(TYPES, section(2, vec([name("env") + name("malloc") + b"\x00\x01"])), funcs(1), exports(("malloc", 0)), code(1)),
    "instrumented-section": module(*THREE, code(3), custom("wprof.functions", b"")),
    "instrumented-import": module(TYPES, section(2, vec([name("wprof") + name("enter") + b"\x00\x00"])), funcs(1), code(1)),
    "empty-module": HEADER,
    "truncated-header": HEADER[:6],
    "imports-only": module(TYPES, section(2, vec([name("env") + name("f") + b"\x00\x00"]))),
    "start-function": module(*THREE, section(8, leb(1)), code(3)),
    "many-functions": module(TYPES, funcs(1500), code(1500)),
    "deep-blocks": module(TYPES, funcs(1), code(1, b"\x00" + b"\x02\x40" * 1500 + b"\x0b" * 1501)),
    "long-add-chain": module(TYPES, funcs(1), code(1, b"\x00\x41\x00" + b"\x41\x01\x6a" * 1500 + b"\x1a\x0b")),
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for case, data in CASES.items():
    with open(os.path.join(out, "edge-" + case + ".wasm"), "wb") as f:
        f.write(data)
