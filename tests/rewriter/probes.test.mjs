// Edge cases of the rewriter, run in V8 with the reference JavaScript host.
//
// Each case assembles a hand-written .wat module (cases/), instruments it
// with wasm-instrument, checks the output with wabt's wasm-validate, then runs
// the same calls on the original and on the instrumented module: results
// must be identical and the probe events must match counts worked out by
// hand (written next to each case below, with the reasoning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWprofHost } from '../../runtime-shim/js/wprof-host.mjs';
import { callsByName, pathCalls } from './results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const instrument = process.env.WASM_INSTRUMENT;
const work = mkdtempSync(join(tmpdir(), 'wprof-rewriter-'));

function build(name, flags = [], instrumentFlags = []) {
  const wasm = join(work, `${name}.wasm`);
  const out = join(work, `${name}.prof.wasm`);
  execFileSync('wat2wasm', ['--debug-names', ...flags, join(here, 'cases', `${name}.wat`), '-o', wasm]);
  execFileSync(instrument, ['-q', ...instrumentFlags, wasm, out]);
  execFileSync('wasm-validate', [...flags, out]);
  return { plain: new WebAssembly.Module(readFileSync(wasm)), probed: new WebAssembly.Module(readFileSync(out)) };
}

// Runs `calls` ([export, ...args]) on both modules; returns the host results.
function runBoth({ plain, probed }, calls, imports = {}) {
  const original = new WebAssembly.Instance(plain, imports).exports;
  const host = createWprofHost(probed);
  const rewritten = new WebAssembly.Instance(probed, { ...imports, ...host.imports }).exports;
  for (const [name, ...args] of calls) {
    const expected = original[name](...args);
    const got = rewritten[name](...args);
    assert.deepEqual(got, expected, `${name}(${args.join(', ')})`);
    assert.equal(host.depth(), 0, `${name} left frames open`);
  }
  return host.results();
}

function assertBalanced(r, enters, exits, unwound) {
  assert.equal(r.enters, enters, 'enters');
  assert.equal(r.exits, exits, 'exits');
  assert.equal(r.unwound, unwound, 'unwound frames');
  assert.equal(r.openFrames, 0);
}

test('every normal way out fires one exit', () => {
  const r = runBoth(build('exits'), [
    ['clamp', 150], ['clamp', -5], ['clamp', 7],             // return in if, return in loop, fallthrough
    ['pick', 0], ['pick', 1], ['pick', 2], ['pick', 3], ['pick', 9], // br_if 20, $a 130, func 30, default 121, 121
    ['void', 0], ['void', 1], ['void', 2],                   // return, br_if, br_if
    ['outer_ret', 150],                                      // return (call $clamp)
    ['spin', 5],
  ]);
  // clamp: 3 direct + 1 from outer_ret; pick: 5; void: 3; outer_ret: 1; spin: 1
  assert.deepEqual(callsByName(r), { clamp: 4, pick: 5, void: 3, outer_ret: 1, spin: 1 });
  assert.equal(pathCalls(r)['outer_ret;clamp'], 1, 'the callee of return (call) is nested in the caller');
  assert.equal(pathCalls(r).clamp, 3);
  assertBalanced(r, 14, 14, 0);
});

test('results of every value type pass through unchanged', () => {
  const m = build('types', ['--enable-all']);
  const token = { any: 'object' };
  const r = runBoth(m, [
    ['i32', 5], ['i64', 2n ** 40n + 3n],
    ['f32_bits', 0x7fa00001],                 // a signalling NaN keeps its payload
    ['f64_bits', 0x7ff4000000000001n],
    ['v128_lane3', 9], ['fref_is_null'], ['eref', token],
    ['multi', 0], ['multi', 1], ['multi_call', 0],
  ]);
  const rewritten = new WebAssembly.Instance(m.probed, createWprofHost(m.probed).imports).exports;
  assert.equal(rewritten.eref(token), token);
  assert.equal(rewritten.f32_bits(0x7fa00001), 0x7fa00001);
  assert.deepEqual(rewritten.multi(1), [4, 5n, 6.5]);
  assert.deepEqual(callsByName(r), {
    i32: 1, i64: 1, f32: 1, f32id: 1, f64: 1, f64id: 1, v128: 1, v128id: 1,
    fref: 1, fref_is_i32: 1, eref: 1, multi: 3, multi_call: 1,
  });
  assertBalanced(r, 15, 15, 0);
});

