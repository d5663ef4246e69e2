// The wasm-instrument command line: options, exit codes, bad input, what is
// kept and dropped in the output. Every refusal must be one line on stderr,
// a documented exit code (see `wasm-instrument --help`), and no output file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWprofHost, readFunctionTable } from '../../runtime-shim/js/wprof-host.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const instrument = process.env.WASM_INSTRUMENT;

function freshDir() {
  return mkdtempSync(join(tmpdir(), 'wprof-cli-'));
}

function wat(dir, name, text, flags = []) {
  const src = join(dir, `${name}.wat`);
  const out = join(dir, `${name}.wasm`);
  writeFileSync(src, text);
  execFileSync('wat2wasm', ['--debug-names', ...flags, src, '-o', out]);
  return out;
}

function run(...args) {
  const r = spawnSync(instrument, args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A refused input: exit code, a single stderr line naming the input and the
// reason, and nothing written next to the output.
function assertRefused(dir, args, code, reason) {
  const out = join(dir, 'out.wasm');
  const before = readdirSync(dir).sort();
  const r = run(...args, out);
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], reason);
  assert.equal(existsSync(out), false, 'no output file');
  assert.deepEqual(readdirSync(dir).sort(), before, 'no temporary file left');
}

const fibWat = `(module
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $helper (export "helper") (result i32) (call $fib (i32.const 10))))`;

test('refuses what is not a wasm module', () => {
  const dir = freshDir();
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, world\n');
  assertRefused(dir, [text], 65, /notes\.txt: not a WebAssembly module/);
  const empty = join(dir, 'empty.wasm');
  writeFileSync(empty, '');
  assertRefused(dir, [empty], 65, /empty\.wasm: not a WebAssembly module/);
});

test('refuses truncated and malformed modules', () => {
  const dir = freshDir();
  const good = readFileSync(wat(dir, 'fib', fibWat));
  // cuts inside the type section, the export section and the last section
  // (a cut at a section boundary can leave a valid module)
  for (const cut of [12, 40, good.length - 1]) {
    const truncated = join(dir, `cut${cut}.wasm`);
    writeFileSync(truncated, good.subarray(0, cut));
    assertRefused(dir, [truncated], 65, /malformed module/);
  }
});

test('refuses invalid modules', () => {
  const dir = freshDir();
  const bad = wat(dir, 'bad', '(module (func (result i32) (i64.const 1)))', ['--no-check']);
  assertRefused(dir, [bad], 65, /bad\.wasm: invalid module/);
});

test('--skip-validation writes the same output and still refuses what binaryen finds invalid', () => {
  const dir = freshDir();
  const m = wat(dir, 'fib', fibWat);
  const a = join(dir, 'a.wasm');
  const b = join(dir, 'b.wasm');
  assert.equal(run(m, a).code, 0);
  assert.equal(run('--skip-validation', m, b).code, 0);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  const bad = wat(dir, 'bad', '(module (func (result i32) (i64.const 1)))', ['--no-check']);
  assertRefused(dir, ['--skip-validation', bad], 69, /bad\.wasm: binaryen 108 does not read this module back as valid/);
});

test('refuses a module it already instrumented', () => {
  const dir = freshDir();
  const once = join(dir, 'once.wasm');
  assert.equal(run(wat(dir, 'fib', fibWat), once).code, 0);
  assertRefused(dir, [once], 65, /already instrumented/);
  assertRefused(dir, ['--cost', once], 65, /already instrumented/);
});

test('--cost refuses a module that already exports its counter\'s name', () => {
  const dir = freshDir();
  const m = wat(dir, 'clash', `(module (global (export "wprof.cost") (mut i64) (i64.const 0))
    (func (export "f")))`);
  assertRefused(dir, ['--cost', m], 69, /already has a global wprof\$cost or an export wprof\.cost/);
  assert.equal(run(m, join(dir, 'plain.wasm')).code, 0); // without --cost the name is no one's business
});

test('refuses blocks with parameters, which binaryen 108 miscompiles', () => {
  const dir = freshDir();
  const m = wat(dir, 'bparams', `(module (func (export "f") (param i32) (result i32)
    (local.get 0) (block (param i32) (result i32) (i32.const 1) (i32.add))))`);
  assertRefused(dir, [m], 69, /unsupported: .*param/);
});

test('usage errors exit 64', () => {
  const dir = freshDir();
  const m = wat(dir, 'fib', fibWat);
  for (const args of [[], [m], ['--frobnicate', m, join(dir, 'o.wasm')], ['--alloc', 'x', m, join(dir, 'o.wasm')],
    ['--alloc', 'fib=slab', m, join(dir, 'o.wasm')], ['--list']]) {
    const r = run(...args);
    assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1);
  }
  assertRefused(dir, ['--alloc', 'nosuch=malloc', m], 64, /no function named 'nosuch'/);
});

