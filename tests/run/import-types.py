#!/usr/bin/env python3
"""The import types wprof run checks modules against must be the types the
functions are defined with, and those of the real interfaces:
- WASI: wasi.c generates its wrappers and its table of types from one list
  (runtime-shim/wasi/wasi-functions.h), so those agree by construction; the
  list is compared here with the imports of wasi-libc (__wasilibc_real.o of
  its libc.a, read by wasm-objdump; i32 is u32, i64 is u64): the preview1
  functions a wasi-libc program may import, with their types.
- probes: the list of the probe ABI header (abi/wprof-abi.h), which the
  host checks imports against, against module-probes.h's Z_wprofZ_*
  definitions, which wprof run compiles into each module (all but
  exit_v128: wasm2c 1.0.32 translates no v128).
    import-types.py SOURCE_DIR"""
import os
import re
import subprocess
import sys
import tempfile

top = sys.argv[1]


def read(path):
    with open(f"{top}/{path}") as f:
        return f.read()


def abi_probes():
    """{name: (result, params)} of WPROF_ABI_PROBES, in wasm2c's C types."""
    c = {"i32": "u32", "i64": "u64", "f32": "f32", "f64": "f64", "funcref": "wasm_rt_funcref_t",
         "externref": "wasm_rt_externref_t", "v128": "v128"}
    out = {}
    for name, params, results in re.findall(r'X\((\w+), "([\w ]*)", "([\w ]*)"\)', read("abi/wprof-abi.h")):
        out[name] = (c[results] if results else "void", ", ".join(c[t] for t in params.split()))
    out.pop("exit_v128", None)
    return out


def params(text):
    return ", ".join(p.split()[0] for p in text.split(",") if p.strip())


def wasi_list():
    """{name: (result, params)} of WPROF_WASI_FUNCTIONS(CALL, CALL0, NORETURN, U32, U64)."""
    text = read("runtime-shim/wasi/wasi-functions.h")
    text = text[text.index("#define WPROF_WASI_FUNCTIONS("):]
    text = text[:text.index("\n\n")].replace("\\\n", " ")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = text[text.index(")") + 1:]  # past the macro's own parameters
    out = {}
    for kind, name, rest in re.findall(r"\b(CALL0|CALL|NORETURN)\((\w+),\s*(\([^()]*(?:\([^()]*\)[^()]*)*\))?", text):
        types = ", ".join(t.lower() for t in re.findall(r"\b(U32|U64)\(\w+\)", rest)) if kind != "CALL0" else ""
        if name in out:
            print(f"WASI: {name} is listed twice")
        out[name] = ("void" if kind == "NORETURN" else "u32", types)
    return out


def wasi_libc_imports():
    """{name: (result, params)} of the wasi_snapshot_preview1 imports of wasi-libc."""
    libc = subprocess.run(["clang", "--target=wasm32-wasi", "-print-file-name=libc.a"], capture_output=True,
                          text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ar", "x", os.path.abspath(libc), "__wasilibc_real.o"], cwd=tmp, check=True)
        dump = subprocess.run(["wasm-objdump", "-x", f"{tmp}/__wasilibc_real.o"], capture_output=True, text=True,
                              check=True).stdout
    types = {int(i): (p, r) for i, p, r in re.findall(r"- type\[(\d+)\] \(([^)]*)\) -> (\S+)", dump)}
    wasm_to_c = {"i32": "u32", "i64": "u64", "nil": "void"}
    out = {}
    for sig, name in re.findall(r"- func\[\d+\] sig=(\d+) <[^>]*> <- wasi_snapshot_preview1\.(\w+)", dump):
        p, r = types[int(sig)]
        out[name] = (wasm_to_c[r], ", ".join(wasm_to_c[t.strip()] for t in p.split(",") if t.strip()))
    # in preview1 (wasi_snapshot_preview1.witx) but no longer imported by
    # wasi-libc: proc_raise(sig: signal) -> errno, (i32) -> i32
    out.setdefault("proc_raise", ("u32", "u32"))
    return out


glue = read("runtime-shim/host/module-probes.h")
probes = {n: (r, params(a)) for r, n, a in re.findall(r"^PROBE (\w+) Z_wprofZ_(\w+)\(struct Z_wprof_instance_t \*p,?([^)]*)\)", glue, re.M)}
# the exit_T probes come from one macro: EXIT_PASSING(suffix, C type)
for suffix, ctype in re.findall(r"^EXIT_PASSING\((\w+), (\w+)\)", glue, re.M):
    c = {"uint32_t": "u32", "uint64_t": "u64", "float": "f32", "double": "f64"}.get(ctype, ctype)
    probes["exit_" + suffix] = (c, "u32, " + c)
for kind in (probes,):
    for n, (r, p) in list(kind.items()):
        kind[n] = ({"uint32_t": "u32"}.get(r, r), ", ".join({"uint32_t": "u32"}.get(x, x) for x in p.split(", ") if x))

failures = 0
listed = wasi_list()
for what, checked, truth in (("WASI", listed, wasi_libc_imports()),
                             ("probe", abi_probes(), probes)):
    if len(checked) < 10 or set(checked) != set(truth):
        print(f"{what}: the table lists {sorted(set(checked) ^ set(truth))} differently from the definitions")
        failures += 1
    for name in sorted(set(checked) & set(truth)):
        if checked[name] != truth[name]:
            print(f"{what} {name}: checked as {checked[name]}, defined as {truth[name]}")
            failures += 1
print(f"{len(listed)} WASI functions and {len(probes)} probes compared: {failures} differences")
sys.exit(1 if failures else 0)
