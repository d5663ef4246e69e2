#!/usr/bin/env node
// ruby-driver.mjs — runs a Ruby program in ruby.wasm (@ruby/3.3-wasm-wasi, a
// WASI reactor with an old wit-bindgen canonical ABI) under Node, plain or
// rewritten by wasm-instrument, so real-modules.sh can compare the two.
//
//   node ruby-driver.mjs [--json OUT.json] RUBY.wasm 'RUBY PROGRAM'
//
// Ruby's own stdout and stderr go to this process's (through node:wasi).
// When the module imports probes from "wprof", the reference JS host
// (runtime-shim/js/wprof-host.mjs) serves them and --json writes its results.
// The JS interop imports (rb-js-abi-host.*, canonical_abi.*) throw if called,
// except the two resource functions rb-eval-string-protect needs to hand back
// its result handle. Exit status: 0 when the program ran without a Ruby
// exception, 1 when it raised or the driver failed, 2 on a usage error.

import fs from 'node:fs';
import process from 'node:process';
import { createWprofHost } from '../../runtime-shim/js/wprof-host.mjs';

function fail(code, message) {
  process.stderr.write(`ruby-driver: ${message}\n`);
  process.exit(code);
}

const argv = process.argv.slice(2);
let jsonPath = null;
if (argv[0] === '--json') { jsonPath = argv[1]; argv.splice(0, 2); }
if (argv.length !== 2 || !jsonPath && argv[0]?.startsWith('--')) {
  fail(2, "usage: ruby-driver.mjs [--json OUT.json] RUBY.wasm 'RUBY PROGRAM'");
}
const [modulePath, program] = argv;

// node:wasi announces itself as experimental on stderr, which belongs to Ruby.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (!String(warning?.message ?? warning).includes('WASI')) emitWarning.call(process, warning, ...rest);
};
const { WASI } = await import('node:wasi');

const module = await WebAssembly.compile(fs.readFileSync(modulePath));
const wasi = new WASI({ version: 'preview1', args: ['ruby'], env: {}, preopens: {} });

// The rb-abi-value resource table: handles are indices into `resources`.
const resources = [];
const implemented = {
  canonical_abi: {
    'resource_new_rb-abi-value': (raw) => resources.push(raw) - 1,
    'resource_get_rb-abi-value': (handle) => {
      if (!(handle in resources)) throw new Error(`unknown rb-abi-value handle ${handle}`);
      return resources[handle];
    },
  },
  wasi_snapshot_preview1: wasi.wasiImport,
};
const host = WebAssembly.Module.imports(module).some((i) => i.module === 'wprof')
  ? createWprofHost(module) : null;
const imports = { ...(host ? host.imports : {}) };
for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
  if (from === 'wprof' || kind !== 'function') continue;
  imports[from] ??= {};
  imports[from][name] = implemented[from]?.[name]
    ?? (() => { throw new Error(`ruby.wasm called the unprovided import ${from}.${name}`); });
}
const instance = await WebAssembly.instantiate(module, imports);
const exports = instance.exports;
const exportNamed = (prefix) => {
  const name = Object.keys(exports).find((n) => n === prefix || n.startsWith(`${prefix}: `));
  if (!name) fail(1, `${modulePath} exports no ${prefix}`);
  return exports[name];
};
const realloc = exportNamed('cabi_realloc');
const memory = () => new DataView(exports.memory.buffer);

// Canonical ABI lowering of a string: UTF-8 bytes in guest memory, as (ptr, len).
function lowerString(text) {
  const bytes = new TextEncoder().encode(text);
  const ptr = realloc(0, 0, 1, bytes.length);
  new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
  return [ptr, bytes.length];
}

// A list<string>: an array of (ptr, len) pairs of i32, 4-aligned.
function lowerStringList(texts) {
  const base = realloc(0, 0, 4, texts.length * 8);
  texts.forEach((text, i) => {
    const [ptr, len] = lowerString(text);
    memory().setInt32(base + i * 8, ptr, true);
    memory().setInt32(base + i * 8 + 4, len, true);
  });
  return [base, texts.length];
}

// rb-eval-string-protect(str) -> tuple<handle, s32>; returns the s32, the
// rb_eval_string_protect state (0: no exception).
function evaluate(code) {
  const resultArea = exportNamed('rb-eval-string-protect')(...lowerString(`${code}\0`));
  return memory().getInt32(resultArea + 4, true);
}

let status;
try {
  wasi.initialize(instance); // calls _initialize
  // As the npm package's own RubyVM does: C strings (NUL included), and a
  // script given by -e so ruby_options() does not read one from stdin;
  // --disable-all since this ruby.wasm has no standard library to load gems from.
  const args = ['ruby', '--disable-all', '-EUTF-8', '-e_=0'];
  exportNamed('ruby-init')(...lowerStringList(args.map((a) => `${a}\0`)));
  status = evaluate(program);
  // $stdout is not a tty, so Ruby buffers it until exit, which a reactor never reaches
  if (evaluate('$stdout.flush; $stderr.flush') !== 0) fail(1, 'cannot flush Ruby\'s $stdout');
} finally {
  if (host) {
    host.unwindAll();
    if (jsonPath) fs.writeFileSync(jsonPath, host.dump() + '\n');
  }
}
if (status !== 0) fail(1, `the Ruby program raised (rb_eval_string_protect state ${status})`);
