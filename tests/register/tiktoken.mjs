// tests/register/tiktoken.mjs: an application of @dqbd/tiktoken from npm
// (OpenAI's BPE tokenizer, Rust built with wasm-bindgen for Node), its
// "lite" glue untouched, given the directory of a copy of that build:
//   node tiktoken.mjs LITE-DIR E K
// It makes a tokenizer of its own small vocabulary (the 256 bytes, then
// "ab" 256, "abc" 257, "cd" 258; pieces: runs of [a-z] and runs of the
// rest), encodes 'abcd xab' E times and 'naïve' once (not ASCII: the glue
// copies it in with malloc, then reallocs twice: grown to 3 bytes for each
// character from the ï on, shrunk to the bytes written), frees the tokenizer, encodes
// with the freed one K times (wasm-bindgen's "null pointer passed to rust",
// a JavaScript Error thrown by the import __wbindgen_throw through the
// guest's frames, caught here), then makes a second tokenizer, encodes
// once with it and frees it. register-tests.sh checks the calls of the
// exports under the register module. Exits 2 if a token list is not the
// one derived by hand or the Error is not the expected one.
import { createRequire } from 'node:module';

const [dir, eText, kText] = process.argv.slice(2);
const { Tiktoken } = createRequire(import.meta.url)(`${dir}/tiktoken.cjs`);

const base64 = (text) => Buffer.from(text, 'latin1').toString('base64');
const ranks = [...Array.from({ length: 256 }, (_, b) => `${base64(String.fromCharCode(b))} ${b}`),
  `${base64('ab')} 256`, `${base64('abc')} 257`, `${base64('cd')} 258`].join('\n');
const tokenizer = () => new Tiktoken(ranks, { '<|end|>': 1000 }, '[a-z]+|[^a-z]+');

function check(what, ok) {
  if (!ok) {
    process.stderr.write(`tiktoken.mjs: ${what}\n`);
    process.exit(2);
  }
}
// abcd: a b c d, merged by rank: ab c d, then abc d (cd cannot merge any more)
const expectTokens = (enc, text, tokens) => {
  const got = Array.from(enc.encode(text));
  check(`${text}: tokens ${got}, expected ${tokens}`, got.join() === tokens.join());
};

let enc = tokenizer();
for (let i = 0; i < Number(eText); i++) expectTokens(enc, 'abcd xab', [257, 100, 32, 120, 256]);
expectTokens(enc, 'naïve', [110, 97, 0xc3, 0xaf, 118, 101]); // ï is 2 bytes in UTF-8
enc.free();
for (let i = 0; i < Number(kText); i++) {
  try {
    enc.encode('abc');
    check('an encode with a freed tokenizer did not throw', false);
  } catch (error) {
    check(`the freed tokenizer threw ${error}`, error.message === 'null pointer passed to rust');
  }
}
enc = tokenizer();
expectTokens(enc, 'abcd xab', [257, 100, 32, 120, 256]);
enc.free();
