// wprof-node-recorder.mjs — what the two front ends of the wprof_node.node
// addon (libwprof for Node) share: wprof-run-node.mjs (`wprof run --engine
// node`, a WASI command) and wprof-register.mjs (`node --import`, an
// unchanged JavaScript application). It loads the addon (beside this file in
// the build tree's runtime-shim/node), builds the `wprof` imports of a
// module (the instruction-counter trampolines of a `--cost` module
// included), words V8's traps as the wasm2c engine does, and ends a run:
// the counter's last value, the trap or interruption line, the database.

import { createRequire } from 'node:module';
import process from 'node:process';
import { counterTrampolines, exitTrampolines, ringProbes, WPROF_ABI_COST_EXPORT, WPROF_ABI_IMPORT_MODULE } from './wprof-host.mjs';

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

// The event ring a run with --timing none gets: WPROF_NODE_RING=N, N events
// (4096, 16 KiB, is what bench/RESULTS.md measured); unset or 0, none (not
// the default yet: +7-9 ns an event, above issue 12's goal).
export const ringCapacity = () => Math.max(0, Math.floor(Number(process.env.WPROF_NODE_RING ?? 0)) || 0);

// The `wprof` imports of `module` for the open recorder: the addon's
// functions themselves; with ringEvents > 0 (a module that does not count
// its instructions, timing none: the events reach libwprof late), enter,
// exit, count and exit_T from an event ring of that many events that the
// addon drains; for a module counting its instructions,
// enter/exit/count/catch through trampolines that pass the counter along.
// bind(instance) gives them the instance's counter (until then, 0).
export function recorderProbes(module, { ringEvents = 0 } = {}) {
  const probes = {};
  for (const name of ['enter', 'exit', 'count', 'frame', 'catch', 'alloc', 'realloc', 'free']) probes[name] = addon[name];
  if (ringEvents > 0 && !countsInstructions(module)) {
    const ring = ringProbes(addon.drain, ringEvents);
    const error = addon.ringAttach(ring.memory.buffer);
    if (error !== null) throw new Error(error);
    return { probes: { ...probes, ...ring.probes }, bind: () => {}, batched: true };
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
