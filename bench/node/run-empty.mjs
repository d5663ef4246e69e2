// run-empty.mjs — runs an instrumented WASI command module under node:wasi
// with its `wprof` imports bound to the empty functions of empty-probes.wat:
// what a probe costs under Node before any recorder's work
// (bench/node/overhead.sh compares it with the plain module and with `wprof
// run --engine node`).
//   node run-empty.mjs EMPTY-PROBES.wasm MODULE.wasm [ARGS...]
import fs from 'node:fs';
import process from 'node:process';
import { WASI } from 'node:wasi';

const [emptyPath, modulePath, ...args] = process.argv.slice(2);
const probes = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(emptyPath))).exports;
const wasi = new WASI({ version: 'preview1', args: [modulePath, ...args], returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(modulePath)),
  { wprof: probes, wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance) ?? 0;
