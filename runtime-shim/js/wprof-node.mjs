#!/usr/bin/env node
// wprof-node.mjs — runs a WASI (preview1) command module, usually one
// rewritten by wasm-instrument, under Node with the probes of wprof-host.mjs,
// and writes the exact counts as JSON (the object of host.results()).
//
//   node wprof-node.mjs [--json OUT.json] MODULE.wasm [ARGS...]
//
// The guest gets ARGS (argv[0] is MODULE.wasm), the environment, stdio, and
// the current directory preopened as ".". Exit status (codes of wprof's one
// table, utils/exit-codes.h; tests/cli/exit-codes.py checks EXIT against it):
//   the guest's own exit code   when it returns from _start or calls proc_exit
//   134                         when it traps, exhausts the stack or throws an
//                               uncaught wasm exception (128 + SIGABRT, like wasmtime)
//   64                          usage error
//   65                          the module does not compile (not wasm, invalid)
//   66                          the module cannot be read
//   69                          it cannot be instantiated (an import Node or the
//                               probes do not provide, a bad wprof.functions section)
//   73                          the JSON cannot be written
// The JSON is written (temp file + rename) in every case where the guest ran,
// including traps: the counts up to the trap are exact.

import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { createWprofHost } from './wprof-host.mjs';

const EXIT = { USAGE: 64, DATA: 65, NO_INPUT: 66, UNSUPPORTED: 69, CANT_CREATE: 73, TRAP: 134 };

function fail(code, message) {
  process.stderr.write(`wprof-node: ${message}\n`);
  process.exit(code);
}

function parseArguments(argv) {
  let jsonPath = null;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('--'); i++) {
    if (argv[i] === '--json' && i + 1 < argv.length) jsonPath = argv[++i];
    else if (argv[i] === '--') { i++; break; }
    else fail(EXIT.USAGE, `unknown option ${argv[i]} (usage: wprof-node.mjs [--json OUT.json] MODULE.wasm [ARGS...])`);
  }
  if (i >= argv.length) fail(EXIT.USAGE, 'usage: wprof-node.mjs [--json OUT.json] MODULE.wasm [ARGS...]');
  return { jsonPath, modulePath: argv[i], guestArgs: argv.slice(i + 1) };
}

// node:wasi announces itself as experimental on stderr, which belongs to the guest.
function silenceWasiWarning() {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const text = String(warning?.message ?? warning);
    if (text.includes('WASI')) return;
    emitWarning.call(process, warning, ...rest);
  };
}

function writeFileAtomically(file, text) {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    fail(EXIT.CANT_CREATE, `cannot write ${file}: ${error.message}`);
  }
}

const { jsonPath, modulePath, guestArgs } = parseArguments(process.argv.slice(2));
silenceWasiWarning();
const { WASI } = await import('node:wasi');

let bytes, module;
try {
  bytes = fs.readFileSync(modulePath);
} catch (error) {
  fail(EXIT.NO_INPUT, `cannot load ${modulePath}: ${error.message}`);
}
try {
  module = await WebAssembly.compile(bytes);
} catch (error) {
  fail(EXIT.DATA, `cannot load ${modulePath}: ${error.message}`);
}

let host, instance;
const wasi = new WASI({
  version: 'preview1',
  args: [modulePath, ...guestArgs],
  env: process.env,
  preopens: { '.': process.cwd() },
  returnOnExit: true,
});
try {
  host = createWprofHost(module);
  instance = await WebAssembly.instantiate(module,
    { ...host.imports, wasi_snapshot_preview1: wasi.wasiImport });
  host.attach(instance);
} catch (error) {
  fail(EXIT.UNSUPPORTED, `cannot instantiate ${modulePath}: ${error.message}`);
}

let exitCode;
try {
  exitCode = wasi.start(instance) ?? 0;
} catch (error) {
  const what = error instanceof RangeError ? 'call stack exhausted'
    : error instanceof WebAssembly.RuntimeError ? `trap: ${error.message}`
    : error instanceof WebAssembly.Exception ? 'uncaught wasm exception'
    : `error: ${error.message}`;
  process.stderr.write(`wprof-node: ${modulePath}: ${what}\n`);
  exitCode = EXIT.TRAP;
}
host.unwindAll(); // a trap or proc_exit leaves frames open

if (jsonPath) writeFileAtomically(jsonPath, host.dump() + '\n');
process.exitCode = exitCode;
