// host.test.mjs — tests of runtime-shim/js/wprof-host.mjs against
// hand-instrumented modules (tests/node/*.wat). Every expected number is
// worked out by hand from the .wat source; comments show the arithmetic.
// Run: WAT2WASM=/usr/bin/wat2wasm node --test tests/node/host.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWprofHost, foldedStack } from '../../runtime-shim/js/wprof-host.mjs';
import { assemble, functionsSection } from './assemble.mjs';

function load(name, importedFuncs, names, { features = [], flags = [], abiVersion = 1, extraImports = {} } = {}) {
  const bytes = assemble(name, { features, section: functionsSection({ abiVersion, importedFuncs, names, flags }) });
  const module = new WebAssembly.Module(bytes);
  const host = createWprofHost(module);
  const instance = new WebAssembly.Instance(module, { ...host.imports, ...extraImports });
  return { host, exports: instance.exports };
}

const balanced = (r) => r.enters === r.exits + r.unwound + r.openFrames;
const pathCounts = (r) => Object.fromEntries(r.paths.map((p) => [foldedStack(r, p.id), p.calls]));
const pathUnwound = (r) => Object.fromEntries(r.paths.map((p) => [foldedStack(r, p.id), p.unwound]));

test('exact call counts and call paths', () => {
  const { host, exports } = load('calls', 3, ['leaf', 'mid', 'fac', 'main', 'boom', 'trap']);
  assert.equal(exports.main(), 120); // 5!
  const r = host.results();
  assert.deepEqual(r.functions.map((f) => [f.fid, f.funcIndex, f.name]),
    [[0, 3, 'leaf'], [1, 4, 'mid'], [2, 5, 'fac'], [3, 6, 'main'], [4, 7, 'boom'], [5, 8, 'trap']]);
  // leaf: 2 per mid x 3 mids + 1 direct = 7; fac(5) recurses down to fac(1) = 5 calls.
  assert.deepEqual(r.calls, [7, 3, 5, 1, 0, 0]);
  assert.deepEqual(r.paths.map((p) => [foldedStack(r, p.id), p.calls]), [
    ['main', 1],
    ['main;mid', 3],
    ['main;mid;leaf', 6],
    ['main;leaf', 1],
    ['main;fac', 1],
    ['main;fac;fac', 1],
    ['main;fac;fac;fac', 1],
    ['main;fac;fac;fac;fac', 1],
    ['main;fac;fac;fac;fac;fac', 1],
  ]);
  assert.deepEqual(r.paths[2], { id: 3, parent: 2, fid: 0, depth: 3, calls: 6, unwound: 0 });
  assert.equal(r.paths[0].parent, null);
  assert.equal(r.enters, 16); // 7 + 3 + 5 + 1
  assert.equal(r.exits, 16);
  assert.equal(r.unwound, 0);
  assert.equal(r.maxDepth, 6); // main + fac x5
  assert.equal(r.protocolErrors, 0);

  assert.equal(exports.main(), 120); // a second run doubles everything
  const r2 = host.results();
  assert.deepEqual(r2.calls, [14, 6, 10, 2, 0, 0]);
  assert.equal(pathCounts(r2)['main;mid;leaf'], 12);
  assert.equal(r2.enters, 32);
  assert.equal(r2.exits, 32);
});

test('a trap leaves frames open until the embedder unwinds them', () => {
  const { host, exports } = load('calls', 3, ['leaf', 'mid', 'fac', 'main', 'boom', 'trap']);
  assert.throws(() => exports.trap(), WebAssembly.RuntimeError);
  let r = host.results();
  assert.deepEqual(r.calls, [1, 0, 0, 0, 1, 1]);
  assert.equal(r.enters, 3); // trap, boom, leaf
  assert.equal(r.exits, 1); // leaf
  assert.equal(r.openFrames, 2);
  assert.equal(host.depth(), 2);
  host.unwindAll();
  r = host.results();
  assert.equal(r.unwound, 2);
  assert.equal(r.openFrames, 0);
  assert.ok(balanced(r));
  assert.equal(pathCounts(r)['trap;boom;leaf'], 1);
  assert.deepEqual(pathUnwound(r), { trap: 1, 'trap;boom': 1, 'trap;boom;leaf': 0 });
});

