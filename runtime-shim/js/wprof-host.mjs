// wprof-host.mjs — the reference JavaScript host for the wprof probe ABI,
// versions 1 to 3 (docs/probe-abi.md; its C twin is abi/wprof-abi.h, and
// tests/node/abi.test.mjs checks that the two agree). Dependency-free ES module for Node 20 (any
// engine with WebAssembly SIMD, BigInt integration and customSections works).
//
// A module rewritten by wasm-instrument imports its probes from "wprof"; this
// file provides them and keeps, per instance, a shadow stack of function ids
// that builds a calling-context tree (exact call counts per function and per
// call path) plus a map of live heap blocks fed by the allocation probes.
//
//   const module = await WebAssembly.compile(bytes);
//   const host = createWprofHost(module);            // one host per instance
//   const instance = await WebAssembly.instantiate(module,
//       { ...host.imports, wasi_snapshot_preview1: wasi.wasiImport });
//   host.attach(instance);                            // reads its instruction counter, if any
//   try { wasi.start(instance); } finally { host.unwindAll(); }
//   console.log(host.dump());
//
// The exit_T probes must hand their value back bit for bit. A JavaScript
// function cannot: V8 quiets a signalling f32 NaN on its way into JS, and
// v128 values cannot enter JS at all. So the exit_T probes are served by a
// tiny generated wasm module (see trampolineModule) whose functions call the
// JS `exit` probe with the id and return their value without it leaving wasm.

export const WPROF_ABI_VERSION = 3; // 2 = 1 + the count probe; 3 = 2 + the instruction counter
export const WPROF_ABI_VERSION_MIN = 1;
export const WPROF_ABI_IMPORT_MODULE = 'wprof';
export const WPROF_ABI_FUNCTIONS_SECTION = 'wprof.functions';
export const WPROF_ABI_SOURCES_SECTION = 'wprof.sources'; // optional: functions' source files and lines
export const WPROF_ABI_COST_EXPORT = 'wprof.cost'; // wasm-instrument --cost: instructions executed

// Flag bits and allocator kinds of the wprof.functions section.
export const FLAG_ENTER_EXIT = 1 << 0;
export const FLAG_CATCH = 1 << 1;
export const FLAG_FRAMELESS = 1 << 2;
export const ALLOCATOR_KINDS = ['none', 'malloc', 'calloc', 'realloc', 'free',
  'aligned_alloc', 'posix_memalign', 'rust_realloc'];

// Value types of the exit_T probes and their binary-format type codes.
const EXIT_VALUE_TYPES = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b,
  funcref: 0x70, externref: 0x6f,
};

export const PROBE_NAMES = ['enter', 'exit', 'count', 'frame', 'catch', 'alloc', 'realloc', 'free',
  ...Object.keys(EXIT_VALUE_TYPES).map((type) => `exit_${type}`)];

// ---------------------------------------------------------------------------
// The wprof.functions custom section.

// Reads unsigned LEB128 integers and strings from a byte array.
class ByteReader {
  constructor(bytes) { this.bytes = bytes; this.pos = 0; }

  u32() {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.bytes.length) throw new Error('wprof.functions: truncated');
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new Error('wprof.functions: integer too large');
        return value;
      }
    }
    throw new Error('wprof.functions: integer too long');
  }

  string() {
    const length = this.u32();
    if (this.pos + length > this.bytes.length) throw new Error('wprof.functions: truncated');
    const text = new TextDecoder('utf-8', { fatal: true })
      .decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
}

// Returns { importedFuncs, functions: [{ fid, funcIndex, codeOffset, flags,
// allocator, name }] } from a compiled module's wprof.functions section, or
// null when the module has none (then functions are named "fid N").
export function readFunctionTable(module) {
  const sections = WebAssembly.Module.customSections(module, WPROF_ABI_FUNCTIONS_SECTION);
  if (sections.length === 0) return null;
  if (sections.length > 1) throw new Error('wprof.functions: more than one section');
  const reader = new ByteReader(new Uint8Array(sections[0]));
  const abiVersion = reader.u32();
  if (abiVersion < WPROF_ABI_VERSION_MIN || abiVersion > WPROF_ABI_VERSION) {
    throw new Error(`wprof.functions: ABI version ${abiVersion} is not supported (this host speaks ${WPROF_ABI_VERSION})`);
  }
  const importedFuncs = reader.u32();
  const count = reader.u32();
  const functions = [];
  for (let i = 0; i < count; i++) {
    const fid = reader.u32();
    if (fid !== i) throw new Error(`wprof.functions: entry ${i} has fid ${fid}`);
    const funcIndex = reader.u32();
    const codeOffset = reader.u32();
    const flags = reader.u32();
    const name = reader.string();
    const allocator = ALLOCATOR_KINDS[(flags >> 8) & 0xff] ?? `kind ${(flags >> 8) & 0xff}`;
    functions.push({ fid, funcIndex, codeOffset, flags, allocator, name });
  }
  if (reader.pos !== reader.bytes.length) throw new Error('wprof.functions: trailing bytes');
  return { importedFuncs, functions };
}

