#!/usr/bin/env python3
"""The analyzer on REAL recorded databases: testdata programs instrumented by
wasm-instrument and run by `wprof run`, then read back with `wprof report`,
`wprof diff` and `wprof export`.

Every number asserted comes from a program's hand-derived <name>.expected
file (testdata/README.md) or from plain SQL on the database (Python's own
sqlite3 module), never from an earlier run of the analyzer.

  real-db.py program NAME  -- the .expected facts in top/allocs/leaks/info,
                              time invariants, diff of two runs is zero
  real-db.py gate          -- diff of fib(20) and fib(21) with --fail-on
  real-db.py exports       -- pprof (go tool pprof), callgrind
                              (callgrind_annotate), chrome (--trace), folded
  real-db.py call-tree     -- docs/queries.md's caller query against the
                              nesting of --trace runs

Environment: WPROF, WASM_INSTRUMENT, TESTDATA (the build's testdata dir),
FIBN (tests/analyzer/programs/fibn.wasm), QUERIES_MD (docs/queries.md). Each invocation works in its own
temporary directory with its own WPROF_CACHE_DIR.
"""
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

WPROF = os.environ["WPROF"]
INSTRUMENT = os.environ["WASM_INSTRUMENT"]
TESTDATA = os.environ["TESTDATA"]

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(args, work, stdin=subprocess.DEVNULL):
    """Runs a command; returns (exit code, stdout, stderr)."""
    env = dict(os.environ, WPROF_CACHE_DIR=os.path.join(work, "cache"))
    p = subprocess.run(args, cwd=work, env=env, stdin=stdin, capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def must(args, work):
    """Runs a command that must exit 0; returns its stdout."""
    rc, out, err = run(args, work)
    if rc != 0:
        sys.exit("FATAL: %s exited %d: %s" % (" ".join(args), rc, err.strip()))
    return out


def record(work, wasm, db, *args, trace=False, timing="exact"):
    """Instruments wasm (once) and runs it into db; returns (exit code, stdout)."""
    instrumented = os.path.join(work, os.path.basename(wasm) + ".i.wasm")
    if not os.path.exists(instrumented):
        must([INSTRUMENT, "-q", wasm, instrumented], work)
    # exact time by default: these checks add times up to the wall time; sampled time has tests of its own (tests/run)
    cmd = ([WPROF, "run", "-q", "--timing", timing, "-o", db] + (["--trace"] if trace else []) + [instrumented, "--"]
           + list(args))
    rc, out, _ = run(cmd, work)
    check(os.path.exists(os.path.join(work, db)), "%s: no database written" % db)
    return rc, out


def sql(work, db, query):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(work, db), uri=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def report_json(work, db, *view):
    return json.loads(must([WPROF, "report", db] + list(view) + ["--format", "json"], work))


def report_csv(work, db, *view):
    return list(csv.DictReader(io.StringIO(must([WPROF, "report", db] + list(view) + ["--format", "csv"], work))))


def info(work, db):
    return {row["key"]: row["value"] for row in report_json(work, db, "info")}


def parse_expected(name):
    facts = []
    with open(os.path.join(TESTDATA, name + ".expected")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                facts.append(line)
    return facts


def credited(path, allocators):
    """The function an allocation site is credited to: the innermost frame of
    its path that is not an allocator (testdata/README.md)."""
    frames = path.split(";")
    while len(frames) > 1 and frames[-1] in allocators:
        frames.pop()
    return frames[-1]


def program(name):
    work = tempfile.mkdtemp(prefix="wprof-real-")
    wasm = os.path.join(TESTDATA, name + ".wasm")
    facts = parse_expected(name)
    runs = [record(work, wasm, db) for db in ("a.db", "b.db")]
    status = next(f[1] for f in facts if f[0] == "status")
    exit_code = next((int(f[1]) for f in facts if f[0] == "exit"), None)
    for db, (rc, out) in zip(("a.db", "b.db"), runs):
        check(rc == (134 if status == "trapped" else exit_code), "%s: wprof run exited %d" % (db, rc))
        stdout = next(f[1] for f in facts if f[0] == "stdout")
        with open(os.path.join(TESTDATA, stdout)) as f:
            check(out == f.read(), "%s: stdout differs from %s" % (db, stdout))

    # info: status and exit code as the .expected file says.
    inf = info(work, "a.db")
    check(inf["status"] == status, "info status %s, expected %s" % (inf["status"], status))
    check(inf["exit_code"] == exit_code, "info exit_code %s, expected %s" % (inf["exit_code"], exit_code))
    if status == "trapped":
        check(inf["trap"], "info: a trapped run names its trap")

    # top: every `calls` fact; call totals cross-checked by SQL.
    top = report_json(work, "a.db", "top", "--limit", "0")
    calls = {}
    for row in top:
        calls[row["name"]] = calls.get(row["name"], 0) + row["calls"]
    for f in facts:
        if f[0] == "calls":
            check(calls.get(f[1]) == int(f[2]), "top: calls %s = %s, expected %s" % (f[1], calls.get(f[1]), f[2]))
    [(total_calls, path_calls)] = sql(work, "a.db", "SELECT total_calls, (SELECT SUM(calls) FROM call_paths) FROM run")
    check(sum(calls.values()) == total_calls == path_calls == inf["total_calls"],
          "top calls sum %d, run.total_calls %d, SUM(call_paths.calls) %d" % (sum(calls.values()), total_calls,
                                                                              path_calls))

    # Times: no inclusive time above the wall time; self times add up to the
    # traced total, which is the roots' inclusive time (SQL).
    [(duration, roots_ns)] = sql(work, "a.db", "SELECT duration_ns, (SELECT SUM(incl_ns) FROM call_paths"
                                               " WHERE parent IS NULL) FROM run")
    check(inf["duration_ns"] == duration and duration > 0, "info duration_ns %s, run %s" % (inf["duration_ns"], duration))
    for row in top:
        check(0 <= row["self_ns"] <= row["incl_ns"] <= duration,
              "top %s: self %d, incl %d, wall %d" % (row["name"], row["self_ns"], row["incl_ns"], duration))
    self_sum = sum(row["self_ns"] for row in top)
    check(self_sum == inf["traced_ns"] == roots_ns, "self sum %d, traced %d, roots' incl %d" % (self_sum,
                                                                                              inf["traced_ns"],
                                                                                              roots_ns))
    tree = report_json(work, "a.db", "tree", "--min-percent", "0")
    check(len(tree) == sql(work, "a.db", "SELECT COUNT(*) FROM call_paths WHERE depth > 0")[0][0],
          "tree: %d rows" % len(tree))
    check(all(row["incl_ns"] <= duration for row in tree), "tree: an inclusive time above the wall time")

    # allocs/leaks: sites credited to the innermost non-allocator frame.
    # Which functions are allocators comes from the database (SQL).
    allocators = {n for (n,) in sql(work, "a.db", "SELECT name FROM functions WHERE alloc_kind IS NOT NULL")}
    sites = report_csv(work, "a.db", "allocs", "--sample", "alloc_objects", "--limit", "0")
    leaks = report_json(work, "a.db", "leaks", "--limit", "0")
    per = {}  # function -> [alloc objects, bytes, live objects, bytes]
    for s in sites:
        v = per.setdefault(credited(s["path"], allocators), [0, 0, 0, 0])
        for i, key in enumerate(("alloc_objects", "alloc_bytes", "live_objects", "live_bytes")):
            v[i] += int(s[key])
    leaked = {}
    for s in leaks:
        v = leaked.setdefault(credited(s["path"], allocators), [0, 0])
        v[0] += s["live_objects"]
        v[1] += s["live_bytes"]
    check(leaked == {f: v[2:] for f, v in per.items() if v[2]}, "leaks %s disagree with allocs %s" % (leaked, per))
    listed = set()
    for f in facts:
        if f[0] in ("allocs", "frees", "live"):
            listed.add(f[1])
            a = per.get(f[1], [0, 0, 0, 0])
            got = {"allocs": a[0:2], "frees": [a[0] - a[2], a[1] - a[3]], "live": leaked.get(f[1], [0, 0])}[f[0]]
            check(got == [int(f[2]), int(f[3])], "%s %s: %s, expected %s %s" % (f[0], f[1], got, f[2], f[3]))
        elif f[0] == "total":
            a = [sum(v[i] for v in per.values()) for i in range(4)]
            got = {"allocs": a[0:2], "frees": [a[0] - a[2], a[1] - a[3]], "live": a[2:4]}[f[1]]
            check(got == [int(f[2]), int(f[3])], "total %s: %s, expected %s %s" % (f[1], got, f[2], f[3]))
    if listed:  # an expected file with allocs lines names every allocating function
        check(set(per) == listed, "allocating functions %s, expected %s" % (sorted(per), sorted(listed)))

    # Two runs of the same program: zero change in calls and bytes, exit 0.
    gates = ["calls:+0", "alloc_objects:+0", "alloc_bytes:+0", "inuse_objects:+0", "inuse_bytes:+0"]
    rc, out, err = run([WPROF, "diff", "a.db", "b.db", "--format", "csv"] +
                       [a for g in gates for a in ("--fail-on", g)], work)
    check(rc == 0, "diff of two runs exited %d: %s" % (rc, err))
    rows = list(csv.DictReader(io.StringIO(out)))
    exact = [r for r in rows if r["metric"] in ("calls", "alloc_objects", "alloc_bytes", "inuse_objects",
                                                 "inuse_bytes")]
    check(all(r["delta"] == "0" and r["base"] == r["new"] and not r["fail_on"] for r in exact),
          "diff of two runs: changes %s" % [r for r in exact if r["delta"] != "0"])
    check(sum(r["metric"] == "calls" for r in rows) == len(calls), "diff: %d calls rows for %d functions" % (
        sum(r["metric"] == "calls" for r in rows), len(calls)))
    check(sum(int(r["base"]) for r in rows if r["metric"] == "calls") == total_calls, "diff: calls do not add up")
    check(sum(int(r["base"]) for r in rows if r["metric"] == "alloc_bytes") == sum(v[1] for v in per.values()),
          "diff: alloc_bytes do not add up")
    return work


def gate():
    """fib(20) against fib(21): fib's calls grow from 21891 to 35421
    (2 F(n+1) - 1, see programs/fibn.c), +13530 = +61.81%."""
    work = tempfile.mkdtemp(prefix="wprof-real-")
    fibn = os.environ["FIBN"]
    for db, n, printed in (("f20.db", "20", "6765\n"), ("f21.db", "21", "10946\n"), ("g20.db", "20", "6765\n")):
        rc, out = record(work, fibn, db, n)
        check(rc == 0 and out == printed, "fibn %s: exit %d, printed %r" % (n, rc, out))
    for db, want in (("f20.db", 21891), ("f21.db", 35421)):
        got = [r["calls"] for r in report_json(work, db, "top", "--limit", "0") if r["name"] == "fib"]
        check(got == [want], "%s: fib calls %s, expected %d" % (db, got, want))

    rc, out, _ = run([WPROF, "diff", "f20.db", "f21.db", "--fail-on", "calls:+5%"], work)
    check(rc == 1, "diff 20 -> 21 --fail-on calls:+5%% exited %d" % rc)
    regressions = out.split("Regressions:\n", 1)[1].splitlines() if "Regressions:\n" in out else []
    check(regressions == ["  calls:+5%  fib: 21891 -> 35421 (+13530, +61.81%)"], "regressions: %s" % regressions)
    rc, out, err = run([WPROF, "diff", "f20.db", "f21.db", "--fail-on", "calls:+5%", "--format", "csv"], work)
    flagged = [(r["metric"], r["name"], r["base"], r["new"], r["delta"]) for r in csv.DictReader(io.StringIO(out))
               if r["fail_on"]]
    check(rc == 1 and flagged == [("calls", "fib", "21891", "35421", "13530")], "csv: exit %d, %s" % (rc, flagged))
    check("fib: 21891 -> 35421" in err, "csv: regressions not on stderr: %r" % err)
    for args, want in ((["calls:+61%"], 1), (["calls:+62%"], 0), (["calls:+13529"], 1), (["calls:+13530"], 0),
                       (["calls:+5%:fi*"], 1), (["calls:+5%:main"], 0)):
        rc, _, _ = run([WPROF, "diff", "f20.db", "f21.db", "--fail-on", args[0]], work)
        check(rc == want, "diff --fail-on %s exited %d, expected %d" % (args[0], rc, want))
    # A decrease is not a regression; two runs of fib(20) do not differ.
    rc, _, _ = run([WPROF, "diff", "f21.db", "f20.db", "--fail-on", "calls:+0"], work)
    check(rc == 0, "diff 21 -> 20 --fail-on calls:+0 exited %d" % rc)
    rc, _, _ = run([WPROF, "diff", "f20.db", "g20.db", "--fail-on", "calls:+0"], work)
    check(rc == 0, "diff 20 -> 20 --fail-on calls:+0 exited %d" % rc)
    return work


def commas(n):
    return "{:,}".format(n)


def exports():
    work = tempfile.mkdtemp(prefix="wprof-real-")
    # Both timings of fib. A sampled run's pprof sample types are those of
    # Go's CPU profiles, samples/count and cpu/nanoseconds (period: the
    # sample interval), then calls/count; its callgrind events ns Samples calls.
    # Each type and event is named by its total below.
    layouts = {"exact": ({"calls/count": "calls", "time/nanoseconds[dflt]": "ns"}, "time nanoseconds",
                         ["ns", "calls"]),
               "sampled": ({"samples/count": "Samples", "cpu/nanoseconds[dflt]": "ns", "calls/count": "calls"},
                           "cpu nanoseconds", ["ns", "Samples", "calls"])}
    for timing, (types, period_type, events) in layouts.items():
        db = timing + ".db"
        record(work, os.path.join(TESTDATA, "fib.wasm"), db, timing=timing)
        [(total_calls, total_ns, total_samples, period, paths)] = sql(
            work, db, "SELECT total_calls, (SELECT SUM(self_ns) FROM call_paths), samples,"
            " COALESCE(sample_interval_ns, 1), (SELECT COUNT(*) FROM call_paths WHERE calls > 0 OR self_ns > 0"
            " OR samples > 0) FROM run")
        totals = {"calls": total_calls, "ns": total_ns, "Samples": total_samples}
        check(timing == "exact" or total_ns == total_samples * period,
              "%s: SUM(self_ns) %d is not run.samples * interval" % (db, total_ns))

        # pprof, loaded by Go's pprof: totals equal the database's.
        must([WPROF, "export", "--format", "pprof", db, "-o", timing + ".pb.gz"], work)
        rc, raw, err = run(["go", "tool", "pprof", "-raw", timing + ".pb.gz"], work)
        check(rc == 0 and err == "", "%s: go tool pprof -raw: exit %d, %s" % (db, rc, err))
        check("\n%s\n" % " ".join(types) in raw, "%s: pprof sample types:\n%s" % (db, raw))
        check("\nPeriodType: %s\nPeriod: %d\n" % (period_type, period) in raw, "%s: pprof period:\n%s" % (db, raw))
        values = [tuple(map(int, m.groups()))
                  for m in re.finditer(r"^ +" + r"(\d+) +" * (len(types) - 1) + r"(\d+): ", raw, re.M)]
        check(len(values) == paths, "%s: pprof: %d samples, expected %d" % (db, len(values), paths))
        got = [sum(v[i] for v in values) for i in range(len(types))]
        want = [totals[t] for t in types.values()]
        check(got == want, "%s: pprof totals %s, expected %s from SQL" % (db, got, want))
        rc, top, _ = run(["go", "tool", "pprof", "-top", "-sample_index=calls", timing + ".pb.gz"], work)
        check(re.search(r"^ +21891 .* fib$", top, re.M), "%s: pprof -top: fib is not called 21891 times:\n%s" % (
            db, top))

        # callgrind, opened by callgrind_annotate: totals and fib's calls. A
        # short run may sample fib never: every function is listed (the
        # default lists them until 99% of the time), a cost of 0 without its
        # percentage.
        must([WPROF, "export", "--format", "callgrind", db, "-o", timing + ".callgrind"], work)
        rc, ann, err = run(["callgrind_annotate", "--threshold=100", timing + ".callgrind"], work)
        check(rc == 0, "%s: callgrind_annotate: exit %d, %s" % (db, rc, err))
        check(re.search(r"^Events recorded: +%s$" % " ".join(events), ann, re.M), "%s: callgrind events:\n%s" % (
            db, ann))
        cost = r"([\d,]+)(?: \([ \d.]+%\))? +"
        got = re.search(r"^" + cost * len(events) + r"PROGRAM TOTALS$", ann, re.M)
        want = tuple(commas(totals[e]) for e in events)
        check(got and got.groups() == want, "%s: callgrind totals %s, expected %s" % (db, got and got.groups(), want))
        check(re.search(r"^ *" + cost * (len(events) - 1) + r"21,891 \([ \d.]+%\)  \S*:fib$", ann, re.M),
              "%s: callgrind: fib is not called 21,891 times:\n%s" % (db, ann))

        # folded: one line per path with self time, values adding up.
        must([WPROF, "export", "--format", "folded", db, "-o", timing + ".folded"], work)
        with open(os.path.join(work, timing + ".folded")) as f:
            lines = [line.rsplit(" ", 1) for line in f.read().splitlines()]
        want = dict(sql(work, db, "SELECT n.path, p.self_ns FROM call_paths p JOIN path_names n ON n.id = p.id"
                                  " WHERE p.self_ns > 0"))
        check({path: int(v) for path, v in lines} == want and len(lines) == len(want),
              "%s: folded lines differ from SQL" % db)

    # Heap profile of alloc: the .expected totals (13 blocks / 1620 bytes
    # allocated, 2 / 1024 live).
    record(work, os.path.join(TESTDATA, "alloc.wasm"), "alloc.db")
    must([WPROF, "export", "--format", "pprof", "--heap", "alloc.db", "-o", "heap.pb.gz"], work)
    rc, raw, err = run(["go", "tool", "pprof", "-raw", "heap.pb.gz"], work)
    values = [tuple(map(int, m.groups())) for m in re.finditer(r"^ +(\d+) +(\d+) +(\d+) +(\d+): ", raw, re.M)]
    got = [sum(v[i] for v in values) for i in range(4)]
    check(rc == 0 and err == "" and got == [13, 1620, 2, 1024], "pprof heap totals %s (%s)" % (got, err))

    # chrome, from a --trace run: valid JSON, one X event per calls row,
    # properly nested.
    record(work, os.path.join(TESTDATA, "fib.wasm"), "trace.db", trace=True)
    must([WPROF, "export", "--format", "chrome", "trace.db", "-o", "trace.json"], work)
    with open(os.path.join(work, "trace.json")) as f:
        doc = json.load(f)
    events = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    [(rows, trace_calls)] = sql(work, "trace.db", "SELECT (SELECT COUNT(*) FROM calls), total_calls FROM run")
    check(len(events) == rows == trace_calls, "chrome: %d X events, %d calls rows, %d calls" % (len(events), rows,
                                                                                               trace_calls))
    check(sum(e["name"] == "fib" for e in events) == 21891, "chrome: fib events")
    nest(work, "trace.db", events)
    return work


def nest(work, db, events):
    """Walks chrome events in entry order with a stack of open calls, using
    each call path's parent (SQL); checks that every call lies inside its
    caller and after its caller's earlier callees. Returns {call: caller}."""
    parent = dict(sql(work, db, "SELECT id, parent FROM call_paths"))
    ns = lambda micros: round(micros * 1000)
    stack, caller, bad = [], {}, 0
    for e in events:
        call, path = e["args"]["call"], e["args"]["path_id"]
        start, end = ns(e["ts"]), ns(e["ts"]) + ns(e["dur"])
        while stack and stack[-1][1] != parent[path]:
            bad += stack.pop()[3] > start  # a finished call ends before the next one starts
        if parent[path] is not None and not stack:
            bad += 1
            continue
        if stack:
            bad += not (stack[-1][2] <= start and end <= stack[-1][3])
        caller[call] = stack[-1][0] if stack else None
        stack.append((call, path, start, end))
    check(bad == 0, "%s: %d events not properly nested" % (db, bad))
    check([e["args"]["call"] for e in events] == list(range(1, len(events) + 1)), "%s: events not in call order" % db)
    return caller


def callers_query():
    """The SQL of docs/queries.md's "caller of every call" query."""
    with open(os.environ["QUERIES_MD"]) as f:
        text = f.read()
    start = text.index("```sql\n", text.index("caller of every call")) + 7
    return text[start:text.index("\n```", start)]


def call_tree():
    """docs/queries.md's caller query names the same caller for every call
    as the nesting of the trace, on recursive runs and a trapped one."""
    work = tempfile.mkdtemp(prefix="wprof-real-")
    query = callers_query()
    for name in ("fib", "mutual", "trap"):
        db = name + ".db"
        record(work, os.path.join(TESTDATA, name + ".wasm"), db, trace=True)
        must([WPROF, "export", "--format", "chrome", db, "-o", name + ".json"], work)
        with open(os.path.join(work, name + ".json")) as f:
            events = [e for e in json.load(f)["traceEvents"] if e["ph"] == "X"]
        caller = nest(work, db, events)
        view = dict(sql(work, db, query))
        check(view == caller and len(view) == len(events), "%s: the caller query differs from the nesting of the trace"
              " (%d of %d calls agree)" % (name, sum(view.get(c) == p for c, p in caller.items()), len(caller)))
        unwound = sum(bool(e["args"].get("unwound")) for e in events)
        check(unwound == sql(work, db, "SELECT unwound_frames FROM run")[0][0], "%s: unwound events" % name)
    return work


def main():
    what = sys.argv[1]
    work = {"program": lambda: program(sys.argv[2]), "gate": gate, "exports": exports, "call-tree": call_tree}[what]()
    if failures:
        print("%d failure(s); files kept in %s" % (len(failures), work), file=sys.stderr)
        sys.exit(1)
    subprocess.run(["rm", "-rf", work])
    print("analyzer on real databases, %s: all checks passed" % " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
