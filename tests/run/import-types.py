#!/usr/bin/env python3
"""The import types wprof run checks modules against (the tables in
runtime-shim/wasi/wasi.c and runtime-shim/host/module-build.c) must be the
types the functions are defined with (wasi.c's IMPORT(...) definitions,
probe-glue.c's Z_wprofZ_* definitions): read from the sources, compared.
    import-types.py SOURCE_DIR"""
import re
import sys

top = sys.argv[1]


def read(path):
    with open(f"{top}/{path}") as f:
        return f.read()


def table(source, name):
    body = re.search(r"%s\[\] = \{(.*?)\{NULL, NULL, NULL\}" % name, source, re.S).group(1)
    return {n: (r, p) for n, r, p in re.findall(r'\{"(\w+)", "([\w ]+)", "([\w, ]*)"\}', body)}


def params(text):
    return ", ".join(p.split()[0] for p in text.split(",") if p.strip())


wasi = read("runtime-shim/wasi/wasi.c")
defined = {n: (r, params(a)) for r, n, a in re.findall(r"^(u32|void) IMPORT\((\w+)\)\(wprof_wasi \*w,?([^)]*)\)", wasi, re.M)}
glue = read("runtime-shim/host/probe-glue.c")
probes = {n: (r, params(a)) for r, n, a in re.findall(r"WPROF_PROBE_CODE (\w+) Z_wprofZ_(\w+)\(struct Z_wprof_instance_t \*p,?([^)]*)\)", glue)}
# the exit_T probes come from one macro: EXIT_PASSING(suffix, C type)
for suffix, ctype in re.findall(r"^EXIT_PASSING\((\w+), (\w+)\)", glue, re.M):
    c = {"uint32_t": "u32", "uint64_t": "u64", "float": "f32", "double": "f64"}.get(ctype, ctype)
    probes["exit_" + suffix] = (c, "u32, " + c)
for kind in (probes,):
    for n, (r, p) in list(kind.items()):
        kind[n] = ({"uint32_t": "u32"}.get(r, r), ", ".join({"uint32_t": "u32"}.get(x, x) for x in p.split(", ") if x))

failures = 0
for what, checked, truth in (("WASI", table(wasi, "wprof_wasi_functions"), defined),
                             ("probe", table(read("runtime-shim/host/module-build.c"), "probes"), probes)):
    if len(checked) < 10 or set(checked) != set(truth):
        print(f"{what}: the table lists {sorted(set(checked) ^ set(truth))} differently from the definitions")
        failures += 1
    for name in sorted(set(checked) & set(truth)):
        if checked[name] != truth[name]:
            print(f"{what} {name}: checked as {checked[name]}, defined as {truth[name]}")
            failures += 1
print(f"{len(defined)} WASI functions and {len(probes)} probes compared: {failures} differences")
sys.exit(1 if failures else 0)
