// Every testdata program, instrumented: valid for wabt and for V8, the same
// stdout, stderr and exit status as the plain program under Node's WASI, and
// exactly the call counts and allocations of its hand-derived .expected file.
//
//   node --test testdata.test.mjs   (env WASM_INSTRUMENT, WPROF_TESTDATA_DIR)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocationsByFunction } from './results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const instrument = process.env.WASM_INSTRUMENT;
const testdata = process.env.WPROF_TESTDATA_DIR;
const plainRunner = join(here, '..', 'testdata', 'run-wasi.mjs');
const probedRunner = join(here, '..', '..', 'runtime-shim', 'js', 'wprof-node.mjs');
const work = mkdtempSync(join(tmpdir(), 'wprof-testdata-'));

// The facts of a .expected file (format: testdata/README.md).
function readExpected(name) {
  const facts = { calls: {}, allocs: {}, frees: {}, live: {}, total: {} };
  for (const raw of readFileSync(join(testdata, `${name}.expected`), 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'exit') facts.exit = Number(rest[0]);
    else if (key === 'status') facts.status = rest[0];
    else if (key === 'calls') facts.calls[rest.slice(0, -1).join(' ')] = Number(rest.at(-1));
    else if (['allocs', 'frees', 'live', 'total'].includes(key)) {
      const [objects, bytes] = rest.slice(-2).map(Number);
      facts[key][rest.slice(0, -2).join(' ')] = { objects, bytes };
    }
  }
  return facts;
}

function run(args) {
  const r = spawnSync(process.execPath, args, { encoding: 'buffer', env: { PATH: process.env.PATH } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const programs = readdirSync(testdata).filter((f) => f.endsWith('.expected'))
  .map((f) => f.slice(0, -'.expected'.length))
  .filter((name) => readdirSync(testdata).includes(`${name}.wasm`));

for (const name of programs) {
  test(`${name}: instrumented behaves the same and counts exactly`, () => {
    const plain = join(testdata, `${name}.wasm`);
    const probed = join(work, `${name}.prof.wasm`);
    execFileSync(instrument, ['-q', plain, probed]);
    execFileSync('wasm-validate', ['--enable-all', probed]);
    new WebAssembly.Module(readFileSync(probed)); // V8 validates too

    const json = join(work, `${name}.json`);
    const a = run([plainRunner, plain]);
    const b = run([probedRunner, '--json', json, probed]);
    assert.equal(b.code, a.code, `exit status (stderr: ${b.stderr})`);
    assert.ok(b.stdout.equals(a.stdout), 'stdout byte for byte');
    // the two runners name themselves in their own trap line
    const quietStderr = (buf) => buf.toString().split('\n')
      .filter((l) => !/ExperimentalWarning|--trace-warnings/.test(l))
      .map((l) => l.replace(/^(run-wasi|wprof-node): (\S+: )?trap: /, 'trap: ')).join('\n');
    assert.equal(quietStderr(b.stderr), quietStderr(a.stderr), 'stderr');

    const expected = readExpected(name);
    const results = JSON.parse(readFileSync(json, 'utf8'));
    if (expected.status === 'exited') assert.equal(b.code, expected.exit);
    else assert.equal(b.code, 134, 'a trap');

    const calls = Object.fromEntries(results.functions.map((f) => [f.name, results.calls[f.fid]]));
    for (const [fn, count] of Object.entries(expected.calls)) assert.equal(calls[fn], count, `calls ${fn}`);
    assert.equal(results.enters, results.exits + results.unwound, 'enters balance exits');
    if (expected.status === 'exited' && name !== 'exit3' && name !== 'procexit') {
      assert.equal(results.unwound, 0, 'a normal exit unwinds nothing');
    }

    const allocs = allocationsByFunction(results);
    for (const [kind, facts] of Object.entries({ allocs: expected.allocs, frees: expected.frees })) {
      for (const [fn, want] of Object.entries(facts)) {
        assert.deepEqual(allocs[fn]?.[kind] ?? { objects: 0, bytes: 0 }, want, `${kind} ${fn}`);
      }
    }
    for (const [fn, want] of Object.entries(expected.live)) {
      const got = allocs[fn] ?? { allocs: { objects: 0, bytes: 0 }, frees: { objects: 0, bytes: 0 } };
      assert.deepEqual({ objects: got.allocs.objects - got.frees.objects, bytes: got.allocs.bytes - got.frees.bytes },
        want, `live ${fn}`);
    }
    const heap = results.alloc;
    if (expected.total.allocs) assert.deepEqual({ objects: heap.allocs, bytes: heap.allocatedBytes }, expected.total.allocs, 'total allocs');
    if (expected.total.frees) assert.equal(heap.freedBytes, expected.total.frees.bytes, 'total freed bytes');
    if (expected.total.live) assert.deepEqual({ objects: heap.liveBlocks, bytes: heap.liveBytes }, expected.total.live, 'total live');
  });
}
