#!/usr/bin/env node
// top-calls.mjs — summarises the results JSON of the reference JS host
// (wprof-host.mjs dump(), as written by wprof-node.mjs --json or
// ruby-driver.mjs --json): the N functions called most, and the event totals.
//
//   node top-calls.mjs RESULTS.json [N]
//
// Exit status 1 when the probe events are not well nested: a protocol error,
// or enters != exits + frames unwound (by a catch, a trap or proc_exit).

import fs from 'node:fs';

const [file, count = '10'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: top-calls.mjs RESULTS.json [N]\n');
  process.exit(2);
}
const results = JSON.parse(fs.readFileSync(file, 'utf8'));
const ranked = results.calls.map((calls, fid) => ({ calls, fid, name: results.functions[fid]?.name ?? `fid ${fid}` }))
  .filter((f) => f.calls > 0)
  .sort((a, b) => b.calls - a.calls || a.fid - b.fid);
console.log('      calls    fid  function');
for (const f of ranked.slice(0, Number(count))) {
  console.log(`${String(f.calls).padStart(11)} ${String(f.fid).padStart(6)}  ${f.name}`);
}
const { enters, exits, unwound, maxDepth, protocolErrors } = results;
console.log(`functions ${results.functions.length}, called ${ranked.length}; enters ${enters}, exits ${exits}, ` +
  `unwound ${unwound}, max depth ${maxDepth}, protocol errors ${protocolErrors}; ` +
  `allocs ${results.alloc.allocs}, frees ${results.alloc.frees}, peak ${results.alloc.peakBytes} bytes`);
if (protocolErrors !== 0 || enters !== exits + unwound) {
  console.log('top-calls: the probe events are not well nested');
  process.exitCode = 1;
}
