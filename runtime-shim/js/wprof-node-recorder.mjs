// wprof-node-recorder.mjs — what the two front ends of the wprof_node.node
// addon (libwprof for Node) share: wprof-run-node.mjs (`wprof run --engine
// node`, a WASI command) and wprof-register.mjs (`node --import`, an
// unchanged JavaScript application). It loads the addon (beside this file in
// the build tree's runtime-shim/node), builds the `wprof` imports of a
// module (the wasm recorder wprof-recorder.wasm, beside the addon too, or
// the addon's own probes, with the instruction-counter trampolines of a
// `--cost` module), words V8's traps as the wasm2c engine does, and ends a
// run: the counter's last value, the trap or interruption line, the
// database.

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
// 1-3 ns an event) rather than the addon's (an N-API call each, ~45 ns): when
// it records all the run needs, counts, sampled time and instructions (not
// exact time, not --trace), unless WPROF_NODE_PROBES=addon.
export const wasmRecorderServes = ({ timing, trace }) =>
  timing !== 'exact' && !trace && process.env.WPROF_NODE_PROBES !== 'addon';

// The wasm recorder's probes for `module`, attached to the addon (one per
// process): its build that reads the instruction counter for a module that
// has one. bind(instance) gives it the instance's counter.
function wasmRecorderProbes(module) {
  const counter = countsInstructions(module) ? counterReader() : null;
  const file = counter ? './wprof-recorder-cost.wasm' : './wprof-recorder.wasm';
  const recorder = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(new URL(file, import.meta.url))),
    { host: { stopped: addon.recorderStopped, grown: addon.recorderGrown, ...(counter && { cost: counter.read }) } }).exports;
  const error = addon.recorderAttach(recorder.memory, recorder.init());
  if (error !== null) throw new Error(error);
  if (counter) addon.countInstructions();
  // exit_T for the types C cannot spell (v128, references): trampolines calling its exit
  const probes = exitTrampolines(recorder.exit);
  for (const name of PROBE_NAMES) if (name in recorder) probes[name] = recorder[name];
  return { probes, bind: (instance) => counter?.bind(instance.exports[WPROF_ABI_COST_EXPORT]) };
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
  if (wasmRecorderServes({ timing, trace })) {
    const served = wasmRecorderProbes(module);
    return { probes: { ...probes, ...served.probes }, bind: served.bind };
  }
  const counter = countsInstructions(module) ? counterTrampolines(addon) : null;
  if (counter) {
    addon.countInstructions();
    Object.assign(probes, counter.probes);
  }
  Object.assign(probes, exitTrampolines(probes.exit));
  return { probes, bind: (instance) => counter?.bind(instance.exports[WPROF_ABI_COST_EXPORT]) };
}

// The name of the first stop signal (SIGINT, SIGTERM, SIGHUP), or ''.
export const stopSignalName = () => ['', 'SIGHUP', 'SIGINT', '', '', '', '', '', '', '', '', '', '', '', '', 'SIGTERM'][addon.stopSignal()];

// Ends the run of the open recorder: the sampler stopped, the instance's
// instruction counter (when it has one) read, the trap or interruption line
// unless quiet, the database written. Returns null, or wprof_finish's error.
export function endRun({ status, exitCode, message, quiet, output, instance }) {
  addon.samplingStop();
  const counter = instance?.exports[WPROF_ABI_COST_EXPORT];
  if (counter instanceof WebAssembly.Global) addon.setInstructions(Number(counter.value & 0xffffffffn), Number(counter.value >> 32n));
  if (!quiet && status === STATUS.trapped) process.stderr.write(`wprof: guest trapped: ${message}\n`);
  if (!quiet && status === STATUS.interrupted) process.stderr.write(`wprof: guest interrupted by ${message}\n`);
  return addon.finish(status, exitCode, message, quiet, output);
}
