// wprof-node-recorder.mjs — what the two front ends of the wprof_node.node
// addon (libwprof for Node) share: wprof-run-node.mjs (`wprof run --engine
// node`, a WASI command) and wprof-register.mjs (`node --import`, an
// unchanged JavaScript application). It loads the addon (beside this file in
// the build tree's runtime-shim/node), builds the `wprof` imports of a
// module (the wasm recorder wprof-recorder.wasm, beside the addon too, or
// the addon's own probes, with the instruction-counter trampolines of a
// `--cost` module), guards the calls into a recorded instance (a call that
// ends by a throw closes the frames it leaves: guardInstance, intoGuest),
// words V8's traps as the wasm2c engine does, and ends a run: the counter's
// last value, the trap or interruption line, the database.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { counterReader, counterTrampolines, exitTrampolines, PROBE_NAMES, WPROF_ABI_COST_EXPORT, WPROF_ABI_IMPORT_MODULE } from './wprof-host.mjs';

export const addon = createRequire(import.meta.url)('./wprof_node.node');

export const EXIT = { USAGE: 64, DATA: 65, UNSUPPORTED: 69, INTERNAL: 70, CANT_CREATE: 73, TRAP: 134 };
export const SIGNAL_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
export const TIMING = { none: 0, exact: 1, sampled: 2 };
export const STATUS = { exited: 0, trapped: 1, interrupted: 2, error: 3 };

// V8's trap messages, in the words of the wasm2c engine (host-run.c), so that
// run.trap is the same whichever engine ran the guest.
export function trapMessage(error) {
  if (error instanceof RangeError) return 'call stack exhausted';
  if (error instanceof WebAssembly.Exception) return 'uncaught exception';
  const m = error.message;
  if (/unreachable/.test(m)) return 'unreachable executed';
  if (/divide by zero|remainder by zero/.test(m)) return 'integer divide by zero';
  if (/unrepresentable|float.*integer/.test(m)) return 'invalid conversion to integer';
  if (/overflow/.test(m)) return 'integer overflow';
  if (/signature mismatch|null function|table index/.test(m)) return 'indirect call: type mismatch, null or out of range';
  if (/out of bounds/.test(m)) return 'out of bounds memory or table access';
  return m;
}

// Whether an exception that left the guest is a trap (else the host's own error).
export const isTrap = (error) =>
  error instanceof WebAssembly.RuntimeError || error instanceof RangeError || error instanceof WebAssembly.Exception;

export const importsProbes = (module) =>
  WebAssembly.Module.imports(module).some((imp) => imp.module === WPROF_ABI_IMPORT_MODULE);

export const countsInstructions = (module) =>
  WebAssembly.Module.exports(module).some((e) => e.name === WPROF_ABI_COST_EXPORT && e.kind === 'global');

// Whether a run's enter, exit, count, exit_T, frame and catch probes are
// the wasm recorder's (runtime-shim/wasm-recorder: wasm-to-wasm calls,
// 2-5 ns an event) rather than the addon's (an N-API call each, ~45 ns): when
// it records all the run needs, counts, sampled time and instructions (not
// exact time, not --trace), unless WPROF_NODE_PROBES=addon.
export const wasmRecorderServes = ({ timing, trace }) =>
  timing !== 'exact' && !trace && process.env.WPROF_NODE_PROBES !== 'addon';

// The wasm recorder's probes for `module`, attached to the addon (one per
// process): its build that reads the instruction counter for a module that
// has one. bind(instance) gives it the instance's counter. The guards
// (intoGuest) then unwind the recorder's stack.
function wasmRecorderProbes(module) {
  const counter = countsInstructions(module) ? counterReader() : null;
  const file = counter ? './wprof-recorder-cost.wasm' : './wprof-recorder.wasm';
  const recorder = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(new URL(file, import.meta.url))),
    { host: { stopped: addon.recorderStopped, grown: addon.recorderGrown, ...(counter && { cost: counter.read }) } }).exports;
  const error = addon.recorderAttach(recorder.memory, recorder.init());
  if (error !== null) throw new Error(error);
  if (counter) addon.countInstructions();
  guestStack = { frame: recorder.frame, unwindTo: recorder.unwind };
  // exit_T for the types C cannot spell (v128, references): trampolines calling its exit
  const probes = exitTrampolines(recorder.exit);
  for (const name of PROBE_NAMES) if (name in recorder) probes[name] = recorder[name];
  return { probes, counter };
}

// The `wprof` imports of `module` for the open recorder, a run of `timing`
// (a key of TIMING) and `trace`: the wasm recorder's where it serves
// (wasmRecorderServes) with the addon's allocation probes; otherwise the
// addon's functions themselves, with, for a module counting its
// instructions, enter/exit/count/catch through trampolines that pass the
// counter along. bind(instance) gives them the instance's counter (until
// then, 0).
export function recorderProbes(module, { timing, trace }) {
  const probes = {};
  for (const name of ['enter', 'exit', 'count', 'frame', 'catch', 'alloc', 'realloc', 'free']) probes[name] = addon[name];
  let counter = null;
  if (wasmRecorderServes({ timing, trace })) {
    const served = wasmRecorderProbes(module);
    Object.assign(probes, served.probes);
    counter = served.counter;
  } else {
    counter = countsInstructions(module) ? counterTrampolines(addon) : null;
    if (counter) {
      addon.countInstructions();
      Object.assign(probes, counter.probes);
    }
    Object.assign(probes, exitTrampolines(probes.exit));
  }
  return {
    probes,
    bind(instance) {
      if (!counter) return;
      guestCounter = instance.exports[WPROF_ABI_COST_EXPORT];
      counter.bind(guestCounter);
    },
  };
}

