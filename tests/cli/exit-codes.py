#!/usr/bin/env python3
"""The exit-code table is written once (utils/exit-codes.h) and shown in three
places that must agree with it: the README's "Exit status" table (code,
meaning, commands), each command's --help (exactly its rows, in order), and
the constants of the Node host (runtime-shim/js/wprof-node.mjs), which
cannot include the header. Reads the header as text, independently of the C
code that prints the help.

usage: exit-codes.py SOURCE_DIR WPROF WASM_INSTRUMENT
"""
import re
import subprocess
import sys

top, wprof, instrument = sys.argv[1:4]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


COMMANDS = {"WPROF_CMD_RUN": "run", "WPROF_CMD_REPORT": "report", "WPROF_CMD_DIFF": "diff",
            "WPROF_CMD_EXPORT": "export", "WPROF_CMD_INSTRUMENT": "wasm-instrument"}
ALL = set(COMMANDS.values())


def commands_of(expr):
    """The set of commands of a C expression such as WPROF_CMD_ALL & ~WPROF_CMD_RUN."""
    expr = expr.strip()
    m = re.fullmatch(r"WPROF_CMD_ALL\s*&\s*~(\w+)", expr)
    if m:
        return ALL - {COMMANDS[m.group(1)]}
    if expr == "WPROF_CMD_ALL":
        return set(ALL)
    return {COMMANDS[name.strip()] for name in expr.split("|")}


# ---- the header's rows: X(NAME, code, commands, "meaning" "..."), in order
header = open(f"{top}/utils/exit-codes.h").read()
macro = header[header.index("#define WPROF_EXIT_CODES(X)"):]
macro = macro[:macro.index("\n\n")].replace("\\\n", "\n")
rows = []
for m in re.finditer(r'X\((\w+),\s*(\d+),\s*([^,"]+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)', macro):
    meaning = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(4))).replace("\\n", " ")
    rows.append((m.group(1), int(m.group(2)), commands_of(m.group(3)), meaning))
if len(rows) != macro.count("X("):
    fail(f"read {len(rows)} rows of {macro.count('X(')} in utils/exit-codes.h")
codes = [r[1] for r in rows]
if len(set(codes)) != len(codes):
    fail(f"a code is in the table twice: {codes}")

# ---- the README's table
readme = open(f"{top}/README.md").read()
section = readme[readme.index("## Exit status"):]
readme_rows = re.findall(r"^\| (\d+) \| (.*) \| (.*) \|$", section, re.M)
want = [(str(code), meaning, ", ".join(c for c in ["run", "report", "diff", "export", "wasm-instrument"] if c in cmds))
        for _, code, cmds, meaning in rows]
if readme_rows != want:
    fail("README's Exit status table differs from utils/exit-codes.h:\n  README: %s\n  header: %s" %
         ("\n          ".join(map(str, readme_rows)), "\n          ".join(map(str, want))))

# ---- each --help: exactly its rows, in the table's order, meanings intact
helps = {"run": [wprof, "run", "--help"], "report": [wprof, "report", "--help"], "diff": [wprof, "diff", "--help"],
         "export": [wprof, "export", "--help"], "wasm-instrument": [instrument, "--help"]}
for command, argv in helps.items():
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{command} --help exited {r.returncode}")
        continue
    listed, text = [], r.stdout
    for m in re.finditer(r"^  (\d+) +(.*(?:\n {7}\S.*)*)", text, re.M):
        listed.append((int(m.group(1)), re.sub(r"\s+", " ", m.group(2))))
    expected = [(code, meaning) for _, code, cmds, meaning in rows if command in cmds]
    if listed != expected:
        fail(f"{command} --help lists {listed}, expected {expected}")

# ---- the Node host: its EXIT object names codes of the table, by the same names
node = open(f"{top}/runtime-shim/js/wprof-node.mjs").read()
m = re.search(r"const EXIT = \{([^}]*)\}", node)
if not m:
    fail("wprof-node.mjs has no `const EXIT = {...}`")
else:
    by_name = {name: code for name, code, _, _ in rows}
    for name, code in re.findall(r"(\w+): (\d+)", m.group(1)):
        if by_name.get(name) != int(code):
            fail(f"wprof-node.mjs: EXIT.{name} = {code}, utils/exit-codes.h: {by_name.get(name)}")

print(f"{len(rows)} codes checked against the README, 5 --help texts and wprof-node.mjs")
sys.exit(1 if failures else 0)
