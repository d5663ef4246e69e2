// wasm-builder.mjs — the little WebAssembly binary encoder the spec harness
// needs to build its helper modules (the `spectest` module and the invoke
// wrappers of run-spec.mjs) without a text-format toolchain at run time.

export const VALUE_TYPE_CODES = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f,
};

export function unsignedLeb(value) {
  let n = BigInt(value);
  const bytes = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n !== 0n);
  return bytes;
}

export function signedLeb(value) {
  let n = BigInt(value);
  const bytes = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

export const vec = (items) => [...unsignedLeb(items.length), ...items.flat()];
export const utf8 = (text) => vec([...new TextEncoder().encode(text)]);

// sections: { type: [...], import: [...], function: [...], table: [...],
// memory: [...], global: [...], export: [...], code: [...] }, each a list of
// already-encoded entries (byte arrays), in binary-format section order.
const SECTION_IDS = { type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, code: 10 };

export function encodeModule(sections) {
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const [name, id] of Object.entries(SECTION_IDS)) {
    const entries = sections[name];
    if (!entries || entries.length === 0) continue;
    const body = vec(entries);
    bytes.push(id, ...unsignedLeb(body.length), ...body);
  }
  return new Uint8Array(bytes);
}

export const funcType = (params, results) =>
  [0x60, ...vec(params.map((t) => [VALUE_TYPE_CODES[t]])), ...vec(results.map((t) => [VALUE_TYPE_CODES[t]]))];

// A code entry: `locals` is a list of value types, `body` the instructions (without the final end).
export function codeEntry(locals, body) {
  const entry = [...vec(locals.map((t) => [1, VALUE_TYPE_CODES[t]])), ...body, 0x0b];
  return [...unsignedLeb(entry.length), ...entry];
}
