// run-empty.mjs — runs an instrumented WASI command module under node:wasi
// with its `wprof` imports bound to the empty functions of empty-probes.wat:
// what a probe costs under Node before any recorder's work. With
// --recorder, its call probes are the wasm recorder's instead (the
// allocation probes stay empty: no addon, no libwprof, no database): the
// recorder's own cost on a real program. bench/node/overhead.sh and
// floor.sh compare them with the plain module and with `wprof run`.
//   node run-empty.mjs EMPTY-PROBES.wasm [--recorder WPROF-RECORDER.wasm] MODULE.wasm [ARGS...]
import fs from 'node:fs';
import process from 'node:process';
import { WASI } from 'node:wasi';

const [emptyPath, ...rest] = process.argv.slice(2);
const recorderPath = rest[0] === '--recorder' ? rest[1] : null;
const [modulePath, ...args] = recorderPath ? rest.slice(2) : rest;
const probes = { ...new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(emptyPath))).exports };
if (recorderPath) {
  const recorder = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(recorderPath)),
    { host: { stopped() {}, grown() {} } }).exports;
  recorder.init();
  for (const name of Object.keys(probes)) if (name in recorder) probes[name] = recorder[name];
}
const wasi = new WASI({ version: 'preview1', args: [modulePath, ...args], returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(modulePath)),
  { wprof: probes, wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance) ?? 0;
