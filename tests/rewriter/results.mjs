// Reading the reference host's results (runtime-shim/js/wprof-host.mjs):
// call paths are a parent-linked table; these helpers spell them out.

// path id -> [fid, ...] from the root down
export function pathFids(results) {
  const byId = new Map(results.paths.map((p) => [p.id, p]));
  const memo = new Map();
  const fidsOf = (id) => {
    if (id === null) return [];
    if (!memo.has(id)) memo.set(id, [...fidsOf(byId.get(id).parent), byId.get(id).fid]);
    return memo.get(id);
  };
  return fidsOf;
}

// 'outer;inner' -> calls of that path
export function pathCalls(results) {
  const fidsOf = pathFids(results);
  const name = new Map(results.functions.map((f) => [f.fid, f.name]));
  const out = {};
  for (const p of results.paths) out[fidsOf(p.id).map((fid) => name.get(fid)).join(';')] = p.calls;
  return out;
}

// function name -> calls, for the functions that were called
export function callsByName(results) {
  const counts = {};
  for (const f of results.functions) if (results.calls[f.fid]) counts[f.name] = results.calls[f.fid];
  return counts;
}

// Allocation facts per function: a site is credited to the innermost frame
// of its call path that is not an allocator (testdata/README.md).
export function allocationsByFunction(results) {
  const fidsOf = pathFids(results);
  const byFid = new Map(results.functions.map((f) => [f.fid, f]));
  const totals = {};
  for (const site of results.alloc.sites) {
    const owner = [...fidsOf(site.path)].reverse().map((fid) => byFid.get(fid)).find((f) => f.allocator === 'none');
    const name = owner ? owner.name : '';
    const t = (totals[name] ??= { allocs: { objects: 0, bytes: 0 }, frees: { objects: 0, bytes: 0 } });
    t.allocs.objects += site.allocs;
    t.allocs.bytes += site.bytes;
    t.frees.objects += site.frees;
    t.frees.bytes += site.freedBytes;
  }
  return totals;
}
