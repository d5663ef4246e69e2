// tests/register/app.mjs: a small application that knows nothing of wprof,
// profiled by register-tests.sh through `node --import wprof-register.mjs`.
//   node app.mjs MODULE.wasm WAYS CALLS [END] [OTHER.wasm]
// loads MODULE.wasm once per way of WAYS (comma-separated: bytes =
// WebAssembly.instantiate(bytes), module = WebAssembly.instantiate(Module),
// streaming = instantiateStreaming(Response), instance = compile + new
// Instance, sync = new Module + new Instance) and calls each instance's
// export work CALLS times; then END: return (the default), exit (process.exit(3)
// and more calls that never happen), throw (an uncaught Error), trap (the
// export trap), loop (prints "ready" and calls work forever, busy),
// idle (prints "ready" and calls work every 10 ms from a timer).
// OTHER.wasm, when given, is instantiated (bytes) and its work called once.
import fs from 'node:fs';

const [file, ways, callsText, end = 'return', other] = process.argv.slice(2);
const calls = Number(callsText);
const bytes = fs.readFileSync(file);

async function load(way) {
  switch (way) {
    case 'bytes': return (await WebAssembly.instantiate(bytes, {})).instance;
    case 'module': return WebAssembly.instantiate(await WebAssembly.compile(bytes), {});
    case 'streaming':
      return (await WebAssembly.instantiateStreaming(
        new Response(bytes, { headers: { 'content-type': 'application/wasm' } }), {})).instance;
    case 'instance': return new WebAssembly.Instance(await WebAssembly.compile(bytes), {});
    case 'sync': return new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    default: throw new Error(`unknown way ${way}`);
  }
}

let instance;
for (const way of ways.split(',')) {
  instance = await load(way);
  for (let i = 0; i < calls; i++) instance.exports.work(i);
}
if (other) (await WebAssembly.instantiate(fs.readFileSync(other), {})).instance.exports.work(1);

switch (end) {
  case 'exit':
    process.exit(3);
    instance.exports.work(0); // eslint-disable-line no-unreachable
    break;
  case 'throw':
    throw new Error('the application gives up');
  case 'trap':
    instance.exports.trap();
    break;
  case 'loop':
    process.stdout.write('ready\n');
    for (let i = 0; ; i++) instance.exports.work(i);
  case 'idle':
    process.stdout.write('ready\n');
    setInterval(() => instance.exports.work(0), 10);
    break;
  default:
}
