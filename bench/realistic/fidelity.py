#!/usr/bin/env python3
"""Fidelity of wprof's time profile against perf on the plain module (not a test).

    bench/realistic/fidelity.py BUILD_DIR [--repeat N] [--interval T] [PROGRAM...]

PROGRAM: sqlite, lz4, cxx (default: all three); run setup.sh BUILD_DIR first.

Ground truth: the plain module, translated by wasm2c and compiled as `wprof run`
compiles it (cc -O2, a shared object) plus -g, runs natively around w2c-main.c
under `perf record -e cpu-clock`, once per round between wprof's runs; each
sample in the module is given to the innermost wasm function of its inline
chain (addr2line -i), found through the order of wasm2c's function
declarations (the i-th is defined function i). Samples outside the module
(libc, wasm2c's runtime) are left out, and so is wprof's '(root)' path; both
are reported. The rounds' perf samples are pooled into one truth, since the
program's own profile moves from run to run on a shared machine: "perf vs
perf" is the median distance between two rounds' perf profiles, the floor
under any profiler's distance here.
wprof: the instrumented module under `wprof run` with --timing sampled, exact
and none, and the module instrumented with --count-leaves (NAME.leaves.wasm)
with sampled and none ("+leaves"), REPEAT rounds, each round running every variant in turn with the
plain module (`wprof run --timing none` on it) first; CPU time (user+sys) of
each run, medians. Distance: the total variation distance between the two
self-time distributions over wasm functions, 0.5 * sum |p - q| (0: identical,
1: disjoint): "distance", the median over the rounds of one run's profile
against the truth (what one run shows); "pooled", the rounds' profiles added
up against the truth (the method's bias, the sampling noise mostly gone).
Prints a Markdown table; raw rows go to bench/work/realistic/fidelity.csv.
"""
import argparse
import csv
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(TOP, "bench", "work", "realistic")
RT = "/usr/share/wabt/wasm2c"
PROGRAMS = {
    "sqlite": ("sqlite-workload", ["200000"]),
    "lz4": ("lz4-workload", ["20"]),
    "cxx": ("cxx-workload", ["20"]),
}


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build_native(build, name):
    """The plain module as a native program with debug info: (exe, so, c file)."""
    out = os.path.join(WORK, "fidelity-" + name)
    os.makedirs(out, exist_ok=True)
    wasm = os.path.join(WORK, name + ".wasm")
    so = os.path.join(out, "libplain.so")
    c = os.path.join(out, "plain.c")
    exe = os.path.join(out, "plain")
    if os.path.exists(exe) and os.path.getmtime(exe) > os.path.getmtime(wasm):
        return exe, so, c
    print("fidelity: translating and compiling %s with -g" % name, file=sys.stderr)
    sh("wasm2c", wasm, "-n", "m", "-o", c)
    sh("cc", "-O2", "-g", "-fPIC", "-shared", "-w", "-I" + RT, c, "-o", so)
    sh("cc", "-O2", "-D_GNU_SOURCE", "-w", "-I" + RT, "-c", RT + "/wasm-rt-impl.c", "-o", out + "/rt.o")
    sh("cc", "-O2", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-DW2C_MODULE=m", "-include", out + "/plain.h",
       "-I" + out, "-I" + RT, "-I" + os.path.join(TOP, "runtime-shim", "wasi"), "-c",
       os.path.join(HERE, "w2c-main.c"), "-o", out + "/main.o")
    sh("cc", out + "/main.o", out + "/rt.o", os.path.join(build, "runtime-shim", "wasi", "libwprof_wasi.a"),
       "-L" + out, "-Wl,-rpath," + out, "-lplain", "-lm", "-o", exe)
    return exe, so, c


def defined_functions(c_file):
    """wasm2c's declarations of the module's own functions, in index order."""
    names = []
    with open(c_file) as f:
        for line in f:
            m = re.match(r"static \S+ (w2c_\w+)\(Z_m_instance_t\*", line)
            if m:
                names.append(m.group(1))
            elif names and not line.startswith("static "):
                break
    return names


