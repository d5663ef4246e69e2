#!/usr/bin/env node
// wprof-run-node.mjs — the Node engine of `wprof run --engine node`: runs a
// WASI (preview1) command module under node:wasi with the probes of the
// wprof_node.node addon (libwprof), and writes the same database as the
// wasm2c engine. `wprof run` checks the command line and the module's
// header, then execs
//
//   node wprof-run-node.mjs [--output DB] [--timing sampled|exact|none]
//        [--sample-interval NS] [--trace] [--deterministic] [--quiet] [--dir HOST[:GUEST]]...
//        [--env KEY=VALUE]... MODULE.wasm [--] [ARGS...]
//
// (the addon and wprof-host.mjs sit beside this file, in the build tree's
// runtime-shim/node). Its errors, the lines it prints and its exit codes are
// those of `wprof run` (utils/exit-codes.h): the guest's exit code, 134 for a
// trap, 130/143/129 for SIGINT/SIGTERM/SIGHUP (the database written), 65 a
// module V8 does not compile, 69 an import nothing provides or no _start, 73
// a database that cannot be opened or written. The exit_T probes are the
// trampolines of wprof-host.mjs, so f32/f64/v128 results never pass through
// JavaScript.

import fs from 'node:fs';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { deterministicWasi } from './wprof-deterministic.mjs';
import { PROBE_NAMES, WPROF_ABI_IMPORT_MODULE } from './wprof-host.mjs';
import { addon, endRun, EXIT, guardInstance, isTrap, recorderProbes, SIGNAL_EXIT, STATUS, stopSignalName, TIMING, trapMessage } from './wprof-node-recorder.mjs';

function fail(code, what, message) {
  process.stderr.write(`wprof run: ${what}: ${message}\n`);
  process.exit(code);
}

const { values: opts, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        output: { type: 'string', default: 'wprof.db' },
        timing: { type: 'string', default: 'sampled' },
        'sample-interval': { type: 'string', default: '0' },
        trace: { type: 'boolean', default: false },
        deterministic: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        dir: { type: 'string', multiple: true, default: [] },
        env: { type: 'string', multiple: true, default: [] },
      },
    });
  } catch (error) {
    return fail(EXIT.USAGE, 'wprof-run-node.mjs', error.message);
  }
})();
if (positionals.length === 0 || !(opts.timing in TIMING)) fail(EXIT.USAGE, 'wprof-run-node.mjs', 'usage: see its header');
const [modulePath, ...guestArgs] = positionals;

// node:wasi announces itself as experimental on stderr, which belongs to the guest.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (!String(warning?.message ?? warning).includes('WASI')) emitWarning.call(process, warning, ...rest);
};
const { WASI } = await import('node:wasi');

const bytes = fs.readFileSync(modulePath);
let module;
try {
  module = new WebAssembly.Module(bytes);
} catch (error) {
  fail(EXIT.DATA, modulePath, `not a valid module: ${error.message}`);
}
for (const imp of WebAssembly.Module.imports(module)) {
  const provided = imp.kind === 'function' &&
    ((imp.module === WPROF_ABI_IMPORT_MODULE && PROBE_NAMES.includes(imp.name)) || imp.module === 'wasi_snapshot_preview1');
  if (!provided) fail(EXIT.UNSUPPORTED, modulePath, `imports ${imp.module}.${imp.name}, which wprof run does not provide`);
}
const exports = WebAssembly.Module.exports(module);
if (!exports.some((e) => e.name === '_start' && e.kind === 'function'))
  fail(EXIT.UNSUPPORTED, modulePath, 'has no _start export (not a WASI command)');

const preopens = {};
for (const dir of opts.dir) {
  const colon = dir.indexOf(':');
  preopens[colon < 0 ? dir : dir.slice(colon + 1)] = colon < 0 ? dir : dir.slice(0, colon);
}
const wasi = new WASI({
  version: 'preview1',
  args: [modulePath, ...guestArgs],
  env: Object.fromEntries(opts.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  preopens,
  returnOnExit: true,
});

const openError = addon.open(opts.output, modulePath, bytes, [modulePath, ...guestArgs], TIMING[opts.timing],
  Number(opts['sample-interval']), opts.deterministic, opts.trace);
if (openError !== null) fail(EXIT.CANT_CREATE, opts.output, openError);

const { probes, bind } = recorderProbes(module, { timing: opts.timing, trace: opts.trace });

let instance, guest;
try {
  const wasiImport = opts.deterministic ? deterministicWasi(wasi.wasiImport, () => instance.exports.memory) : wasi.wasiImport;
  const imports = { [WPROF_ABI_IMPORT_MODULE]: probes, wasi_snapshot_preview1: wasiImport };
  instance = new WebAssembly.Instance(module, imports);
  guest = guardInstance(module, instance, imports); // _start ended by proc_exit or a trap: its frames unwound
} catch (error) {
  addon.close();
  fail(EXIT.UNSUPPORTED, modulePath, `cannot instantiate: ${error.message}`);
}

bind(instance);

// The guest, to its end: its exit code, a trap, or an interruption.
let status = STATUS.exited, exitCode = 0, message = null;
const samplingError = addon.samplingStart();
if (samplingError !== null) {
  addon.close();
  fail(EXIT.INTERNAL, modulePath, samplingError);
}
try {
  // node:wasi wants a memory export even from a guest that has none (and so never passes a pointer)
  const withMemory = instance.exports.memory instanceof WebAssembly.Memory ? guest
    : { exports: { ...guest.exports, memory: new WebAssembly.Memory({ initial: 0 }) } };
  exitCode = wasi.start(withMemory) ?? 0;
} catch (error) {
  if (addon.stopSignal() !== 0) {
    status = STATUS.interrupted;
  } else if (isTrap(error)) {
    status = STATUS.trapped;
    message = trapMessage(error);
  } else {
    addon.samplingStop();
    addon.close();
    fail(EXIT.INTERNAL, modulePath, `cannot run: ${error.message}`);
  }
}
const signal = stopSignalName();
if (status === STATUS.interrupted) message = signal;
const finishError = endRun({ status, exitCode, message, quiet: opts.quiet, output: opts.output });
if (finishError !== null) fail(EXIT.CANT_CREATE, opts.output, finishError);
process.exit(status === STATUS.exited ? exitCode & 0xff : status === STATUS.trapped ? EXIT.TRAP : SIGNAL_EXIT[signal]);
