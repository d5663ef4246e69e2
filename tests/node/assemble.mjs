// assemble.mjs — test helper: assembles a hand-instrumented .wat file with
// wat2wasm ($WAT2WASM) and appends the wprof.functions custom section that
// wasm-instrument would have written, encoded here independently of the
// host's parser (docs/probe-abi.md, "The wprof.functions custom section").

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
const WAT2WASM = process.env.WAT2WASM || 'wat2wasm';

function uleb(value) {
  const bytes = [];
  for (;;) {
    const low = value % 128;
    value = Math.floor(value / 128);
    if (value === 0) return [...bytes, low];
    bytes.push(low | 0x80);
  }
}

const lengthPrefixed = (bytes) => [...uleb(bytes.length), ...bytes];

// names: one per defined function, in fid order; flags: same order (default 1).
export function functionsSection({ abiVersion = 1, importedFuncs, names, flags = [] }) {
  const payload = [...uleb(abiVersion), ...uleb(importedFuncs), ...uleb(names.length)];
  names.forEach((name, fid) => {
    payload.push(...uleb(fid), ...uleb(importedFuncs + fid), ...uleb(0), ...uleb(flags[fid] ?? 1),
      ...lengthPrefixed([...Buffer.from(name, 'utf8')]));
  });
  const body = [...lengthPrefixed([...Buffer.from('wprof.functions')]), ...payload];
  return Buffer.from([0, ...lengthPrefixed(body)]);
}

// Returns the binary of tests/node/<name>.wat, with `section` appended if given.
export function assemble(name, { features = [], section = null } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-node-test-'));
  try {
    const out = path.join(dir, `${name}.wasm`);
    execFileSync(WAT2WASM, [...features, path.join(HERE, `${name}.wat`), '-o', out]);
    const bytes = fs.readFileSync(out);
    return section ? Buffer.concat([bytes, section]) : bytes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