test('tail calls fire the exit before the callee and do not grow the stack', () => {
  const r = runBoth(build('tail', ['--enable-tail-call']), [
    ['down', 1000000],      // $down runs 1,000,001 times, 1,000,000 of them by return_call
    ['down_ind', 1000],     // once, then $down 1,000 times (999..0) through the table
    ['zero', 3], ['to_noargs'], ['caller', 1],
  ]);
  assert.deepEqual(callsByName(r), { down: 1001001, down_ind: 1, zero: 2, noargs: 2, to_noargs: 1, caller: 1 });
  const paths = pathCalls(r);
  // a tail-called function runs after its caller has left: a root path
  assert.equal(paths.noargs, 1, 'return_call $noargs is not under to_noargs');
  assert.equal(paths['to_noargs;noargs'], undefined);
  // an operand of a tail call runs before the caller leaves
  assert.equal(paths['caller;noargs'], 1);
  assert.equal(paths.zero, 2);
  assert.equal(paths['down;down'], undefined, 'tail recursion stays flat');
  assertBalanced(r, 1001008, 1001008, 0);
});

test('exceptions: catch probes close the unwound frames', () => {
  const r = runBoth(build('eh', ['--enable-exceptions']), [
    ['catcher', 5],    // catcher>inner>middle>thrower; 3 frames unwound; 1005
    ['catch_all', 5],  // catch_all>rethrower>thrower; thrower unwound at the catch_all, rethrower at the outer; 77
    ['delegating', 3], // delegating>middle>thrower; 2 unwound; 3
    ['catcher2', 2],   // catcher2(2)>catcher2(1)>catcher2(0)>inner>middle>thrower; catcher2(1) catches; 4 unwound; 5
  ]);
  assert.deepEqual(callsByName(r), {
    catcher: 1, inner: 2, middle: 3, thrower: 4, rethrower: 1, catch_all: 1, delegating: 1, catcher2: 3,
  });
  // exits: catcher, catch_all, delegating, catcher2(1), catcher2(2)
  assertBalanced(r, 16, 5, 11);
});

test('--count-leaves: tiny leaves are counted by one probe, without a frame', () => {
  const m = build('leaves', [], ['--count-leaves']);
  const r = runBoth(m, [
    ['inc', 1], ['inc', 2], ['inc', 3],      // inc 3 at the root
    ['twice', 5], ['twice', 6],              // twice 2, each counting inc twice under it: twice;inc 4
    ['clamp_leaf', 500], ['clamp_leaf', 7],  // counted: a branch is not a loop
    ['sum_to', 10], ['long', 1],             // framed: a loop; 70 instructions
  ]);
  assert.deepEqual(callsByName(r), { inc: 7, twice: 2, clamp_leaf: 2, sum_to: 1, long: 1 });
  assert.equal(pathCalls(r)['twice;inc'], 4);
  assert.equal(pathCalls(r).inc, 3);
  const imports = WebAssembly.Module.imports(m.probed).filter((i) => i.module === 'wprof').map((i) => i.name).sort();
  assert.deepEqual(imports, ['count', 'enter', 'exit_i32']);
  // the reference host serves a count as an enter and its exit: 13 of each
  assertBalanced(r, 13, 13, 0);
});

test('allocators report each allocation once, from the outermost allocator', () => {
  const r = runBoth(build('alloc', [], ['--alloc', 'my_pool_get=malloc']), [['work']]);
  // allocations: malloc 10, calloc 12, realloc 100, posix_memalign 40,
  // __rust_alloc 24, _Znwm 8, my_pool_get 64 = 7 blocks, 258 bytes;
  // frees: realloc's old 10, free 12, _ZdlPv 8 = 3 blocks, 30 bytes; free(NULL) is no block
  assert.equal(r.alloc.allocatedBytes, 258);
  assert.equal(r.alloc.freedBytes, 30);
  assert.equal(r.alloc.liveBytes, 228);
  assert.equal(r.alloc.liveBlocks, 4);
  assert.equal(r.alloc.unknownFrees, 0);
  assert.equal(r.alloc.doubleFrees, 0);
  const kinds = Object.fromEntries(r.functions.filter((f) => f.allocator !== 'none').map((f) => [f.name, f.allocator]));
  assert.deepEqual(kinds, {
    malloc: 'malloc', free: 'free', calloc: 'calloc', realloc: 'realloc', posix_memalign: 'posix_memalign',
    __rust_alloc: 'malloc', __rust_dealloc: 'free', __rust_realloc: 'rust_realloc', _Znwm: 'malloc',
    _ZdlPv: 'free', my_pool_get: 'malloc',
  });
  // every path through an allocator still counts its calls
  assert.equal(callsByName(r).malloc, 7);
  assert.equal(callsByName(r).free, 4);
});
