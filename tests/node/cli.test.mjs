// cli.test.mjs — tests of runtime-shim/js/wprof-node.mjs: stdio pass-through,
// exit codes (guest code, 134 on trap, and the codes of utils/exit-codes.h:
// 64 bad usage, 65 a module that does not compile, 66 an unreadable one, 69 one
// that cannot be instantiated, 73 an unwritable JSON)
// and the JSON counts, on hand-instrumented WASI commands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assemble, functionsSection, HERE } from './assemble.mjs';

const CLI = path.join(HERE, '../../runtime-shim/js/wprof-node.mjs');

function withTempDir(body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-cli-test-'));
  try { return body(dir); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

function run(args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

test('runs a WASI command, passes stdout and the exit code through, writes counts', () => withTempDir((dir) => {
  const wasm = path.join(dir, 'hello.wasm');
  fs.writeFileSync(wasm, assemble('wasi-hello', {
    section: functionsSection({ importedFuncs: 4, names: ['say', '_start'] }),
  }));
  const json = path.join(dir, 'out.json');
  const child = run(['--json', json, wasm, 'ignored-arg']);
  assert.equal(child.stdout, 'hello\nhello\n');
  assert.equal(child.stderr, '');
  assert.equal(child.status, 3);
  const r = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.deepEqual(r.functions.map((f) => f.name), ['say', '_start']);
  assert.deepEqual(r.calls, [2, 1]);
  assert.equal(r.enters, 3);
  assert.equal(r.exits, 2);
  assert.equal(r.unwound, 1); // _start was open when proc_exit ended the run
  assert.equal(r.openFrames, 0);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['hello.wasm', 'out.json']);
}));

test('a trap exits with 134 and still writes the counts', () => withTempDir((dir) => {
  const wasm = path.join(dir, 'trap.wasm');
  fs.writeFileSync(wasm, assemble('wasi-trap', {
    section: functionsSection({ importedFuncs: 2, names: ['leaf', 'fail', '_start'] }),
  }));
  const json = path.join(dir, 'out.json');
  const child = run(['--json', json, wasm]);
  assert.equal(child.status, 134);
  assert.match(child.stderr, /^wprof-node: .*trap\.wasm: trap: unreachable\n$/);
  const r = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.deepEqual(r.calls, [1, 1, 1]);
  assert.equal(r.exits, 1);
  assert.equal(r.unwound, 2);
}));

test('bad input: usage 64, invalid module 65, unreadable 66, not instantiable 69, no output file', () => withTempDir((dir) => {
  const json = path.join(dir, 'out.json');
  let child = run([]);
  assert.equal(child.status, 64);
  assert.match(child.stderr, /^wprof-node: usage: /);
  child = run(['--frobnicate', 'x.wasm']);
  assert.equal(child.status, 64);

  child = run(['--json', json, path.join(dir, 'missing.wasm')]);
  assert.equal(child.status, 66);
  assert.match(child.stderr, /^wprof-node: cannot load .*missing\.wasm: /);

  const garbage = path.join(dir, 'garbage.wasm');
  fs.writeFileSync(garbage, 'not wasm');
  child = run(['--json', json, garbage]);
  assert.equal(child.status, 65);
  assert.equal(child.stderr.split('\n').length, 2); // one line

  const badImport = path.join(dir, 'bad-import.wasm');
  fs.writeFileSync(badImport, assemble('bad-import'));
  child = run(['--json', json, badImport]);
  assert.equal(child.status, 69);
  assert.match(child.stderr, /^wprof-node: cannot instantiate .*bad-import\.wasm: .*unknown probe wprof\.exit_i128/);
  assert.equal(fs.existsSync(json), false);
}));

test('a JSON that cannot be written exits 73 after the guest ran', () => withTempDir((dir) => {
  const wasm = path.join(dir, 'hello.wasm');
  fs.writeFileSync(wasm, assemble('wasi-hello', {
    section: functionsSection({ importedFuncs: 4, names: ['say', '_start'] }),
  }));
  const child = run(['--json', path.join(dir, 'no', 'such', 'dir', 'out.json'), wasm]);
  assert.equal(child.stdout, 'hello\nhello\n');
  assert.equal(child.status, 73);
  assert.match(child.stderr, /^wprof-node: cannot write .*out\.json: /);
}));