test('catch unwinds three frames to the catching frame', () => {
  const { host, exports } = load('eh', 5, ['thrower', 'middle', 'outer', 'catcher', 'run', 'escape'],
    { features: ['--enable-exceptions'], flags: [1, 1, 1, 3, 1, 1] });
  assert.equal(exports.run(42), 42);
  let r = host.results();
  assert.deepEqual(r.calls, [1, 1, 1, 1, 1, 0]);
  assert.equal(r.functions[3].flags, 3);
  assert.equal(r.enters, 5);
  assert.equal(r.exits, 2); // catcher and run; thrower, middle, outer unwound
  assert.equal(r.unwound, 3);
  assert.equal(r.maxDepth, 5);
  assert.equal(r.openFrames, 0);
  assert.equal(r.protocolErrors, 0); // catch(3, 2) found catcher at depth 2
  assert.equal(pathCounts(r)['run;catcher;outer;middle;thrower'], 1);
  assert.deepEqual(Object.values(pathUnwound(r)), [0, 0, 1, 1, 1]);

  // Uncaught: escape, outer, middle, thrower stay open until unwindAll.
  assert.throws(() => exports.escape(7), WebAssembly.Exception);
  assert.equal(host.depth(), 4);
  host.unwindAll();
  r = host.results();
  assert.equal(r.enters, 9);
  assert.equal(r.exits, 2);
  assert.equal(r.unwound, 7);
  assert.ok(balanced(r));
});

test('tail calls keep the shadow stack flat', () => {
  const { host, exports } = load('tail', 2, ['count', 'sum', 'via_table', 'sum_indirect'],
    { features: ['--enable-tail-call'] });
  // 1 + ... + 100000 = 5000050000 = 705082704 mod 2^32
  assert.equal(exports.sum(100000), 705082704);
  let r = host.results();
  assert.deepEqual(r.calls, [100001, 1, 0, 0]);
  assert.equal(r.maxDepth, 2); // sum + count, however deep the recursion
  // count's tail calls re-enter it under sum: exit before return_call.
  assert.deepEqual(pathCounts(r), { sum: 1, 'sum;count': 100001 });

  assert.equal(exports.sum_indirect(10), 55);
  r = host.results();
  assert.deepEqual(r.calls, [100012, 1, 1, 1]);
  // via_table left before count(10,0) was entered: count runs under sum_indirect.
  assert.equal(pathCounts(r)['sum_indirect;via_table'], 1);
  assert.equal(pathCounts(r)['sum_indirect;count'], 11);
  assert.equal(pathCounts(r)['sum_indirect;via_table;count'], undefined);
  assert.equal(r.enters, 100015);
  assert.equal(r.exits, 100015);
  assert.equal(r.maxDepth, 2);
  assert.equal(r.protocolErrors, 0);
});