// ---------------------------------------------------------------------------
// The exit_T trampolines: a wasm module importing wprof.exit and exporting,
// for every value type T, exit_T(fid, v) = { exit(fid); return v; }.

function uleb(value) {
  const bytes = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

const vector = (items) => [...uleb(items.length), ...items.flat()];
const name = (text) => vector([...new TextEncoder().encode(text)]);
const section = (id, items) => { const body = vector(items); return [id, ...uleb(body.length), ...body]; };

let trampolineModuleCache = null;

function trampolineModule() {
  if (trampolineModuleCache) return trampolineModuleCache;
  const I32 = EXIT_VALUE_TYPES.i32;
  const FUNC = 0x60, IMPORT_FUNC = 0x00, EXPORT_FUNC = 0x00;
  const LOCAL_GET = 0x20, CALL = 0x10, END = 0x0b;
  const types = Object.values(EXIT_VALUE_TYPES);
  const body = [0 /* no locals */, LOCAL_GET, 0, CALL, 0, LOCAL_GET, 1, END];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // type 0 is exit's (i32) -> (); type k+1 is (i32, T) -> T.
    ...section(1, [[FUNC, 1, I32, 0], ...types.map((t) => [FUNC, 2, I32, t, 1, t])]),
    ...section(2, [[...name('wprof'), ...name('exit'), IMPORT_FUNC, 0]]),
    ...section(3, types.map((_, k) => uleb(k + 1))),
    ...section(7, Object.keys(EXIT_VALUE_TYPES).map((type, k) =>
      [...name(`exit_${type}`), EXPORT_FUNC, ...uleb(k + 1)])),
    ...section(10, types.map(() => [...uleb(body.length), ...body])),
  ];
  trampolineModuleCache = new WebAssembly.Module(new Uint8Array(bytes));
  return trampolineModuleCache;
}

// The exit_T probes, { exit_i32, exit_i64, ... }, for an `exit(fid)` probe
// (a JavaScript function, or a native one such as wprof_node.node's): each
// calls exit(fid) and returns its value without it entering JavaScript.
export function exitTrampolines(exit) {
  const trampolines = new WebAssembly.Instance(trampolineModule(), { wprof: { exit } }).exports;
  return Object.fromEntries(Object.keys(EXIT_VALUE_TYPES).map((type) => [`exit_${type}`, trampolines[`exit_${type}`]]));
}

// ---------------------------------------------------------------------------
// The instruction counter for native probes: a host whose probes cannot
// read a wasm global (an N-API addon) gets wasm trampolines that pass the
// guest's `wprof.cost` counter along as two i32 (low, high), e.g. enter(fid)
// calls enterCounted(fid, low, high); catch(fid, depth) calls
// catchCounted(fid, depth, low, high). The counter exists only once the
// guest is instantiated, after its imports were bound, so the guest's
// enter/exit/count/catch reach the trampolines through a table:
//
//   const c = counterTrampolines(native);     // { enterCounted, exitCounted, countCounted, catchCounted }
//   ... instantiate the guest with c.probes as its enter/exit/count/catch ...
//   c.bind(instance.exports['wprof.cost']);   // until then they pass a counter of 0

const COUNTED = ['enter', 'exit', 'count', 'catch'];

