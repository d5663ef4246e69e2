// Runs a WASI command module under Node's built-in WASI (preview1), with the
// caller's stdio and environment passed through, and exits with the guest's
// exit code. Used by the testdata checks to validate the test programs
// independently of wprof.
//   node run-wasi.mjs program.wasm [guest args...]
// Exit status: the guest's exit code; 1 with a one-line message if the
// module cannot be read or instantiated; 134 if the guest traps (the trap
// message goes to stderr prefixed "run-wasi: trap:").
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

// node:wasi prints an "experimental" warning on stderr; the programs' stderr
// is compared byte for byte, so warnings are silenced before it is loaded.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');

const [wasmPath, ...guestArgs] = process.argv.slice(2);
if (!wasmPath) {
  console.error('usage: node run-wasi.mjs program.wasm [args...]');
  process.exit(2);
}

let instance, wasi;
try {
  const module = await WebAssembly.compile(await readFile(wasmPath));
  wasi = new WASI({
    version: 'preview1',
    args: [basename(wasmPath), ...guestArgs],
    env: process.env,
    returnOnExit: true,
  });
  instance = await WebAssembly.instantiate(module, wasi.getImportObject());
} catch (err) {
  console.error(`run-wasi: ${wasmPath}: ${err.message}`);
  process.exit(1);
}

let code;
try {
  code = wasi.start(instance);
} catch (err) {
  if (err instanceof WebAssembly.RuntimeError) {
    console.error(`run-wasi: trap: ${err.message}`);
    process.exit(134);
  }
  throw err;
}
process.exitCode = code;