test('every exit_T probe returns its value bit for bit', () => {
  const names = ['id_i32', 'id_i64', 'id_f32', 'id_f64', 'id_v128', 'id_funcref', 'id_externref',
    'swap', 'bits_f32', 'bits_f64', 'bits_v128'];
  const { host, exports } = load('exits', 9, names, { flags: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0] });
  assert.equal(exports.id_i32(-5), -5);
  assert.equal(exports.id_i64(-0x7fffffffffffffffn), -0x7fffffffffffffffn);
  assert.equal(exports.bits_f32(0x7fa00001), 0x7fa00001); // signalling NaN: JS would quiet it
  assert.equal(exports.bits_f32(0xffc00000 | 0), 0xffc00000 | 0);
  assert.equal(exports.bits_f64(0x7ff4000000000001n), 0x7ff4000000000001n);
  assert.deepEqual(exports.bits_v128(0x0123456789abcdefn, -2n), [0x0123456789abcdefn, -2n]);
  assert.equal(exports.id_funcref(exports.id_i32), exports.id_i32);
  assert.equal(exports.id_funcref(null), null);
  const token = { any: 'object' };
  assert.equal(exports.id_externref(token), token);
  assert.deepEqual(exports.swap(7, 9n), [9n, 7]);
  const r = host.results();
  assert.deepEqual(r.calls, [1, 1, 2, 1, 1, 2, 1, 1, 0, 0, 0]);
  assert.equal(r.enters, 10);
  assert.equal(r.exits, 10);
  assert.equal(r.protocolErrors, 0);
});

test('alloc, realloc and free accounting', () => {
  const { host, exports } = load('alloc', 5, ['site_a', 'site_b', 'main']);
  exports.main();
  const r = host.results();
  const a = r.alloc;
  // Blocks allocated: 16:100 32:50 48:200 32:60 64:10 80:5 0x80000000:8 -> 7, 433 bytes.
  assert.equal(a.allocs, 7);
  assert.equal(a.allocatedBytes, 433);
  // Freed: 16 (100, by realloc) 32 (50, by realloc) 64 (10) 32 (60) 0x80000000 (8) -> 5, 228 bytes.
  assert.equal(a.frees, 5);
  assert.equal(a.freedBytes, 228);
  assert.equal(a.reallocs, 3); // moved, in place, and from the already-freed 16
  assert.equal(a.failed, 2); // alloc(0, 7) and realloc(48, 0, 999)
  assert.equal(a.doubleFrees, 2); // free(32) again, realloc from 16 again
  assert.equal(a.unknownFrees, 1); // free(1234)
  assert.equal(a.allocsOverLive, 0);
  assert.equal(a.liveBlocks, 2); // 48:200 and 80:5
  assert.equal(a.liveBytes, 205);
  assert.equal(a.peakBytes, 270); // 100 + 50 - 100 + 200 - 50 + 60 + 10
  assert.deepEqual(a.sites.map((s) => [foldedStack(r, s.path), s.allocs, s.bytes, s.frees, s.freedBytes]), [
    ['main;site_a', 2, 150, 2, 150],
    ['main;site_b', 5, 283, 3, 78], // 200 + 60 + 10 + 5 + 8; freed 60 + 10 + 8
  ]);
});

test('probes called out of order count as protocol errors', () => {
  const module = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const host = createWprofHost(module);
  const p = host.imports.wprof;
  p.exit(3); // nothing open
  p.enter(0);
  p.catch(0, 5); // deeper than the stack
  assert.equal(p.frame(), 1);
  p.enter(1);
  assert.equal(p.frame(), 2);
  p.catch(1, 1); // cuts back to fid 0, not fid 1
  p.exit(0);
  const r = host.results();
  assert.equal(r.protocolErrors, 3);
  assert.equal(r.unwound, 1);
  assert.equal(r.exits, 1);
  assert.deepEqual(r.calls, [1, 1]);
  assert.equal(foldedStack(r, 2), 'fid 0;fid 1'); // no wprof.functions: named by id
  assert.deepEqual(r.functions, []);
});

test('refuses unknown probes and unknown ABI versions', () => {
  const badImport = new WebAssembly.Module(assemble('bad-import'));
  assert.throws(() => createWprofHost(badImport), /unknown probe wprof\.exit_i128/);
  const v4 = new WebAssembly.Module(assemble('calls', {
    section: functionsSection({ abiVersion: 4, importedFuncs: 3, names: ['a', 'b', 'c', 'd', 'e', 'f'] }),
  }));
  assert.throws(() => createWprofHost(v4), /ABI version 4 is not supported/);
});
