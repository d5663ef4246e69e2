#!/usr/bin/env node
// synthetic-driver.mjs — runs the export run(N) of the synthetic module
// (gen-synthetic.mjs), plain or rewritten by wasm-instrument, and prints the
// i64 checksum it returns; real-modules.sh compares the two.
//
//   node synthetic-driver.mjs [--json OUT.json] SYNTHETIC.wasm N
//
// When the module imports probes from "wprof" the reference JS host serves
// them and --json writes its results.

import fs from 'node:fs';
import { createWprofHost } from '../../runtime-shim/js/wprof-host.mjs';

const argv = process.argv.slice(2);
let jsonPath = null;
if (argv[0] === '--json') { jsonPath = argv[1]; argv.splice(0, 2); }
if (argv.length !== 2 || !/^\d+$/.test(argv[1])) {
  process.stderr.write('usage: synthetic-driver.mjs [--json OUT.json] SYNTHETIC.wasm N\n');
  process.exit(2);
}
const module = await WebAssembly.compile(fs.readFileSync(argv[0]));
const host = WebAssembly.Module.imports(module).some((i) => i.module === 'wprof')
  ? createWprofHost(module) : null;
const instance = await WebAssembly.instantiate(module, host ? host.imports : {});
try {
  console.log(String(instance.exports.run(Number(argv[1]))));
} finally {
  if (host) {
    host.unwindAll();
    if (jsonPath) fs.writeFileSync(jsonPath, host.dump() + '\n');
  }
}