let guestCounter = null; // the recorded instance's instruction counter, when it has one
// the guest's shadow stack, for the guards: libwprof's, or the wasm recorder's
let guestStack = { frame: addon.frame, unwindTo: addon.unwindTo };

// Gives the addon the counter's current value: where the guest was left by
// a trap, proc_exit or a throw, ahead of the last probe.
function passInstructions() {
  if (guestCounter) addon.setInstructions(Number(guestCounter.value & 0xffffffffn), Number(guestCounter.value >> 32n));
}

// ---- calls into the guest that end by a throw ----
//
// A JavaScript exception thrown by an import, a trap or a wasm exception
// that JavaScript catches, leaves the guest's frames without their exit
// probes. So every way into a recorded instance's code from JavaScript (its
// exported functions, the functions its tables hand out, its start
// function) is wrapped by intoGuest, which notes libwprof's depth when the
// call begins and, when it ends by a throw, closes the frames above it as
// unwound (wprof_thread_unwind, or the wasm recorder's unwind) before
// rethrowing: a later call, or the
// import that caught the exception returning to wasm, sees the stack as it
// was. Re-entry (JS -> wasm -> JS import -> wasm) nests. At the outermost
// entry no guest frame can be open, so its depth is 0 without asking the
// addon: one N-API call (frame()) only for nested entries. A wrapped call
// costs a few ns more than the bare one (V8 inlines the wrapper; a closure
// made for each call would cost ten times that).

let entries = 0; // calls into a recorded instance now on the JavaScript stack

// fn, wrapped so that a call that ends by a throw closes the guest's frames it leaves.
export function intoGuest(fn) {
  return (...args) => {
    const depth = entries === 0 ? 0 : guestStack.frame();
    entries++;
    try {
      return fn(...args);
    } catch (error) {
      passInstructions();
      guestStack.unwindTo(depth);
      throw error;
    } finally {
      entries--;
    }
  };
}

// The same for an asynchronous instantiation, whose start function runs
// from the event loop, when no other call into the guest is on the stack.
export const intoGuestLater = (pending) => pending.catch((error) => {
  passInstructions();
  guestStack.unwindTo(0);
  throw error;
});

const guards = new WeakMap(); // guest function -> its guard
const guarded = new WeakMap(); // guard -> guest function
const guardedTables = new WeakSet(); // the tables of recorded instances

function guard(fn) {
  let g = guards.get(fn);
  if (!g) {
    g = intoGuest(fn);
    Object.defineProperty(g, 'name', { value: fn.name });
    Object.defineProperty(g, 'length', { value: fn.length });
    guards.set(fn, g);
    guarded.set(g, fn);
  }
  return g;
}

// A guard is a JavaScript function, which a funcref table refuses: a table
// is given the guest function itself, and hands out its guard. An externref
// table hands out what JavaScript stored, functions included, unchanged:
// only a wasm function fits in a funcref table (funcrefTest).
const unguard = (value) => guarded.get(value) ?? value;
const tableGet = WebAssembly.Table.prototype.get;
const tableSet = WebAssembly.Table.prototype.set;
const tableGrow = WebAssembly.Table.prototype.grow;
const funcrefTest = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
const jsFunctions = new WeakSet(); // functions from guarded tables that are not wasm functions
function isWasmFunction(fn) {
  if (guards.has(fn)) return true;
  if (jsFunctions.has(fn)) return false;
  try {
    tableSet.call(funcrefTest, 0, fn);
    tableSet.call(funcrefTest, 0, null);
    return true;
  } catch {
    jsFunctions.add(fn);
    return false;
  }
}
WebAssembly.Table.prototype.get = function get(...args) {
  const value = tableGet.apply(this, args);
  return typeof value === 'function' && guardedTables.has(this) && isWasmFunction(value) ? guard(value) : value;
};
WebAssembly.Table.prototype.set = function set(index, ...rest) {
  return tableSet.call(this, index, ...rest.map(unguard));
};
WebAssembly.Table.prototype.grow = function grow(delta, ...rest) {
  return tableGrow.call(this, delta, ...rest.map(unguard));
};

// What the application gets for `instance` of the recorded `module`: an
// object that is an instance of WebAssembly.Instance (its prototype is the
// real one) whose exports are those of `instance` with every function
// guarded. The tables it exports, and those it imports from `imports`, hand
// out guarded functions too.
export function guardInstance(module, instance, imports) {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind === 'table') guardedTables.add(imports[imp.module][imp.name]);
  }
  const exports = Object.create(null);
  for (const [name, value] of Object.entries(instance.exports)) {
    if (value instanceof WebAssembly.Table) guardedTables.add(value);
    exports[name] = typeof value === 'function' ? guard(value) : value;
  }
  return Object.create(instance, { exports: { value: Object.freeze(exports), enumerable: true } });
}

// The name of the first stop signal (SIGINT, SIGTERM, SIGHUP), or ''.
export const stopSignalName = () => ['', 'SIGHUP', 'SIGINT', '', '', '', '', '', '', '', '', '', '', '', '', 'SIGTERM'][addon.stopSignal()];

// Ends the run of the open recorder: the sampler stopped, the instance's
// instruction counter (when it has one) read, the trap or interruption line
// unless quiet, the database written. Returns null, or wprof_finish's error.
export function endRun({ status, exitCode, message, quiet, output }) {
  addon.samplingStop();
  passInstructions();
  if (!quiet && status === STATUS.trapped) process.stderr.write(`wprof: guest trapped: ${message}\n`);
  if (!quiet && status === STATUS.interrupted) process.stderr.write(`wprof: guest interrupted by ${message}\n`);
  return addon.finish(status, exitCode, message, quiet, output);
}