def perf_profile(exe, so, c_file, args, interval_ns):
    """Self samples per defined-function index of the plain run, and the samples left out."""
    order = {name: i for i, name in enumerate(defined_functions(c_file))}
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        sh("perf", "record", "-q", "-e", "cpu-clock", "-c", str(interval_ns), "-o", data, "--", exe, *args,
           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,symoff,dso"], check=True,
                                capture_output=True, text=True).stdout
    symbols = {}
    for line in subprocess.run(["nm", so], check=True, capture_output=True, text=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            symbols[parts[2]] = int(parts[0], 16)
    addresses, outside = [], 0
    for line in script.splitlines():
        m = re.search(r"\s(\S+)\+0x([0-9a-f]+) \((\S+)\)", line)
        if not m or os.path.basename(m.group(3)) != "libplain.so" or m.group(1) not in symbols:
            outside += 1
            continue
        addresses.append(symbols[m.group(1)] + int(m.group(2), 16))
    unique = sorted(set(addresses))
    innermost = {}
    if unique:
        lines = subprocess.run(["addr2line", "-a", "-f", "-i", "-e", so] + ["0x%x" % a for a in unique], check=True,
                               capture_output=True, text=True).stdout.splitlines()
        current = None
        for line in lines:  # each address, then (function, file:line) per inline level, innermost first
            if re.fullmatch(r"0x[0-9a-f]+", line):
                current = int(line, 16)
                innermost[current] = None
            elif current is not None and innermost[current] is None and line in order:
                innermost[current] = order[line]
    counts = {}
    for a in addresses:
        index = innermost.get(a)
        if index is None:
            outside += 1
        else:
            counts[index] = counts.get(index, 0) + 1
    return counts, outside


def wprof_profile(db):
    """Self time per defined-function index, and the '(root)' time left out."""
    con = sqlite3.connect(db)
    first = con.execute("SELECT MIN(func_index) FROM functions WHERE fid >= 0").fetchone()[0]
    rows = con.execute("SELECT f.func_index, SUM(p.self_ns) FROM call_paths p JOIN functions f USING (fid)"
                       " WHERE f.fid >= 0 GROUP BY f.fid").fetchall()
    root = con.execute("SELECT COALESCE(SUM(self_ns), 0) FROM call_paths WHERE fid = -1").fetchone()[0]
    run = con.execute("SELECT samples, probe_samples, total_calls FROM run").fetchone()
    con.close()
    return {index - first: ns for index, ns in rows if ns}, root, run


def pooled(profiles):
    """Several profiles added up into one."""
    total = {}
    for p in profiles:
        for k, v in p.items():
            total[k] = total.get(k, 0) + v
    return total


def distance(p, q):
    tp, tq = sum(p.values()), sum(q.values())
    if not tp or not tq:
        return float("nan")
    return 0.5 * sum(abs(p.get(k, 0) / tp - q.get(k, 0) / tq) for k in set(p) | set(q))


def cpu_run(cmd):
    """Runs cmd; returns its user+sys CPU seconds and its stdout."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("fidelity: %s exited with %d" % (cmd, os.waitstatus_to_exitcode(status)))
        out.seek(0)
        return usage.ru_utime + usage.ru_stime, out.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("programs", nargs="*", default=list(PROGRAMS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--interval", default="", help="wprof run --sample-interval (default: wprof's)")
    opts = ap.parse_intermixed_args()
    wprof = os.path.join(os.path.abspath(opts.build), "cli", "wprof")
    env_cache = os.path.join(WORK, "cache")
    os.environ["WPROF_CACHE_DIR"] = env_cache
    interval = ["--sample-interval", opts.interval] if opts.interval else []
    variants = {"plain": ["--timing", "none"], "none": ["--timing", "none"],
                "sampled": ["--timing", "sampled"] + interval, "exact": ["--timing", "exact"],
                "none+leaves": ["--timing", "none"], "sampled+leaves": ["--timing", "sampled"] + interval}
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for prog in opts.programs:
            name, args = PROGRAMS[prog]
            exe, so, c_file = build_native(opts.build, name)
            cpu = {v: [] for v in variants}
            profiles = {"sampled": [], "exact": [], "sampled+leaves": []}
            truths, outside = [], 0
            extra = {}
            expected = None
            for round_ in range(opts.repeat + 1):  # round 0 fills the compile cache
                if round_ > 0:
                    truth, out = perf_profile(exe, so, c_file, args, 50000)
                    truths.append(truth)
                    outside += out
                for v, flags in variants.items():
                    suffix = ".wasm" if v == "plain" else ".leaves.wasm" if v.endswith("+leaves") else ".inst.wasm"
                    module = os.path.join(WORK, name + suffix)
                    db = os.path.join(tmp, "%s-%s.db" % (prog, v))
                    seconds, out = cpu_run([wprof, "run", "--engine", "wasm2c", "-q", "-o", db] + flags + [module, "--"] + args)
                    expected = expected or out
                    if out != expected:
                        raise SystemExit("fidelity: %s %s: stdout differs from the plain run's" % (prog, v))
                    if round_ == 0:
                        continue
                    cpu[v].append(seconds)
                    if v in profiles:
                        profile, root, run = wprof_profile(db)
                        profiles[v].append(profile)
                        extra[v] = (root, run)
            truth = pooled(truths)
            floor = statistics.median(distance(truths[i], truths[i + 1]) for i in range(len(truths) - 1)) \
                if len(truths) > 1 else float("nan")
            plain = statistics.median(cpu["plain"])
            total_truth = sum(truth.values())
            for v in ("sampled", "exact", "none", "sampled+leaves", "none+leaves"):
                root, run = extra.get(v, (0, (0, 0, 0)))
                row = {
                    "when": stamp, "program": prog, "variant": v,
                    "cpu_s": "%.3f" % statistics.median(cpu[v]), "x_plain": "%.2f" % (statistics.median(cpu[v]) / plain),
                    "distance": "%.3f" % statistics.median(distance(truth, p) for p in profiles[v]) if v in profiles else "",
                    "pooled": "%.3f" % distance(truth, pooled(profiles[v])) if v in profiles else "",
                    "perf_vs_perf": "%.3f" % floor,
                    "perf_samples": total_truth, "perf_outside": outside,
                    "samples": run[0] if v.startswith("sampled") else "",
                    "probe_samples": run[1] if v.startswith("sampled") else "",
                    "calls": run[2],
                }
                rows.append(row)
            rows.append({"when": stamp, "program": prog, "variant": "plain", "cpu_s": "%.3f" % plain, "x_plain": "1.00",
                         "distance": "", "pooled": "", "perf_vs_perf": "%.3f" % floor, "perf_samples": total_truth,
                         "perf_outside": outside, "samples": "", "probe_samples": "", "calls": ""})
    fields = list(rows[0])
    path = os.path.join(WORK, "fidelity.csv")
    if os.path.exists(path):
        with open(path) as f:
            if f.readline().strip() != ",".join(fields):  # an older script's columns: start anew
                os.replace(path, path + ".old")
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fields)
        if new:
            w.writeheader()
        w.writerows(rows)
    print("| program | variant | CPU s | x plain | distance to perf | pooled | perf vs perf | wprof samples (+ in probes) "
          "| perf samples (outside the module) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        samples = "%s (+%s)" % (r["samples"], r["probe_samples"]) if r["samples"] != "" else ""
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) |" % (
            r["program"], r["variant"], r["cpu_s"], r["x_plain"], r["distance"], r["pooled"], r["perf_vs_perf"],
            samples, r["perf_samples"], r["perf_outside"]))


if __name__ == "__main__":
    main()