function counterModules() {
  const I32 = EXIT_VALUE_TYPES.i32, I64 = EXIT_VALUE_TYPES.i64, FUNC = 0x60;
  const LOCAL_GET = 0x20, GLOBAL_GET = 0x23, CALL = 0x10, CALL_INDIRECT = 0x11, END = 0x0b;
  const I32_CONST = 0x41, I64_CONST = 0x42, I64_SHR_U = 0x88, I32_WRAP_I64 = 0xa7;
  const params = (n) => [FUNC, n, ...Array(n).fill(I32), 0];
  const code = (body) => [...uleb(body.length + 2), 0 /* no locals */, ...body, END];
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const exportProbes = (first) => section(7, COUNTED.map((probe, k) => [...name(probe), 0x00, ...uleb(first + k)]));
  // front: probe k (catch: 2 params, the others 1) = call_indirect table[k]
  const arity = (probe) => (probe === 'catch' ? 2 : 1);
  const front = new WebAssembly.Module(new Uint8Array([
    ...header,
    ...section(1, [params(1), params(2)]),
    ...section(2, [[...name('t'), ...name('table'), 0x01, 0x70, 0x00, ...uleb(COUNTED.length)]]),
    ...section(3, COUNTED.map((probe) => uleb(arity(probe) - 1))),
    ...exportProbes(0),
    ...section(10, COUNTED.map((probe, k) => code([
      ...Array.from({ length: arity(probe) }, (_, i) => [LOCAL_GET, i]).flat(),
      I32_CONST, ...uleb(k), CALL_INDIRECT, arity(probe) - 1, 0x00]))),
  ]));
  // reader: probe k = native probe k (imported function k) with the counter's halves
  const half = (high) => [GLOBAL_GET, 0, ...(high ? [I64_CONST, 32, I64_SHR_U] : []), I32_WRAP_I64];
  const reader = new WebAssembly.Module(new Uint8Array([
    ...header,
    ...section(1, [params(1), params(2), params(3), params(4)]),
    ...section(2, [
      ...COUNTED.map((probe) => [...name('native'), ...name(`${probe}Counted`), 0x00, arity(probe) + 1]),
      [...name('g'), ...name('cost'), 0x03, I64, 0x01],
    ]),
    ...section(3, COUNTED.map((probe) => uleb(arity(probe) - 1))),
    ...exportProbes(COUNTED.length), // after the imported native probes
    ...section(10, COUNTED.map((probe, k) => code([
      ...Array.from({ length: arity(probe) }, (_, i) => [LOCAL_GET, i]).flat(),
      ...half(false), ...half(true), CALL, k]))),
  ]));
  return { front, reader };
}

export function counterTrampolines(native) {
  const { front, reader } = counterModules();
  const table = new WebAssembly.Table({ initial: COUNTED.length, element: 'anyfunc' });
  const probes = new WebAssembly.Instance(front, { t: { table } }).exports;
  const bind = (cost) => {
    const r = new WebAssembly.Instance(reader, { native, g: { cost } }).exports;
    COUNTED.forEach((probe, k) => table.set(k, r[probe]));
  };
  bind(new WebAssembly.Global({ value: 'i64', mutable: true }, 0n));
  return { probes: { ...probes }, bind };
}

// The instruction counter for the wasm recorder (runtime-shim/wasm-recorder
// built with WREC_COST), which imports it as a function cost() -> i64:
// read() returns the counter of the instance bound later, through a table
// (0 until then), since the counter exists only once the guest is
// instantiated, after the recorder:
//
//   const c = counterReader();                   // { read, bind }
//   ... the recorder instantiated with c.read as its cost, then the guest ...
//   c.bind(instance.exports['wprof.cost']);

let counterReaderCache = null;

function counterReaderModules() {
  if (counterReaderCache) return counterReaderCache;
  const I64 = EXIT_VALUE_TYPES.i64, FUNC = 0x60, END = 0x0b;
  const GLOBAL_GET = 0x23, CALL_INDIRECT = 0x11, I32_CONST = 0x41;
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const code = (body) => [...uleb(body.length + 2), 0 /* no locals */, ...body, END];
  const module = (imports, body) => new WebAssembly.Module(new Uint8Array([
    ...header,
    ...section(1, [[FUNC, 0, 1, I64]]), // type 0: () -> i64
    ...section(2, [imports]),
    ...section(3, [[0]]),
    ...section(7, [[...name('read'), 0x00, 0]]),
    ...section(10, [code(body)]),
  ]));
  counterReaderCache = {
    front: module([...name('t'), ...name('table'), 0x01, 0x70, 0x00, 1], [I32_CONST, 0, CALL_INDIRECT, 0, 0]),
    reader: module([...name('g'), ...name('cost'), 0x03, I64, 0x01], [GLOBAL_GET, 0]),
  };
  return counterReaderCache;
}

