// Checks one testdata program against its expected file, without wprof:
//  - the expected file parses, and its per-function allocation lines add up
//    (allocs - frees = live per function, their sums = the "total" lines);
//  - every function it names exists in the module's "name" section, and
//    every function it credits with allocations calls an allocator directly
//    (read from wasm2wat's disassembly);
//  - run under Node's WASI (run-wasi.mjs), the program ends as stated
//    (exit code, or a trap) and its stdout (and stderr, if asked) match the
//    expected files byte for byte;
//  - with --audit, the counting-allocator variant audit/<name>.wasm, run with
//    an empty environment, reports the "total" lines (so libc's own
//    allocations are accounted for), or the sums of the per-function lines
//    when the expected file has no "total" lines;
//  - with --self-audit (the hand-written wat modules, which import nothing),
//    the module's own tally globals (audit_{alloc,free}_{objects,bytes}) after
//    _start match the "total" lines.
//   node check-program.mjs DIR NAME [--audit|--self-audit] [--stdout FILE] [--stderr FILE] [-- ARGS...]
// Exit status 0 when all hold, 1 with one line per failure otherwise.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = join(dirname(fileURLToPath(import.meta.url)), 'run-wasi.mjs');
const TRAP_EXIT = 134; // run-wasi.mjs's exit status for a trapping guest

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const guestArgs = dashes >= 0 ? argv.slice(dashes + 1) : [];
const opts = dashes >= 0 ? argv.slice(0, dashes) : argv;
const [dir, name] = opts;
const flag = (f) => opts.includes(f);
const option = (f) => (opts.indexOf(f) >= 0 ? opts[opts.indexOf(f) + 1] : undefined);

const failures = [];
const fail = (msg) => failures.push(`${name}: ${msg}`);

function parseExpected(text) {
  const facts = { calls: new Map(), allocs: new Map(), frees: new Map(), live: new Map(), total: new Map() };
  text.split('\n').forEach((raw, i) => {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const [key, ...rest] = words;
    const nums = (ws) => ws.map((w) => {
      if (!/^\d+$/.test(w)) throw new Error(`line ${i + 1}: not a count: ${w}`);
      return Number(w);
    });
    if (key === 'exit' && rest.length === 1) facts.exit = nums(rest)[0];
    else if (key === 'status' && rest.length === 1 && /^(exited|trapped)$/.test(rest[0])) facts.status = rest[0];
    else if (key === 'stdout' && rest.length === 1) facts.stdout = rest[0];
    else if (key === 'calls' && rest.length === 2) facts.calls.set(rest[0], nums(rest.slice(1))[0]);
    else if (['allocs', 'frees', 'live', 'total'].includes(key) && rest.length === 3) {
      if (key === 'total' && !['allocs', 'frees', 'live'].includes(rest[0]))
        throw new Error(`line ${i + 1}: bad total kind ${rest[0]}`);
      facts[key].set(rest[0], nums(rest.slice(1)));
    } else throw new Error(`line ${i + 1}: cannot parse: ${raw}`);
  });
  if (!facts.status) throw new Error('no status line');
  if ((facts.status === 'exited') !== (facts.exit !== undefined))
    throw new Error('an exit line goes with status exited, and only with it');
  return facts;
}

// Checks allocs - frees = live per function and, when the file has "total"
// lines, that the per-function lines add up to them. Returns the sums.
function checkArithmetic(facts) {
  const sum = { allocs: [0, 0], frees: [0, 0], live: [0, 0] };
  for (const fn of new Set([...facts.allocs.keys(), ...facts.frees.keys(), ...facts.live.keys()])) {
    const [a, f, l] = ['allocs', 'frees', 'live'].map((k) => facts[k].get(fn));
    if (!a || !f || !l) { fail(`${fn}: needs all of allocs, frees and live lines`); continue; }
    if (a[0] - f[0] !== l[0] || a[1] - f[1] !== l[1]) fail(`${fn}: allocs - frees != live`);
    for (const k of Object.keys(sum)) for (const j of [0, 1]) sum[k][j] += facts[k].get(fn)[j];
  }
  if (facts.allocs.size > 0 && facts.total.size > 0) {
    for (const k of Object.keys(sum)) {
      const t = facts.total.get(k);
      if (!t || t[0] !== sum[k][0] || t[1] !== sum[k][1])
        fail(`per-function ${k} add up to ${sum[k].join(' ')}, total line says ${t ? t.join(' ') : 'nothing'}`);
    }
  }
  return sum;
}

function readLeb(bytes, pos) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[pos.at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return value;
}

