// probe-cost.mjs — the cost of one probe event under Node: the instrumented
// probe-loop module (two events per call of an empty function) with its
// `wprof` imports bound to empty wasm functions, empty JavaScript
// functions, the addon's empty N-API function, the addon's probes
// (wprof_node.node, counts only), a wasm function that only counts the
// events in its memory (the floor under any recorder in wasm), and the
// wasm recorder (wprof-recorder.wasm, as `--engine node --timing none` binds
// it, through the build's wprof-node-recorder.mjs). Prints ns per event of
// each, best of ROUNDS; the rows alternate, each timed ROUNDS times in turn.
//   node probe-cost.mjs LOOP.i.wasm BUILD_DIR/runtime-shim/node [CALLS [ROUNDS]]
// (bench/node/run.sh builds the inputs and runs it.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [wasmPath, nodeDir, callsArg = '20000000', roundsArg = '5'] = process.argv.slice(2);
const calls = Number(callsArg), rounds = Number(roundsArg);
const { addon, recorderProbes } = await import(pathToFileURL(path.resolve(nodeDir, 'wprof-node-recorder.mjs')));
const { exitTrampolines } = await import(pathToFileURL(path.resolve(nodeDir, 'wprof-host.mjs')));
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

// enter(i32) and exit(i32) that add 1 to the i64 at address 0 of their memory
const countBody = [0, 0x41, 0, 0x41, 0, 0x29, 3, 0, 0x42, 1, 0x7c, 0x37, 3, 0, 0x0b]; // mem[0] = mem[0] + 1
const countingWasm = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  1, 5, 1, 0x60, 1, 0x7f, 0,
  3, 3, 2, 0, 0,
  5, 3, 1, 0, 1, // one memory of 1 page
  7, 16, 2, 5, ...Buffer.from('enter'), 0, 0, 4, ...Buffer.from('exit'), 0, 1,
  10, 2 * (countBody.length + 1) + 1, 2, countBody.length, ...countBody, countBody.length, ...countBody,
]))).exports;

function probes(enter, exit, served = exitTrampolines(exit)) {
  const wanted = WebAssembly.Module.imports(module).filter((i) => i.module === 'wprof').map((i) => i.name);
  const all = { enter, exit, ...served };
  return Object.fromEntries(wanted.map((name) => [name, all[name]]));
}

const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-bench-')), 'bench.db');
const err = addon.open(db, wasmPath, bytes, [wasmPath], 0, 0, false, false);
if (err !== null) throw new Error(err);
const recorder = recorderProbes(module, { timing: 'none', trace: false }).probes;

const candidates = {
  'empty wasm import': probes(emptyWasm.enter, emptyWasm.exit),
  'empty JS import': probes(() => {}, () => {}),
  'empty N-API import (addon.empty)': probes(addon.empty, addon.empty),
  'addon enter/exit (counts only)': probes(addon.enter, addon.exit),
  'wasm import counting in memory': probes(countingWasm.enter, countingWasm.exit),
  'wasm recorder (counts only)': probes(recorder.enter, recorder.exit, recorder),
};
const runs = Object.fromEntries(Object.entries(candidates).map(([what, imports]) => {
  const run = new WebAssembly.Instance(module, { wprof: imports }).exports.run;
  run(1000); // compile
  return [what, run];
}));
const best = Object.fromEntries(Object.keys(runs).map((what) => [what, Infinity]));
for (let r = 0; r < rounds; r++) {
  for (const [what, run] of Object.entries(runs)) {
    const t0 = process.hrtime.bigint();
    run(calls);
    best[what] = Math.min(best[what], Number(process.hrtime.bigint() - t0) / (2 * calls));
  }
}
addon.finish(0, 0, null, true, db);
fs.rmSync(path.dirname(db), { recursive: true });

const base = best['empty wasm import'];
console.log(`${calls} calls x 2 events, best of ${rounds} rounds in turn, node ${process.version}`);
for (const [what, ns] of Object.entries(best))
  console.log(`${what.padEnd(44)} ${ns.toFixed(2).padStart(7)} ns/event  (+${(ns - base).toFixed(2)} over the empty wasm import)`);
