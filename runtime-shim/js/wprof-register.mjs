// wprof-register.mjs — profiles an unchanged JavaScript application:
//
//   node --import /path/to/build/runtime-shim/node/wprof-register.mjs app.js
//
// (the copy CMake puts beside the addon wprof_node.node; the source file
// alone does not find the addon). It wraps WebAssembly.compile,
// compileStreaming, instantiate, instantiateStreaming, Module and Instance so
// that every module importing `wprof` (rewritten by wasm-instrument) gets the
// probes of the addon (libwprof), whatever way the application's own glue
// (Emscripten, wasm-bindgen, hand-written) loads it; other modules are left
// alone. When the process ends (the event loop empty, process.exit(), an
// uncaught exception, SIGINT/SIGTERM/SIGHUP) it writes the database
// `wprof run` writes to $WPROF_OUTPUT (default wprof.db in the directory the
// process started in).
//
// One recorder per process: the first instrumented module instantiated names
// the run (run.module_path: the .wasm file it was read from when the
// application read it with fs, a fetched Response's URL, else "(bytes)").
// Further instances of that same module (the same bytes) add to its counts;
// another instrumented module, or a second instance of a `--cost` module, runs
// with probes that record nothing, and a warning says so. The application
// gets the recorded module's instances guarded (guardInstance of
// wprof-node-recorder.mjs): a call into the guest that ends by a throw
// closes the frames it leaves.
//
// Environment: WPROF_OUTPUT (the database), WPROF_TIMING (sampled, the
// default; exact; none), WPROF_SAMPLE_INTERVAL (ns), WPROF_TRACE=1,
// WPROF_QUIET=1 (no summary, trap or interruption line).
// Exit codes (utils/exit-codes.h): the application's own, except 65 for a
// module wprof cannot read (an unknown probe ABI version), 73 for a database
// that cannot be created, 130/143/129 when a stop signal ended the run.

import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { exitTrampolines, readFunctionTable } from './wprof-host.mjs';
import {
  addon, endRun, EXIT, guardInstance, importsProbes, intoGuest, intoGuestLater, isTrap, countsInstructions,
  recorderProbes, SIGNAL_EXIT, STATUS, stopSignalName, TIMING, trapMessage,
} from './wprof-node-recorder.mjs';

const output = path.resolve(process.env.WPROF_OUTPUT || 'wprof.db');
const timing = process.env.WPROF_TIMING || 'sampled';
const quiet = process.env.WPROF_QUIET === '1';
const trace = process.env.WPROF_TRACE === '1';
const say = (line) => process.stderr.write(`wprof: ${line}\n`);
if (!(timing in TIMING)) {
  say(`WPROF_TIMING=${timing}: expected sampled, exact or none`);
  process.exit(EXIT.USAGE);
}

const original = {
  compile: WebAssembly.compile, compileStreaming: WebAssembly.compileStreaming,
  instantiate: WebAssembly.instantiate, instantiateStreaming: WebAssembly.instantiateStreaming,
  Module: WebAssembly.Module, Instance: WebAssembly.Instance,
};

// ---- the bytes and file of every module compiled ----

const sources = new WeakMap(); // WebAssembly.Module -> { bytes, name }
const wasmFiles = new WeakMap(); // ArrayBuffer of a .wasm file read with fs -> its path

function rememberFile(file, data) {
  const name = file instanceof URL ? file.pathname : String(file);
  if (name.endsWith('.wasm') && data?.buffer instanceof ArrayBuffer) wasmFiles.set(data.buffer, name);
  return data;
}
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) { return rememberFile(file, readFileSync.call(this, file, ...rest)); };
const readFile = fs.promises.readFile;
fs.promises.readFile = async function (file, ...rest) { return rememberFile(file, await readFile.call(this, file, ...rest)); };

// A copy of the bytes a module is compiled from (the application may reuse its buffer).
function bytesOf(source) {
  const view = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
  return { bytes: view.slice(), name: wasmFiles.get(view.buffer) ?? '(bytes)' };
}

function remember(module, source) {
  if (!internal && importsProbes(module)) sources.set(module, source);
  return module;
}

// ---- the run: one recorder per process ----

let run = null; // { module, bytes, name, probes, bind, counted, bound }
let instrumentedSeen = 0; // modules with wprof imports instantiated (run or not)
let modulesSeen = 0; // all modules instantiated
let ended = false;
const warned = new WeakSet();

// wprof-host.mjs builds its trampolines with WebAssembly.Module and
// Instance too (and the exit trampolines import wprof.exit): those are ours,
// not the application's.
let internal = 0;
function ourOwn(build) {
  internal++;
  try {
    return build();
  } finally {
    internal--;
  }
}

function deafProbes() {
  const nothing = () => {};
  return { enter: nothing, exit: nothing, count: nothing, frame: () => 0, catch: nothing, alloc: nothing,
    realloc: nothing, free: nothing, ...ourOwn(() => exitTrampolines(nothing)) };
}

function notProfiled(module, why) {
  if (!warned.has(module)) say(`an instance of an instrumented module is not profiled (${why}): one recorder per process`);
  warned.add(module);
  return deafProbes();
}

const sameBytes = (a, b) => a.length === b.length && Buffer.compare(a, b) === 0;

