// probe-cost.mjs — the cost of one probe event under Node: the instrumented
// probe-loop module (two events per call of an empty function) with its
// `wprof` imports bound to empty wasm functions, empty JavaScript
// functions, the addon's empty N-API function, the addon's probes
// (wprof_node.node, counts only), and the event ring of wprof-host.mjs
// drained by the addon (one row per size in RING_SIZES, events, default
// 4096). Prints ns per event of each, best of ROUNDS.
//   [RING_SIZES=4096,...] node probe-cost.mjs LOOP.i.wasm ADDON.node [CALLS [ROUNDS]]
// (bench/node/run.sh builds the inputs and runs it.)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitTrampolines, ringProbes } from '../../runtime-shim/js/wprof-host.mjs';

const [wasmPath, addonPath, callsArg = '20000000', roundsArg = '5'] = process.argv.slice(2);
const calls = Number(callsArg), rounds = Number(roundsArg);
const ringSizes = (process.env.RING_SIZES ?? '4096').split(',').map(Number); // the event rings to time
const addon = createRequire(import.meta.url)(path.resolve(addonPath));
const bytes = fs.readFileSync(wasmPath);
const module = new WebAssembly.Module(bytes);

// a module of empty functions: enter(i32), exit(i32)
const emptyWasm = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  1, 5, 1, 0x60, 1, 0x7f, 0, // type 0: (i32) -> ()
  3, 3, 2, 0, 0, // two functions of type 0
  7, 16, 2, 5, ...Buffer.from('enter'), 0, 0, 4, ...Buffer.from('exit'), 0, 1,
  10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b,
]))).exports;

function probes(enter, exit, served = exitTrampolines(exit)) {
  const wanted = WebAssembly.Module.imports(module).filter((i) => i.module === 'wprof').map((i) => i.name);
  const all = { enter, exit, ...served };
  return Object.fromEntries(wanted.map((name) => [name, all[name]]));
}

function time(imports) {
  const run = new WebAssembly.Instance(module, { wprof: imports }).exports.run;
  run(1000); // compile
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    run(calls);
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best / (2 * calls);
}

const results = {};
results['empty wasm import'] = time(probes(emptyWasm.enter, emptyWasm.exit));
results['empty JS import'] = time(probes(() => {}, () => {}));
results['empty N-API import (addon.empty)'] = time(probes(addon.empty, addon.empty));
const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-bench-')), 'bench.db');
const err = addon.open(db, wasmPath, bytes, [wasmPath], 0, 0, false, false);
if (err !== null) throw new Error(err);
results['addon enter/exit (counts only)'] = time(probes(addon.enter, addon.exit));
addon.finish(0, 0, null, true, db);
for (const events of ringSizes) {
  const err2 = addon.open(db, wasmPath, bytes, [wasmPath], 0, 0, false, false);
  if (err2 !== null) throw new Error(err2);
  const ring = ringProbes(addon.drain, events);
  addon.ringAttach(ring.memory.buffer);
  results[`addon, event ring of ${events} (counts only)`] = time(probes(ring.probes.enter, ring.probes.exit, ring.probes));
  addon.finish(0, 0, null, true, db);
}
fs.rmSync(path.dirname(db), { recursive: true });

const base = results['empty wasm import'];
console.log(`${calls} calls x 2 events, best of ${rounds} rounds, node ${process.version}`);
for (const [what, ns] of Object.entries(results))
  console.log(`${what.padEnd(44)} ${ns.toFixed(2).padStart(7)} ns/event  (+${(ns - base).toFixed(2)} over the empty wasm import)`);