test('an unreadable input exits 66, an unwritable output 73, and they leave nothing', () => {
  const dir = freshDir();
  assertRefused(dir, [join(dir, 'missing.wasm')], 66, /missing\.wasm: cannot read/);
  const m = wat(dir, 'fib', fibWat);
  const r = run(m, join(dir, 'no', 'such', 'dir', 'out.wasm'));
  assert.equal(r.code, 73);
  assert.match(r.stderr, /cannot write/);
});

test('--help and --version', () => {
  const help = run('--help');
  assert.equal(help.code, 0);
  for (const text of ['--include', '--exclude', '--no-alloc', '--alloc NAME=KIND', '--cost', '--list', '--skip-validation', 'Exit status',
    'probe ABI version 3', 'malloc|calloc|realloc|free|aligned_alloc|posix_memalign|rust_realloc']) {
    assert.ok(help.stdout.includes(text), text);
  }
  assert.match(run('--version').stdout, /^wasm-instrument \d+\.\d+\.\d+ \(probe ABI 3/);
});

test('names, unknown custom sections and determinism', () => {
  const dir = freshDir();
  const m = wat(dir, 'fib', fibWat);
  // append a custom section "vendor.data" with payload 00 ff 7f
  const custom = Buffer.from([0, 15, 11, ...Buffer.from('vendor.data'), 0x00, 0xff, 0x7f]);
  writeFileSync(m, Buffer.concat([readFileSync(m), custom]));
  const a = join(dir, 'a.wasm');
  const b = join(dir, 'b.wasm');
  assert.equal(run(m, a).code, 0);
  assert.equal(run(m, b).code, 0);
  const out = readFileSync(a);
  assert.ok(out.equals(readFileSync(b)), 'same input, same output bytes');
  assert.ok(out.includes(custom), 'the unknown custom section is kept byte for byte');
  const module = new WebAssembly.Module(out);
  assert.equal(WebAssembly.Module.customSections(module, 'name').length, 1, 'name section kept');
  const objdump = execFileSync('wasm-objdump', ['-x', a], { encoding: 'utf8' });
  assert.match(objdump, /<fib>/);
  const table = readFunctionTable(module).functions;
  assert.deepEqual(table.map((f) => [f.fid, f.funcIndex, f.name]), [[0, 0, 'fib'], [1, 1, 'helper']]);
});

test('local names stay in index order (binaryen 108 writes them grouped by type)', () => {
  const dir = freshDir();
  const m = wat(dir, 'locals', `(module (func $f (export "f") (param $a i32) (result i64)
    (local $b i64) (local $c f64) (local $d i64) (local.set $d (i64.const 7)) (local.get $d)))`);
  const out = join(dir, 'o.wasm');
  assert.equal(run(m, out).code, 0);
  execFileSync('wasm-validate', ['--enable-all', out]); // "local index out of order" without the fix
  const objdump = execFileSync('wasm-objdump', ['-x', out], { encoding: 'utf8' });
  for (const local of ['a', 'b', 'c', 'd']) assert.match(objdump, new RegExp(`<${local}>`));
});

test('the id map records original code offsets', () => {
  const dir = freshDir();
  const m = wat(dir, 'fib', fibWat);
  const out = join(dir, 'o.wasm');
  assert.equal(run(m, out).code, 0);
  // wasm-objdump -x prints the body offsets of the input: " - func[0] size=N <fib>" under Code
  const objdump = execFileSync('wasm-objdump', ['-h', '-x', m], { encoding: 'utf8' });
  const codeStart = Number.parseInt(/Code start=0x([0-9a-f]+)/.exec(objdump)[1], 16);
  const table = readFunctionTable(new WebAssembly.Module(readFileSync(out))).functions;
  // the code section payload starts with the function count (1 byte here), then body 0's size field
  assert.equal(table[0].codeOffset, codeStart + 1);
});

test('DWARF becomes the wprof.sources section; malformed DWARF is one warning', () => {
  const dir = freshDir();
  const src = join(dir, 'g.c');
  writeFileSync(src, 'int square(int x) { return x * x; }\nint main(void) { return square(3) - 9; }\n');
  const m = join(dir, 'g.wasm');
  execFileSync('clang', ['--target=wasm32-wasi', '-g', '-O0', src, '-o', m]);
  const out = join(dir, 'g.prof.wasm');
  const r = run(m, out);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const sections = execFileSync('wasm-objdump', ['-h', out], { encoding: 'utf8' });
  assert.doesNotMatch(sections, /\.debug_/);
  assert.match(sections, /"wprof\.sources"/);
  assert.match(execFileSync('wasm-objdump', ['-h', m], { encoding: 'utf8' }), /\.debug_info/);
  // corrupt .debug_info: the abbreviation codes of its DIEs become 0x7f (none such)
  const bytes = readFileSync(m);
  const info = bytes.indexOf('.debug_info') + '.debug_info'.length;
  for (let i = info + 11; i < info + 200; i += 3) bytes[i] = 0x7f;
  const bad = join(dir, 'bad.wasm');
  writeFileSync(bad, bytes);
  const b = run(bad, join(dir, 'bad.prof.wasm'));
  assert.equal(b.code, 0);
  assert.match(b.stderr, /^wasm-instrument: warning: .*ignoring the malformed DWARF sections[^\n]*\n$/);
  assert.doesNotMatch(execFileSync('wasm-objdump', ['-h', join(dir, 'bad.prof.wasm')], { encoding: 'utf8' }), /wprof\.sources/);
  assert.equal(run('-q', bad, join(dir, 'q.wasm')).stderr, '', '-q silences warnings');
});

test('--include, --exclude and --no-alloc choose what is probed', () => {
  const dir = freshDir();
  const m = wat(dir, 'fib', fibWat);
  const counts = (args) => {
    const out = join(dir, 'sel.wasm');
    assert.equal(run(...args, m, out).code, 0);
    const module = new WebAssembly.Module(readFileSync(out));
    const host = createWprofHost(module);
    new WebAssembly.Instance(module, host.imports).exports.helper();
    const r = host.results();
    return Object.fromEntries(r.functions.map((f) => [f.name, r.calls[f.fid]]));
  };
  // helper calls fib(10): fib runs 177 times (2*fib(11) - 1)
  assert.deepEqual(counts([]), { fib: 177, helper: 1 });
  assert.deepEqual(counts(['--include', 'f*']), { fib: 177, helper: 0 });
  assert.deepEqual(counts(['--exclude', 'fib']), { fib: 0, helper: 1 });
  assert.deepEqual(counts(['--include', '*', '--exclude', 'h?lper']), { fib: 177, helper: 0 });

  const alloc = join(dir, 'alloc.wasm');
  copyFileSync(wat(dir, 'alloc', readFileSync(join(here, 'cases', 'alloc.wat'), 'utf8')), alloc);
  const noAlloc = join(dir, 'noalloc.wasm');
  assert.equal(run('--no-alloc', alloc, noAlloc).code, 0);
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(noAlloc))).map((i) => i.name);
  assert.deepEqual(imports.filter((n) => ['alloc', 'free', 'realloc'].includes(n)), []);
});

