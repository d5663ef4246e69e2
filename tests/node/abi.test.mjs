// The probe ABI is written down once for C (abi/wprof-abi.h) and once for
// JavaScript (runtime-shim/js/wprof-host.mjs); this test reads the header and
// docs/probe-abi.md and checks that the JavaScript host says the same.
import assert from 'node:assert/strict';
import fs from 'node:fs';
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

test('the probes are those of docs/probe-abi.md and of the wasm2c host', () => {
  const doc = fs.readFileSync(path.join(top, 'docs', 'probe-abi.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([a-z0-9_]+)` \| `\(/gm)].map((m) => m[1]);
  assert.deepEqual([...host.PROBE_NAMES].sort(), [...documented].sort());
  // wasm2c 1.0.32 translates no v128, so its host provides every probe but exit_v128
  const glue = fs.readFileSync(path.join(top, 'runtime-shim', 'host', 'module-build.c'), 'utf8');
  const table = glue.slice(glue.indexOf('probes[] = {'), glue.indexOf('{NULL, NULL, NULL}'));
  const wasm2c = [...table.matchAll(/\{"([a-z0-9_]+)",/g)].map((m) => m[1]);
  assert.deepEqual([...wasm2c, 'exit_v128'].sort(), [...host.PROBE_NAMES].sort());
});