export function counterReader() {
  const { front, reader } = counterReaderModules();
  const table = new WebAssembly.Table({ initial: 1, element: 'anyfunc' });
  const bind = (cost) => table.set(0, new WebAssembly.Instance(reader, { g: { cost } }).exports.read);
  bind(new WebAssembly.Global({ value: 'i64', mutable: true }, 0n));
  return { read: new WebAssembly.Instance(front, { t: { table } }).exports.read, bind };
}

// ---------------------------------------------------------------------------
// The host.

// A calling-context tree node: one per distinct call path. Ids count from 1
// in creation order, so a child's id is always greater than its parent's.
function newPathNode(id, fid, parent) {
  return { id, fid, parent, depth: parent ? parent.depth + 1 : 0, calls: 0, unwound: 0,
    inclInstructions: 0n, children: new Map(), alloc: null };
}

function newAllocSite() {
  return { allocs: 0, bytes: 0, frees: 0, freedBytes: 0 };
}

// Creates the probes for one instance of `module` (a WebAssembly.Module).
// Throws if the module imports a "wprof" name that the ABI lacks or if
// its wprof.functions section is malformed.
export function createWprofHost(module) {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === WPROF_ABI_IMPORT_MODULE && !PROBE_NAMES.includes(imp.name)) {
      throw new Error(`wprof: the module imports unknown probe wprof.${imp.name} (this host speaks probe ABI ${WPROF_ABI_VERSION})`);
    }
  }
  const table = readFunctionTable(module);
  const functions = table ? table.functions : [];

  const root = newPathNode(0, -1, null); // stands for the host; not a call path
  const pathNodes = []; // pathNodes[id - 1]
  const stack = []; // path nodes of the open frames, outermost first
  let counter = null; // the instance's instruction counter (a WebAssembly.Global), if it has one
  let counterAtAttach = 0n;
  const entryInstructions = []; // counter.value at the entry of each open frame
  const calls = functions.map(() => 0);
  const events = { enters: 0, exits: 0, unwound: 0, maxDepth: 0, protocolErrors: 0 };

  const liveBlocks = new Map(); // ptr -> { size, site } (site: a path node)
  const freedPointers = new Set(); // freed and not handed out again: double-free detection
  const heap = {
    allocs: 0, reallocs: 0, frees: 0, failed: 0,
    allocatedBytes: 0, freedBytes: 0, liveBytes: 0, peakBytes: 0,
    unknownFrees: 0, doubleFrees: 0, allocsOverLive: 0,
  };

  const top = () => (stack.length > 0 ? stack[stack.length - 1] : root);

  function enter(fid) {
    const parent = top();
    let node = parent.children.get(fid);
    if (!node) {
      node = newPathNode(pathNodes.length + 1, fid, parent);
      parent.children.set(fid, node);
      pathNodes.push(node);
    }
    node.calls++;
    calls[fid] = (calls[fid] ?? 0) + 1;
    stack.push(node);
    if (counter) entryInstructions.push(counter.value);
    events.enters++;
    if (stack.length > events.maxDepth) events.maxDepth = stack.length;
  }

  // Pops the top frame, giving its path the instructions executed inside it.
  function pop() {
    const node = stack.pop();
    if (counter) node.inclInstructions += counter.value - entryInstructions.pop();
    return node;
  }

  function exit(fid) {
    if (stack.length === 0 || top().fid !== fid) {
      events.protocolErrors++;
      return;
    }
    pop();
    events.exits++;
  }

  // Closes every frame deeper than `depth` without an exit.
  function unwindTo(depth) {
    events.unwound += stack.length - depth;
    while (stack.length > depth) pop().unwound++;
  }

  function recordAlloc(ptr, size) {
    if (ptr === 0) {
      heap.failed++;
      return;
    }
    if (liveBlocks.has(ptr)) {
      heap.allocsOverLive++;
      releaseBlock(ptr);
    }
    const site = top();
    site.alloc ??= newAllocSite();
    site.alloc.allocs++;
    site.alloc.bytes += size;
    liveBlocks.set(ptr, { size, site });
    freedPointers.delete(ptr);
    heap.allocs++;
    heap.allocatedBytes += size;
    heap.liveBytes += size;
    if (heap.liveBytes > heap.peakBytes) heap.peakBytes = heap.liveBytes;
  }

  // Frees a live block; returns false (and counts why) if `ptr` is not live.
  function recordFree(ptr) {
    if (!liveBlocks.has(ptr)) {
      if (freedPointers.has(ptr)) heap.doubleFrees++;
      else heap.unknownFrees++;
      return false;
    }
    releaseBlock(ptr);
    freedPointers.add(ptr);
    heap.frees++;
    return true;
  }

  function releaseBlock(ptr) {
    const block = liveBlocks.get(ptr);
    liveBlocks.delete(ptr);
    block.site.alloc.frees++;
    block.site.alloc.freedBytes += block.size;
    heap.freedBytes += block.size;
    heap.liveBytes -= block.size;
  }

  const jsProbes = {
    enter,
    exit,
    count(fid) { // a call counted without a frame: entered and left at once
      enter(fid);
      exit(fid);
    },
    frame: () => stack.length,
    catch(fid, depth) {
      if (depth < 1 || depth > stack.length) {
        events.protocolErrors++;
        return;
      }
      unwindTo(depth);
      if (top().fid !== fid) events.protocolErrors++;
    },
    alloc: (ptr, size) => recordAlloc(ptr >>> 0, size >>> 0),
    realloc(old, ptr, size) {
      [old, ptr, size] = [old >>> 0, ptr >>> 0, size >>> 0];
      if (old === 0) {
        recordAlloc(ptr, size);
      } else if (ptr !== 0) {
        heap.reallocs++;
        recordFree(old);
        recordAlloc(ptr, size);
      } else if (size === 0) {
        recordFree(old);
      } else {
        heap.failed++; // the reallocation failed; `old` stays live
      }
    },
    free(ptr) {
      if (ptr !== 0) recordFree(ptr >>> 0);
    },
  };

  const probes = { ...jsProbes, ...exitTrampolines(exit) };

  // Call paths as a parent-linked table (linear in size even for deep
  // recursion): { id, parent (null for a root), fid, depth, calls, unwound }.
  function results() {
    const idOf = (node) => (node === root ? null : node.id);
    // --cost: exact instruction counts (numbers: exact up to 2^53)
    const instructions = counter ? { instructions: Number(counter.value - counterAtAttach) } : {};
    return {
      abiVersion: WPROF_ABI_VERSION,
      ...instructions,
      functions: functions.map(({ fid, funcIndex, flags, allocator, name }) =>
        ({ fid, funcIndex, name, flags, allocator })),
      calls: Array.from(calls, (n) => n ?? 0),
      paths: pathNodes.map((node) => ({ id: node.id, parent: idOf(node.parent), fid: node.fid,
        depth: node.depth, calls: node.calls, unwound: node.unwound,
        ...(counter ? { inclInstructions: Number(node.inclInstructions) } : {}) })),
      ...events,
      openFrames: stack.length,
      alloc: {
        ...heap,
        liveBlocks: liveBlocks.size,
        // One entry per path that allocated (path null: no frame was open).
        sites: [root, ...pathNodes].filter((node) => node.alloc)
          .map((node) => ({ path: idOf(node), ...node.alloc })),
      },
    };
  }

  return {
    // Pass to WebAssembly.instantiate (merged with the other import modules).
    imports: { wprof: probes },
    // Call once instantiated, before the guest runs: a module rewritten with
    // --cost exports its instruction counter, read at every probe event.
    attach(instance) {
      const global = instance.exports[WPROF_ABI_COST_EXPORT];
      if (global instanceof WebAssembly.Global && typeof global.value === 'bigint' && stack.length === 0) {
        counter = global;
        counterAtAttach = global.value;
      }
    },
    // Call when the engine reports a trap, an uncaught exception or WASI
    // proc_exit: closes every open frame without an exit.
    unwindAll: () => unwindTo(0),
    // The current shadow-stack depth (0 between top-level calls).
    depth: () => stack.length,
    results,
    dump: () => JSON.stringify(results(), null, 2),
  };
}

// The folded stack ("main;parse;malloc") of call path `id` of results(),
// naming functions from results.functions ("fid N" when unnamed).
export function foldedStack(results, id) {
  const names = [];
  for (let path = results.paths[id - 1]; path;
    path = path.parent === null ? null : results.paths[path.parent - 1]) {
    names.push(results.functions[path.fid]?.name ?? `fid ${path.fid}`);
  }
  return names.reverse().join(';');
}