// The `wprof` imports for an instance of `module`, the recorder opened by the
// first; null when the module imports none.
function probesFor(module) {
  modulesSeen++;
  if (!importsProbes(module)) return null;
  instrumentedSeen++;
  const source = sources.get(module);
  if (run) {
    if (run.module !== module && !(source && sameBytes(source.bytes, run.bytes)))
      return notProfiled(module, `this process records ${run.name}`);
    if (run.counted) return notProfiled(module, `another instance of the --cost module ${run.name}`);
    return run.probes;
  }
  if (!source) return notProfiled(module, 'its bytes were not seen: it was compiled before wprof-register.mjs ran');
  const openError = addon.open(output, source.name, source.bytes, process.argv, TIMING[timing],
    Number(process.env.WPROF_SAMPLE_INTERVAL || 0), false, trace);
  if (openError !== null) {
    // libwprof's words; the exit code tells a module wprof cannot read from a database it cannot create
    const unreadable = (() => {
      try {
        readFunctionTable(module);
        return false;
      } catch {
        return true;
      }
    })();
    say(`${unreadable ? source.name : output}: ${openError}`);
    ended = true;
    process.exit(unreadable ? EXIT.DATA : EXIT.CANT_CREATE);
  }
  const { probes, bind } = ourOwn(() => recorderProbes(module, { timing, trace }));
  run = { module, bytes: source.bytes, name: source.name, probes, bind, counted: countsInstructions(module), bound: false };
  const samplingError = addon.samplingStart();
  if (samplingError !== null) say(`no samples: ${samplingError}`);
  // an idle application (waiting in the event loop) sees a stop signal here;
  // a busy one through the enter probe, which throws
  setInterval(() => { if (addon.stopSignal() !== 0) interrupted(); }, 50).unref();
  return probes;
}

// The imports of an instance of `module`, and whether it is recorded (it
// gets the run's probes).
function withProbes(module, imports) {
  if (internal) return { imports, recorded: false };
  const probes = probesFor(module);
  return { imports: probes ? { ...imports, wprof: probes } : imports, recorded: probes !== null && probes === run?.probes };
}

// The first instance of the recorded module gives its instruction counter;
// the application gets each instance of it guarded (guardInstance: calls
// that end by a throw close their frames).
function instantiated(module, instance, { imports, recorded }) {
  if (!recorded) return instance;
  if (!run.bound) {
    run.bound = true;
    ourOwn(() => run.bind(instance));
  }
  return guardInstance(module, instance, imports);
}

// ---- the wrapped WebAssembly API ----

const isModule = (x) => x instanceof original.Module;

WebAssembly.Module = new Proxy(original.Module, {
  construct(target, args, newTarget) {
    return remember(Reflect.construct(target, args, newTarget), bytesOf(args[0]));
  },
});
WebAssembly.Instance = new Proxy(original.Instance, {
  construct(target, [module, imports, ...rest], newTarget) {
    if (!isModule(module)) return Reflect.construct(target, [module, imports, ...rest], newTarget);
    const linked = withProbes(module, imports);
    const construct = linked.recorded ? intoGuest(Reflect.construct) : Reflect.construct; // it runs the start function
    return instantiated(module, construct(target, [module, linked.imports, ...rest], newTarget), linked);
  },
});
WebAssembly.compile = async function compile(source, ...rest) {
  const copy = bytesOf(source);
  return remember(await original.compile.call(WebAssembly, source, ...rest), copy);
};
WebAssembly.compileStreaming = async function compileStreaming(source, ...rest) {
  const response = await source;
  // the bytes from a clone; the original's own checks (MIME type, status) on the response
  const bytes = typeof response?.clone === 'function' ? response.clone().arrayBuffer() : null;
  const module = await original.compileStreaming.call(WebAssembly, response, ...rest);
  if (bytes) {
    const copy = bytesOf(await bytes);
    if (response.url) copy.name = response.url.startsWith('file://') ? new URL(response.url).pathname : response.url;
    remember(module, copy);
  }
  return module;
};
WebAssembly.instantiate = async function instantiate(source, imports, ...rest) {
  if (isModule(source)) {
    const linked = withProbes(source, imports);
    const pending = original.instantiate.call(WebAssembly, source, linked.imports, ...rest);
    return instantiated(source, await (linked.recorded ? intoGuestLater(pending) : pending), linked);
  }
  const module = await WebAssembly.compile(source);
  return { module, instance: await WebAssembly.instantiate(module, imports, ...rest) };
};
WebAssembly.instantiateStreaming = async function instantiateStreaming(source, imports, ...rest) {
  const module = await WebAssembly.compileStreaming(source);
  return { module, instance: await WebAssembly.instantiate(module, imports, ...rest) };
};

// ---- the end of the process ----

let uncaught = null;
process.on('uncaughtExceptionMonitor', (error) => {
  uncaught = error;
  if (run && addon.stopSignal() !== 0) interrupted(); // the enter probe's WPROF_STOP, not the application's error
});

function finish(status, exitCode, message) {
  if (ended) return;
  ended = true;
  const error = endRun({ status, exitCode, message, quiet, output });
  if (error !== null) {
    say(`${output}: ${error}`);
    process.exitCode = EXIT.CANT_CREATE;
  }
}

function interrupted() {
  const signal = stopSignalName();
  finish(STATUS.interrupted, 0, signal);
  process.exit(SIGNAL_EXIT[signal]);
}

process.on('exit', (code) => {
  if (ended) return;
  if (!run) {
    ended = true;
    say(instrumentedSeen > 0 ? 'no instrumented module was profiled: no database written'
      : modulesSeen > 0 ? `the application instantiated ${modulesSeen} WebAssembly module(s), none importing wprof probes (instrument the .wasm with wasm-instrument): no database written`
        : 'the application instantiated no WebAssembly module: no database written');
    return;
  }
  if (uncaught && isTrap(uncaught)) finish(STATUS.trapped, code, trapMessage(uncaught));
  else if (uncaught) finish(STATUS.error, code, `uncaught exception: ${uncaught?.message ?? String(uncaught)}`);
  else finish(STATUS.exited, code, null);
});
