// tests/register/reentry.mjs: an application whose JavaScript and wasm call
// each other and throw through each other's frames, profiled by
// register-tests.sh through `node --import wprof-register.mjs`.
//   node reentry.mjs MODULE.wasm STEP,STEP,...
// The guest is reentry.wat; its import js.call(n) returns for n = 0, calls
// outer(n - 1) for n > 0 (re-entry), throws an Error for n = -1, and for
// n = -2 calls outer(-1) and catches what it throws, then returns to wasm.
// Its start function calls js.call(js.boot): the application instantiates
// it with boot 0.
// Steps:
//   clean     outer(0)
//   nest      outer(2): JS -> outer -> inner -> JS -> outer -> ... 3 deep
//   throw     outer(-1), the import's Error caught here
//   table     the same through its funcref table: funcs.get(0)(-1); and
//             its externref table refs gives back the function stored in it
//   catch-in  outer(-2): the Error caught by the import one level down
//   shield    shield(-1): the Error caught by the guest's catch_all
//   trap      trap(), the RuntimeError caught here
//   uncaught  outer(-1), not caught: the application ends with it
//   start     two more instances with boot -1, whose start function throws
//             the import's Error: new WebAssembly.Instance, then
//             WebAssembly.instantiate, both caught here
// Exits 2 if the guest or the WebAssembly API does not behave as without wprof.
import fs from 'node:fs';

const [file, steps] = process.argv.slice(2);
let exports;
const call = (n) => {
  if (n > 0) exports.outer(n - 1);
  else if (n === -1) throw new Error('thrown by the import');
  else if (n === -2) {
    try {
      exports.outer(-1);
    } catch (error) {
      if (error.message !== 'thrown by the import') throw error;
    }
  }
};
const funcs = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
const refs = new WebAssembly.Table({ element: 'externref', initial: 1 });
const imports = (boot) => ({ js: { call, boot, funcs, refs } });
const { module, instance } = await WebAssembly.instantiate(fs.readFileSync(file), imports(0));
exports = instance.exports;

function check(what, ok) {
  if (!ok) {
    process.stderr.write(`reentry.mjs: ${what}\n`);
    process.exit(2);
  }
}
async function expectRejection(what, pending) {
  try {
    await pending;
  } catch (error) {
    check(`${what}: rejected with ${error}`, error.message === 'thrown by the import');
    return;
  }
  check(`${what}: did not reject`, false);
}
function expectThrow(what, run, kind) {
  try {
    run();
  } catch (error) {
    check(`${what}: threw ${error}`, error instanceof kind);
    return;
  }
  check(`${what}: did not throw`, false);
}

for (const step of steps.split(',')) {
  switch (step) {
    case 'clean': exports.outer(0); break;
    case 'nest': exports.outer(2); break;
    case 'throw': expectThrow('outer(-1)', () => exports.outer(-1), Error); break;
    case 'table':
      check('funcs.get(0) is not the same function twice', funcs.get(0) === funcs.get(0));
      funcs.set(0, funcs.get(0)); // a table takes back what it handed out
      expectThrow('funcs.get(0)(-1)', () => funcs.get(0)(-1), Error);
      refs.set(0, call);
      check('refs.get(0) is not the function stored', refs.get(0) === call);
      break;
    case 'catch-in': exports.outer(-2); break;
    case 'shield': check('shield(-1) did not catch', exports.shield(-1) === 1); break;
    case 'trap': expectThrow('trap()', () => exports.trap(), WebAssembly.RuntimeError); break;
    case 'uncaught': exports.outer(-1); break;
    case 'start':
      expectThrow('new Instance', () => new WebAssembly.Instance(module, imports(-1)), Error);
      await expectRejection('instantiate', WebAssembly.instantiate(module, imports(-1)));
      break;
    default: check(`unknown step ${step}`, false);
  }
}
