// The probe ABI is written down once for C (abi/wprof-abi.h) and once for
// JavaScript (runtime-shim/js/wprof-host.mjs); this test reads the header and
// docs/probe-abi.md and checks that the JavaScript host says the same, and
// that the Node engine's wasm recorder serves probes of the header's types.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import * as host from '../../runtime-shim/js/wprof-host.mjs';

const top = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const header = fs.readFileSync(path.join(top, 'abi', 'wprof-abi.h'), 'utf8');

// The value of `#define NAME value` (a number, or a string literal).
function define(name) {
  const match = header.match(new RegExp(`^#define ${name} +("[^"]*"|0x[0-9a-fA-F]+u?|[0-9]+)`, 'm'));
  assert.ok(match, `${name} is defined in wprof-abi.h`);
  return match[1].startsWith('"') ? JSON.parse(match[1]) : Number.parseInt(match[1], match[1].startsWith('0x') ? 16 : 10);
}

test('versions and names', () => {
  assert.equal(host.WPROF_ABI_VERSION, define('WPROF_ABI_VERSION'));
  assert.equal(host.WPROF_ABI_VERSION_MIN, define('WPROF_ABI_VERSION_MIN'));
  assert.equal(host.WPROF_ABI_IMPORT_MODULE, define('WPROF_ABI_IMPORT_MODULE'));
  assert.equal(host.WPROF_ABI_FUNCTIONS_SECTION, define('WPROF_ABI_FUNCTIONS_SECTION'));
  assert.equal(host.WPROF_ABI_SOURCES_SECTION, define('WPROF_ABI_SOURCES_SECTION'));
  assert.equal(host.WPROF_ABI_COST_EXPORT, define('WPROF_ABI_COST_EXPORT'));
});

test('flag bits and allocator kinds', () => {
  assert.equal(host.FLAG_ENTER_EXIT, define('WPROF_ABI_FLAG_COUNTED'));
  assert.equal(host.FLAG_CATCH, define('WPROF_ABI_FLAG_CATCH'));
  assert.equal(host.FLAG_FRAMELESS, define('WPROF_ABI_FLAG_FRAMELESS'));
  const kinds = ['none'];
  for (const [, number, name] of header.matchAll(/X\([A-Z_]+, (\d+), "([a-z_]+)"\)/g)) kinds[Number(number)] = name;
  assert.equal(kinds.length, define('WPROF_ABI_ALLOC_KIND_COUNT'));
  assert.deepEqual(host.ALLOCATOR_KINDS, kinds);
});

// The probes of the header: name -> [params, results], each a list of wasm types.
const probeTypes = Object.fromEntries([...header.matchAll(/X\(([a-z0-9_]+), "([a-z0-9 ]*)", "([a-z0-9 ]*)"\)/g)]
  .map(([, name, params, results]) => [name, [params.split(' ').filter(Boolean), results.split(' ').filter(Boolean)]]));

test('the probes are those of the header and of docs/probe-abi.md, with their types', () => {
  const listed = Object.fromEntries(Object.entries(probeTypes)
    .map(([name, [params, results]]) => [name, `(${params.join(' ')}) -> (${results.join(' ')})`]));
  assert.deepEqual([...host.PROBE_NAMES].sort(), Object.keys(listed).sort());
  const doc = fs.readFileSync(path.join(top, 'docs', 'probe-abi.md'), 'utf8');
  // rows like | `exit_i32` | `(i32 fid, i32 v) -> i32` |: each parameter's type is its first word
  const documented = Object.fromEntries([...doc.matchAll(/^\| `([a-z0-9_]+)` \| `\(([^)]*)\) -> ([^`]*)`/gm)]
    .map(([, name, params, results]) => [name, `(${params.split(', ').filter(Boolean).map((p) => p.split(' ')[0]).join(' ')})`
      + ` -> (${results.replace(/^\(|\)$/g, '')})`]));
  assert.deepEqual(documented, listed);
});

// The wasm recorder of the Node engine (runtime-shim/wasm-recorder), both
// its builds, from the build's runtime-shim/node ($WPROF_NODE_DIR, set when
// the Node engine is built): the probes it serves, and a module importing
// them with the header's types links to its exports.
const nodeDir = process.env.WPROF_NODE_DIR;
test("the wasm recorder's probes have the header's types", { skip: !nodeDir && 'the Node engine is not built' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-abi-test-'));
  try {
    for (const file of ['wprof-recorder.wasm', 'wprof-recorder-cost.wasm']) {
      const module = new WebAssembly.Module(fs.readFileSync(path.join(nodeDir, file)));
      const served = WebAssembly.Module.exports(module).map((e) => e.name).filter((name) => name in probeTypes).sort();
      assert.deepEqual(served, ['catch', 'count', 'enter', 'exit', 'exit_f32', 'exit_f64', 'exit_i32', 'exit_i64', 'frame'], file);
      const recorder = new WebAssembly.Instance(module, { host: { stopped() {}, grown() {}, cost: () => 0n } }).exports;
      recorder.init();
      const list = (kind, types) => (types.length ? `(${kind} ${types.join(' ')})` : '');
      const wat = `(module ${served.map((name) =>
        `(import "wprof" "${name}" (func ${list('param', probeTypes[name][0])} ${list('result', probeTypes[name][1])}))`).join('\n')})`;
      fs.writeFileSync(path.join(dir, 'guest.wat'), wat);
      execFileSync(process.env.WAT2WASM || 'wat2wasm', [path.join(dir, 'guest.wat'), '-o', path.join(dir, 'guest.wasm')]);
      new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(path.join(dir, 'guest.wasm'))), { wprof: recorder });
      assert.equal(recorder.exit_i32(5, 7), 7, `${file}: exit_i32 hands its value back`);
      assert.equal(recorder.exit_i64(5, -(2n ** 63n)), -(2n ** 63n), `${file}: exit_i64 hands its value back`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
