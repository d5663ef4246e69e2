// Runs a WASI command under Node's own WASI (preview1), as the reference
// `wprof run` is compared with: same stdio, same exit code.
//   node node-wasi.mjs [--dir HOST:GUEST]... [--env K=V]... module.wasm [args...]
// argv[0] is the module path as given, as with `wprof run`; no environment
// is inherited. Exit status: the guest's; 134 on a trap.
process.removeAllListeners('warning'); // node:wasi's "experimental" warning would pollute stderr
const { WASI } = await import('node:wasi');
const { readFile } = await import('node:fs/promises');

const preopens = {}, env = {};
const argv = process.argv.slice(2);
while (argv[0] === '--dir' || argv[0] === '--env') {
  const [flag, value] = argv.splice(0, 2);
  if (flag === '--dir') {
    const [host, guest] = value.split(':');
    preopens[guest ?? host] = host;
  } else {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  }
}
const wasi = new WASI({ version: 'preview1', args: argv, env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(argv[0]));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
try {
  process.exitCode = wasi.start(instance);
} catch (err) {
  if (!(err instanceof WebAssembly.RuntimeError)) throw err;
  process.stderr.write(`node-wasi: trap: ${err.message}\n`);
  process.exitCode = 134;
}
