// stand-in-rewriter.mjs — fake rewriters for the harness self-test, run as
//   node stand-in-rewriter.mjs MODE in.wasm out.wasm
// Every mode refuses modules the engine finds invalid, with one line.
//   copy     writes the module unchanged: everything must still pass
//   break42  changes every `i32.const 42` into `i32.const 43`: behaviour changes
//   sloppy   breaks the refusal contract: on a valid module it writes the
//            output yet exits 1; on an invalid one it prints two lines
import fs from 'node:fs';

const [mode, input, output] = process.argv.slice(2);
const bytes = fs.readFileSync(input);
const I32_CONST = 0x41;

if (!WebAssembly.validate(bytes)) {
  process.stderr.write(mode === 'sloppy' ? 'warning: something\nerror: invalid\n' : `${input}: invalid module\n`);
  process.exit(1);
}
if (mode === 'break42') {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === I32_CONST && bytes[i + 1] === 42) bytes[i + 1] = 43;
  }
}
fs.writeFileSync(output, bytes);
process.exit(mode === 'sloppy' ? 1 : 0);
