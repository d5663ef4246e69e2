// harness.test.mjs — tests of run-spec.mjs itself on small .wast files whose
// outcomes are counted by hand (see the comments in each file), with the
// stand-in rewriters of stand-in-rewriter.mjs. Needs wast2json ($WAST2JSON).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_SPEC = path.join(HERE, '..', 'run-spec.mjs');
const STAND_IN = path.join(HERE, 'stand-in-rewriter.mjs');

function runSpec(wast, rewriterMode) {
  const args = [RUN_SPEC, '--wast2json', process.env.WAST2JSON || 'wast2json'];
  if (rewriterMode) args.push('--rewriter', `${process.execPath} ${STAND_IN} ${rewriterMode}`);
  const child = spawnSync(process.execPath, [...args, path.join(HERE, wast)], { encoding: 'utf8' });
  const lines = child.stdout.trimEnd().split('\n');
  return { status: child.status, lines, last: lines[lines.length - 1], stderr: child.stderr };
}

// pass.wast, original: 2 modules + 13 assertions and actions on $M + 1 on the
// second module + 2 unlinkable + 1 uninstantiable + 1 invalid + 1 binary
// malformed = 21 (the text-format malformed module is not counted).
test('every assertion of pass.wast holds on the original modules', () => {
  const r = runSpec('pass.wast', null);
  assert.equal(r.last, '21 passed, 0 failed');
  assert.equal(r.status, 0);
});

// Instrumented pass: the same 21 checks, the rewriter's refusal of the
// invalid and the malformed module counted instead of validation (same
// number), plus the final probe-accounting check = 22.
test('a rewriter that keeps behaviour passes', () => {
  const r = runSpec('pass.wast', 'copy');
  assert.ok(r.lines.includes('pass.wast instrumented: 22 passed, 0 failed, 0 skipped; probes: 0 enters, 0 exits, 0 unwound; rewriter refused 0 of 5 valid modules'));
  assert.equal(r.last, '43 passed, 0 failed');
  assert.equal(r.status, 0);
});

test('a rewriter that changes behaviour fails exactly the affected assertions', () => {
  const r = runSpec('pass.wast', 'break42');
  // "answer" now returns 43, and "twice" (which imports it) 86.
  assert.deepEqual(r.lines.filter((l) => l.startsWith('FAIL')), [
    'FAIL pass.wast instrumented line 27: assert_return answer: got 0x2b, expected i32:42',
    'FAIL pass.wast instrumented line 37: assert_return twice: got 0x56, expected i32:84',
  ]);
  assert.equal(r.last, '41 passed, 2 failed');
  assert.equal(r.status, 1);
});

test('a rewriter that breaks the refusal contract fails for every module', () => {
  const r = runSpec('pass.wast', 'sloppy');
  // 5 valid modules written with exit 1, 2 invalid ones refused with two lines;
  // only the probe-accounting check remains (nothing was rewritten).
  assert.equal(r.lines.filter((l) => l.includes('but left')).length, 5);
  assert.equal(r.lines.filter((l) => l.includes('without a one-line message')).length, 2);
  assert.equal(r.last, '22 passed, 7 failed');
  assert.equal(r.status, 1);
});

test('wrong expectations are reported, NaN payloads compared bit for bit', () => {
  const r = runSpec('fail.wast', null);
  assert.deepEqual(r.lines.filter((l) => l.startsWith('FAIL')).map((l) => l.split(':')[0]), [
    'FAIL fail.wast original line 7', 'FAIL fail.wast original line 8', 'FAIL fail.wast original line 9',
    'FAIL fail.wast original line 10', 'FAIL fail.wast original line 11',
  ]);
  assert.equal(r.last, '1 passed, 5 failed');
  assert.equal(r.status, 1);
});

test('modules Node cannot compile are skipped, not passed', () => {
  const r = runSpec('memory64.wast', null);
  assert.match(r.lines[0], /^memory64\.wast original: 0 passed, 0 failed, 2 skipped \(engine: CompileError/);
  assert.equal(r.last, '0 passed, 0 failed');
  assert.equal(r.status, 77);
});

test('setup errors exit with 2 and one line', () => {
  const r = runSpec('no-such.wast', null);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^run-spec: no such file .*no-such\.wast\n$/);
});
