#!/usr/bin/env python3
"""Exactness of `wasm-instrument --cost` (docs/probe-abi.md, "Instruction cost").

Each .wat of this folder derives, by hand in its comments, the instructions
every call path executes, and states them on "expect" lines:
    ;; expect run.instructions N        ;; expect run.status exited|trapped
    ;; expect PATH self N incl N calls N   (PATH: function names joined by ';')
The test assembles the module, rewrites it with --cost, runs it (with
`wprof run`, or under Node with the reference host for what wasm2c cannot
translate) and compares. For one program it also checks that the counts are
the same in every timing mode, and that a module rewritten without --cost
records no instructions.

usage: cost-tests.py CASE WPROF WASM_INSTRUMENT WAT2WASM NODE WPROF_NODE_MJS
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
NEEDS_NODE = {"tail-calls"}  # wasm2c 1.0.32 cannot translate return_call
WAT_FLAGS = ["--debug-names", "--enable-exceptions", "--enable-tail-call"]

failures = []


def check(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, expected {want!r}")


def expectations(wat):
    run, paths = {}, {}
    for line in open(wat):
        if not line.startswith(";; expect "):
            continue
        words = line.split()[2:]
        if words[0].startswith("run."):
            run[words[0][4:]] = words[1]
        else:
            paths[words[0]] = {words[i]: int(words[i + 1]) for i in range(1, len(words), 2)}
    return run, paths


def db_paths(db):
    con = sqlite3.connect(db)
    run = dict(zip(("instructions", "status"), con.execute("SELECT instructions, status FROM run").fetchone()))
    rows = con.execute("SELECT n.path, p.self_instructions, p.incl_instructions, p.calls"
                       " FROM call_paths p JOIN path_names n USING (id)").fetchall()
    con.close()
    return run, {path: {"self": s, "incl": i, "calls": c} for path, s, i, c in rows}


def json_paths(results):
    names = {f["fid"]: f["name"] for f in results["functions"]}
    by_id = {p["id"]: p for p in results["paths"]}
    def name(p):
        return name(by_id[p["parent"]]) + ";" + names[p["fid"]] if p["parent"] else names[p["fid"]]
    out = {name(p): {"self": p["inclInstructions"], "incl": p["inclInstructions"], "calls": p["calls"]}
           for p in results["paths"]}
    for p in results["paths"]:
        if p["parent"]:
            out[name(by_id[p["parent"]])]["self"] -= p["inclInstructions"]
    return {"instructions": results["instructions"]}, out


def main():
    case, wprof, instrument, wat2wasm, node, wprof_node = sys.argv[1:7]
    wat = os.path.join(HERE, case + ".wat")
    want_run, want_paths = expectations(wat)
    with tempfile.TemporaryDirectory() as work:
        plain, counted = os.path.join(work, "plain.wasm"), os.path.join(work, "cost.wasm")
        subprocess.run([wat2wasm, *WAT_FLAGS, wat, "-o", plain], check=True)
        subprocess.run([instrument, "-q", "--cost", plain, counted], check=True)
        if case in NEEDS_NODE:
            out = os.path.join(work, "out.json")
            subprocess.run([node, wprof_node, "--json", out, counted], cwd=work)
            got_run, got_paths = json_paths(json.load(open(out)))
            want_run.pop("status", None)
        else:
            db = os.path.join(work, "cost.db")
            subprocess.run([wprof, "run", "-q", "-o", db, counted], cwd=work)
            got_run, got_paths = db_paths(db)
        for key, value in want_run.items():
            check(f"run.{key}", str(got_run[key]), value)
        for path, values in want_paths.items():
            for key, value in values.items():
                check(f"{path} {key}", got_paths.get(path, {}).get(key), value)
        check("paths", sorted(got_paths), sorted(want_paths))
        if case == "branches":
            # identical in every timing mode; none without --cost
            for mode in ("exact", "none"):
                db = os.path.join(work, mode + ".db")
                subprocess.run([wprof, "run", "-q", "--timing", mode, "-o", db, counted], cwd=work)
                check(f"--timing {mode}", db_paths(db), (got_run, got_paths))
            probes_only = os.path.join(work, "probes.wasm")
            subprocess.run([instrument, "-q", plain, probes_only], check=True)
            db = os.path.join(work, "probes.db")
            subprocess.run([wprof, "run", "-q", "-o", db, probes_only], cwd=work)
            run, paths = db_paths(db)
            check("without --cost: run.instructions", run["instructions"], None)
            check("without --cost: instructions per path", {p["self"] for p in paths.values()}, {0})
    for f in failures:
        print(f"FAIL {case}: {f}")
    print(f"{case}: {'failed' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