function functionNames(module) {
  const names = new Set();
  for (const section of WebAssembly.Module.customSections(module, 'name')) {
    const bytes = new Uint8Array(section);
    const pos = { at: 0 };
    while (pos.at < bytes.length) {
      const id = bytes[pos.at++];
      const size = readLeb(bytes, pos);
      const end = pos.at + size;
      if (id === 1) {
        for (let n = readLeb(bytes, pos); n > 0; n--) {
          readLeb(bytes, pos);
          const len = readLeb(bytes, pos);
          names.add(Buffer.from(bytes.subarray(pos.at, pos.at + len)).toString('utf8'));
          pos.at += len;
        }
      }
      pos.at = end;
    }
  }
  return names;
}

function run(wasm, env = process.env) {
  return spawnSync(process.execPath, [runner, wasm, ...guestArgs], { encoding: 'buffer', env });
}

function compareFile(what, actual, file) {
  const expected = readFileSync(join(dir, file));
  if (!actual.equals(expected))
    fail(`${what} differs from ${file}:\n--- got ---\n${actual}\n--- expected ---\n${expected}`);
}

let facts;
try {
  facts = parseExpected(readFileSync(join(dir, `${name}.expected`), 'utf8'));
} catch (err) {
  console.error(`${name}.expected: ${err.message}`);
  process.exit(1);
}
const sums = checkArithmetic(facts);

const wasm = join(dir, `${name}.wasm`);
const module = new WebAssembly.Module(readFileSync(wasm));
const names = functionNames(module);
for (const key of ['calls', 'allocs'])
  for (const fn of facts[key].keys()) if (!names.has(fn)) fail(`no function named ${fn} in the name section`);

// Functions that call one of the allocators of docs/probe-abi.md directly
// (names as wasm2wat spells them: "operator new(...)" becomes operator_new_...).
function directAllocatorCallers(wasmFile) {
  const allocator = /^(malloc|calloc|realloc|aligned_alloc|posix_memalign|memalign|__rust_alloc|__rust_alloc_zeroed|__rust_realloc|runtime\.alloc|_Zn[wa].*|operator_new.*)$/;
  const wat = spawnSync('wasm2wat', [wasmFile], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (wat.status !== 0) throw new Error(`wasm2wat failed: ${wat.stderr || wat.error}`);
  const callers = new Set();
  let current;
  for (const line of wat.stdout.split('\n')) {
    const func = /^  \(func \$(\S+)/.exec(line);
    if (func) current = func[1];
    else if (/^  \(/.test(line)) current = undefined;
    const call = /^\s*call \$(\S+?)\)*$/.exec(line);
    if (current && call && allocator.test(call[1])) callers.add(current);
  }
  return callers;
}

const callers = directAllocatorCallers(wasm);
for (const [fn, [objects]] of facts.allocs)
  if (objects > 0 && !callers.has(fn)) fail(`${fn} is credited with allocations but calls no allocator directly`);

const result = run(wasm);
if (facts.status === 'trapped') {
  if (result.status !== TRAP_EXIT || !result.stderr.toString().includes('run-wasi: trap:'))
    fail(`expected a trap, got exit ${result.status}: ${result.stderr}`);
} else if (result.status !== facts.exit) {
  fail(`exit code ${result.status}, expected ${facts.exit}: ${result.stderr}`);
}
const stdoutFile = option('--stdout') ?? facts.stdout;
if (stdoutFile) compareFile('stdout', result.stdout, stdoutFile);
if (option('--stderr')) compareFile('stderr', result.stderr, option('--stderr'));

function compareTotals(reported, source) {
  for (const kind of ['allocs', 'frees', 'live']) {
    const want = facts.total.get(kind) ?? (facts.allocs.size > 0 ? sums[kind] : undefined);
    const got = reported.get(kind);
    if (!want) fail(`no "total ${kind}" nor allocs lines to compare the ${source} with`);
    else if (!got || got[0] !== want[0] || got[1] !== want[1])
      fail(`${source} reports total ${kind} ${got ? got.join(' ') : '(nothing)'}, expected ${want.join(' ')}`);
  }
}

if (flag('--audit')) {
  const audit = run(join(dir, 'audit', `${name}.wasm`), {});
  const reported = new Map();
  for (const m of audit.stderr.toString().matchAll(/^audit total (\w+) (\d+) (\d+)$/gm))
    reported.set(m[1], [Number(m[2]), Number(m[3])]);
  compareTotals(reported, 'counting allocator');
  if (audit.status !== result.status) fail(`audit variant exits ${audit.status}, plain one ${result.status}`);
}

if (flag('--self-audit')) {
  const { exports } = new WebAssembly.Instance(module, {});
  exports._start();
  const tally = (what) => [exports[`audit_${what}_objects`].value, exports[`audit_${what}_bytes`].value];
  const [allocs, frees] = [tally('alloc'), tally('free')];
  compareTotals(new Map([['allocs', allocs], ['frees', frees],
    ['live', [allocs[0] - frees[0], allocs[1] - frees[1]]]]), 'the module\'s own tally');
}

for (const f of failures) console.error(f);
process.exit(failures.length ? 1 : 0);