test('--list shows functions and allocators and writes nothing', () => {
  const dir = freshDir();
  const m = wat(dir, 'alloc', readFileSync(join(here, 'cases', 'alloc.wat'), 'utf8'));
  const before = readdirSync(dir).sort();
  const r = run('--list', m);
  assert.equal(r.code, 0);
  assert.deepEqual(readdirSync(dir).sort(), before);
  assert.match(r.stdout, /^\s+0\s+0\s+\d+\s+\d+\s+calls alloc:malloc\s+malloc$/m);
  assert.match(r.stdout, /calls alloc:rust_realloc\s+__rust_realloc$/m);
  assert.match(r.stdout, /^\s+11\s+11\s+\d+\s+\d+\s+calls\s+work$/m);
  assert.match(r.stdout, /^12 functions \(0 imported\), 12 with call probes, 10 allocators$/m);
});

test('--count-leaves marks the tiny leaves in --list and in wprof.functions', () => {
  const dir = freshDir();
  const m = wat(dir, 'leaves', readFileSync(join(here, 'cases', 'leaves.wat'), 'utf8'));
  const r = run('--count-leaves', '--list', m);
  assert.equal(r.code, 0);
  const kinds = Object.fromEntries([...r.stdout.matchAll(/^\s+\d+\s+\d+\s+\d+\s+\d+\s+(\S+)\s+(\S+)$/gm)].map((x) => [x[2], x[1]]));
  assert.deepEqual(kinds, { inc: 'count', clamp_leaf: 'count', sum_to: 'calls', twice: 'calls', long: 'calls' });
  const out = join(dir, 'o.wasm');
  assert.equal(run('--count-leaves', m, out).code, 0);
  const flags = readFunctionTable(new WebAssembly.Module(readFileSync(out))).functions.map((f) => f.flags);
  assert.deepEqual(flags, [5, 5, 1, 1, 1]); // bit 0 counted, bit 2 without a frame
  assert.equal(run('--list', m).stdout.includes(' count '), false, 'off by default');
});

test('rewriting in place replaces the file atomically', () => {
  const dir = freshDir();
  const m = wat(dir, 'fib', fibWat);
  assert.equal(run(m, m).code, 0);
  assert.equal(readFunctionTable(new WebAssembly.Module(readFileSync(m))).functions.length, 2);
  assert.deepEqual(readdirSync(dir).sort(), ['fib.wasm', 'fib.wat']);
});
