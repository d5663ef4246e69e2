#!/usr/bin/env node
// run-spec.mjs — runs one WebAssembly spec-suite .wast file in Node, twice:
// once on the modules as written, once on the modules passed through a
// rewriter (wasm-instrument) with the probes of runtime-shim/js/wprof-host.mjs.
//
//   node run-spec.mjs [--rewriter "CMD"] [--wast2json PATH] [--verbose] FILE.wast
//
// The rewriter is run as `CMD in.wasm out.wasm`: exit 0 means it wrote
// out.wasm, anything else that it refused with a one-line message on stderr
// and left no output file. The rule checked for every module:
//   - a valid module is either refused, or every assertion that passes on the
//     original passes on the rewritten one, and at the end every probe host
//     of the run has enters == exits + unwound and no out-of-order probe;
//     after each call that returns normally no frame may be left open;
//   - an assert_invalid / assert_malformed binary module must be refused.
// Values cross the JS boundary only as integer bits (see makeWrapper), so
// NaN payloads and v128 values are compared bit for bit.
//
// Output: failures, a one-line summary per pass, and the last line
// `N passed, N failed` (checks of both passes). Modules this engine cannot
// compile (proposals Node 20 lacks) are reported as skipped with the
// commands that use them. Exit status: 0 all checks passed, 1 some failed,
// 77 nothing could run (all skipped; CTest SKIP_RETURN_CODE), 2 setup error.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { createWprofHost } from '../../runtime-shim/js/wprof-host.mjs';
import { VALUE_TYPE_CODES, codeEntry, encodeModule, funcType, signedLeb, unsignedLeb, utf8, vec }
  from './wasm-builder.mjs';

const EXIT_FAILED = 1, EXIT_SETUP = 2, EXIT_ALL_SKIPPED = 77;
const MAX_REPORTED_FAILURES = 30;

// wast2json flags for files of proposals that are not on by default in wabt 1.0.32.
const WAST2JSON_FLAGS = [
  [/^(try_catch|throw|rethrow|delegate|tag|exception)/, ['--enable-exceptions']],
  [/^return_call/, ['--enable-tail-call']],
  [/64\.wast$|^memory64/, ['--enable-memory64']],
  [/^multi-memory|^memory_multi/, ['--enable-multi-memory']],
  [/^extended_const/, ['--enable-extended-const']],
  [/^relaxed_/, ['--enable-relaxed-simd']],
];

function parseArguments(argv) {
  const options = { rewriter: null, wast2json: 'wast2json', verbose: false, wast: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--rewriter' && i + 1 < argv.length) options.rewriter = argv[++i].split(/\s+/).filter(Boolean);
    else if (arg === '--wast2json' && i + 1 < argv.length) options.wast2json = argv[++i];
    else if (arg === '--verbose') options.verbose = true;
    else if (!arg.startsWith('--') && !options.wast) options.wast = arg;
    else setupError(`unexpected argument ${arg} (usage: run-spec.mjs [--rewriter CMD] [--wast2json PATH] [--verbose] FILE.wast)`);
  }
  if (!options.wast) setupError('usage: run-spec.mjs [--rewriter CMD] [--wast2json PATH] [--verbose] FILE.wast');
  return options;
}

function setupError(message) {
  process.stderr.write(`run-spec: ${message}\n`);
  process.exit(EXIT_SETUP);
}

// ---------------------------------------------------------------------------
// Values: spec-test JSON values <-> the integer bits that cross into JS.

// Lowered types: how each wasm type travels through an invoke wrapper.
const LOWERED = {
  i32: ['i32'], i64: ['i64'], f32: ['i32'], f64: ['i64'], v128: ['i64', 'i64'],
  funcref: ['funcref'], externref: ['externref'],
};

const externrefs = new Map(); // (ref.extern N) -> one JS object per N
function externref(n) {
  if (!externrefs.has(n)) externrefs.set(n, { externref: n });
  return externrefs.get(n);
}

const LANE_BYTES = { i8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 };

function v128Bytes(laneType, lanes) {
  const view = new DataView(new ArrayBuffer(16));
  const width = LANE_BYTES[laneType];
  lanes.forEach((lane, k) => {
    const bits = BigInt(lane);
    if (width === 8) view.setBigUint64(k * 8, BigInt.asUintN(64, bits), true);
    else if (width === 4) view.setUint32(k * 4, Number(BigInt.asUintN(32, bits)), true);
    else if (width === 2) view.setUint16(k * 2, Number(BigInt.asUintN(16, bits)), true);
    else view.setUint8(k, Number(BigInt.asUintN(8, bits)));
  });
  return view;
}

// A JSON argument -> the JS values of its lowered form.
function lowerArgument({ type, value, lane_type: laneType }) {
  switch (type) {
    case 'i32': case 'f32': return [Number(BigInt.asIntN(32, BigInt(value)))];
    case 'i64': case 'f64': return [BigInt.asIntN(64, BigInt(value))];
    case 'v128': {
      const view = v128Bytes(laneType, value);
      return [view.getBigInt64(0, true), view.getBigInt64(8, true)];
    }
    case 'externref': return [value === 'null' ? null : externref(value)];
    case 'funcref': return [null]; // the suite passes only null funcrefs
    default: throw new Error(`unsupported argument type ${type}`);
  }
}

const F32_QUIET = 0x7fc00000, F32_ABS = 0x7fffffff;
const F64_QUIET = 0x7ff8000000000000n, F64_ABS = 0x7fffffffffffffffn;

function matchF32(bits, expected) {
  if (expected === 'nan:canonical') return (bits & F32_ABS) === F32_QUIET;
  if (expected === 'nan:arithmetic') return (bits & F32_QUIET) === F32_QUIET;
  return bits === Number(expected);
}

function matchF64(bits, expected) {
  if (expected === 'nan:canonical') return (bits & F64_ABS) === F64_QUIET;
  if (expected === 'nan:arithmetic') return (bits & F64_QUIET) === F64_QUIET;
  return bits === BigInt(expected);
}

// Does the lowered result (consumed from `values`) match the JSON expectation?
function matchResult(expected, values) {
  const take = () => values.shift();
  switch (expected.type) {
    case 'i32': return (take() >>> 0) === Number(expected.value);
    case 'i64': return BigInt.asUintN(64, take()) === BigInt(expected.value);
    case 'f32': return matchF32(take() >>> 0, expected.value);
    case 'f64': return matchF64(BigInt.asUintN(64, take()), expected.value);
    case 'v128': {
      const view = new DataView(new ArrayBuffer(16));
      view.setBigInt64(0, take(), true);
      view.setBigInt64(8, take(), true);
      const width = LANE_BYTES[expected.lane_type];
      return expected.value.every((lane, k) => {
        const at = k * width;
        switch (expected.lane_type) {
          case 'f32': return matchF32(view.getUint32(at, true), lane);
          case 'f64': return matchF64(view.getBigUint64(at, true), lane);
          case 'i64': return view.getBigUint64(at, true) === BigInt.asUintN(64, BigInt(lane));
          case 'i32': return view.getUint32(at, true) === Number(BigInt.asUintN(32, BigInt(lane)));
          case 'i16': return view.getUint16(at, true) === Number(BigInt.asUintN(16, BigInt(lane)));
          default: return view.getUint8(at) === Number(BigInt.asUintN(8, BigInt(lane)));
        }
      });
    }
    case 'externref': case 'funcref': {
      const ref = take();
      if (expected.value === undefined) return ref !== null; // any non-null reference
      if (expected.value === 'null') return ref === null;
      return ref === externref(expected.value);
    }
    default: throw new Error(`unsupported result type ${expected.type}`);
  }
}

function describeValues(values) {
  return values.map((v) => (typeof v === 'bigint' ? `0x${BigInt.asUintN(64, v).toString(16)}`
    : typeof v === 'number' ? `0x${(v >>> 0).toString(16)}`
    : v === null ? 'null' : typeof v === 'function' ? 'funcref' : JSON.stringify(v))).join(' ');
}

function describeExpected(expected) {
  return expected.map((e) => `${e.type}:${Array.isArray(e.value) ? `${e.lane_type}[${e.value.join(' ')}]` : e.value ?? 'non-null'}`).join(' ');
}

// ---------------------------------------------------------------------------
// Helper modules.

// Invoke wrappers: `call` takes the lowered arguments, rebuilds the real
// values inside wasm, calls the target and returns its results lowered, so
// no float or v128 value ever crosses the JS boundary.
const OP = {
  localGet: 0x20, localSet: 0x21, call: 0x10, globalGet: 0x23,
  f32FromBits: 0xbe, f64FromBits: 0xbf, f32ToBits: 0xbc, f64ToBits: 0xbd,
  simd: 0xfd, i64x2Splat: 0x12, i64x2ExtractLane: 0x1d, i64x2ReplaceLane: 0x1e,
};

function raiseParameter(type, local) {
  switch (type) {
    case 'f32': return [OP.localGet, local, OP.f32FromBits];
    case 'f64': return [OP.localGet, local, OP.f64FromBits];
    case 'v128': return [OP.localGet, local, OP.simd, OP.i64x2Splat,
      OP.localGet, local + 1, OP.simd, OP.i64x2ReplaceLane, 1];
    default: return [OP.localGet, local];
  }
}

function lowerResult(type, local) {
  switch (type) {
    case 'f32': return [OP.localGet, ...unsignedLeb(local), OP.f32ToBits];
    case 'f64': return [OP.localGet, ...unsignedLeb(local), OP.f64ToBits];
    case 'v128': return [OP.localGet, ...unsignedLeb(local), OP.simd, OP.i64x2ExtractLane, 0,
      OP.localGet, ...unsignedLeb(local), OP.simd, OP.i64x2ExtractLane, 1];
    default: return [OP.localGet, ...unsignedLeb(local)];
  }
}

const wrapperModules = new Map(); // signature -> WebAssembly.Module

// kind: 'func' (target is a function) or 'global' / 'mutable global' (a get).
function wrapperModule(kind, params, results) {
  const key = `${kind}:${params.join(',')}->${results.join(',')}`;
  if (wrapperModules.has(key)) return wrapperModules.get(key);
  const lowParams = params.flatMap((t) => LOWERED[t]);
  const lowResults = results.flatMap((t) => LOWERED[t]);
  const body = [];
  let imported;
  if (kind === 'func') {
    imported = [0x00, 0]; // function of type 0
    let local = 0;
    for (const t of params) { body.push(...raiseParameter(t, local)); local += LOWERED[t].length; }
    body.push(OP.call, 0);
  } else {
    imported = [0x03, VALUE_TYPE_CODES[results[0]], kind === 'global' ? 0 : 1];
    body.push(OP.globalGet, 0);
  }
  // Results come off the stack last first into locals, then go back lowered in order.
  const firstResultLocal = lowParams.length;
  results.map((_, k) => k).reverse().forEach((k) => body.push(OP.localSet, ...unsignedLeb(firstResultLocal + k)));
  results.forEach((t, k) => body.push(...lowerResult(t, firstResultLocal + k)));
  const module = new WebAssembly.Module(encodeModule({
    type: [funcType(params, results), funcType(lowParams, lowResults)],
    import: [[...utf8('target'), ...utf8('target'), ...imported]],
    function: [[1]],
    export: [[...utf8('call'), 0x00, kind === 'func' ? 1 : 0]],
    code: [codeEntry(results, body)],
  }));
  wrapperModules.set(key, module);
  return module;
}

const wrappers = new WeakMap(); // target -> (signature -> wrapper function)

function wrap(kind, target, params, results) {
  const module = wrapperModule(kind, params, results);
  if (!wrappers.has(target)) wrappers.set(target, new Map());
  const cache = wrappers.get(target);
  if (!cache.has(module)) {
    cache.set(module, new WebAssembly.Instance(module, { target: { target } }).exports.call);
  }
  return cache.get(module);
}

// The `spectest` module of the reference interpreter, as a real wasm module
// so that an import of the wrong type fails to link as the spec requires.
function spectestModule() {
  const printers = [['print', []], ['print_i32', ['i32']], ['print_i64', ['i64']], ['print_f32', ['f32']],
    ['print_f64', ['f64']], ['print_i32_f32', ['i32', 'f32']], ['print_f64_f64', ['f64', 'f64']]];
  const f32 = new Uint8Array(new Float32Array([666.6]).buffer);
  const f64 = new Uint8Array(new Float64Array([666.6]).buffer);
  const globals = [
    ['global_i32', 'i32', [0x41, ...signedLeb(666)]],
    ['global_i64', 'i64', [0x42, ...signedLeb(666)]],
    ['global_f32', 'f32', [0x43, ...f32]],
    ['global_f64', 'f64', [0x44, ...f64]],
  ];
  return new WebAssembly.Module(encodeModule({
    type: printers.map(([, params]) => funcType(params, [])),
    function: printers.map((_, k) => [k]),
    table: [[VALUE_TYPE_CODES.funcref, 0x01, 10, 20]],
    memory: [[0x01, 1, 2]],
    global: globals.map(([, type, init]) => [VALUE_TYPE_CODES[type], 0, ...init, 0x0b]),
    export: [
      ...printers.map(([name], k) => [...utf8(name), 0x00, k]),
      [...utf8('table'), 0x01, 0], [...utf8('memory'), 0x02, 0],
      ...globals.map(([name], k) => [...utf8(name), 0x03, k]),
    ],
    code: printers.map(() => codeEntry([], [])),
  }));
}

// ---------------------------------------------------------------------------
// One pass over the script's commands.

class Outcome {
  constructor() {
    this.passed = 0; this.failed = 0; this.skipped = 0; this.failures = [];
    this.unsupported = null; // the first engine error that made a module skipped
  }
  pass() { this.passed++; }
  skip() { this.skipped++; }
  fail(line, message) { this.failed++; this.failures.push(`line ${line}: ${message}`); }
}

// A "world" holds the instances of one pass: registered names, named
// modules, the current module and, in the instrumented pass, one probe host
// per instrumented instance.
class World {
  constructor(label, moduleFile) {
    this.label = label;
    this.moduleFile = moduleFile; // (filename) -> { path, counted } or null (refused: use original, not counted)
    this.registry = new Map([['spectest', new WebAssembly.Instance(spectestModule()).exports]]);
    this.named = new Map();
    this.current = null;
    this.hosts = [];
    this.outcome = new Outcome();
  }

  importsFor(module, host) {
    const imports = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      if (from === 'wprof' && host) continue;
      const exports = this.registry.get(from);
      if (exports && name in exports) (imports[from] ??= {})[name] = exports[name];
    }
    return host ? { ...imports, ...host.imports } : imports;
  }

  // Compiles and instantiates; returns { instance, host } or throws.
  instantiate(file) {
    const module = new WebAssembly.Module(fs.readFileSync(file));
    const instrumented = WebAssembly.Module.imports(module).some((i) => i.module === 'wprof');
    const host = instrumented ? createWprofHost(module) : null;
    if (host) this.hosts.push(host);
    try {
      return { instance: new WebAssembly.Instance(module, this.importsFor(module, host)), host };
    } catch (error) {
      this.closeOpenFrames();
      throw error;
    }
  }

  // After a trap or an exception every open frame is closed, as a host must.
  closeOpenFrames() { for (const host of this.hosts) host.unwindAll(); }

  // After a normal return no instrumented frame may remain open.
  openFrames() { return this.hosts.reduce((sum, host) => sum + host.depth(), 0); }
}

function isUnsupportedByEngine(error) {
  return error instanceof WebAssembly.CompileError;
}

// Runs an action on target; returns the lowered results or throws what the engine threw.
function perform(target, action) {
  const resultTypes = action.expectedTypes;
  if (action.type === 'get') {
    const global = target.instance.exports[action.field];
    try {
      return [wrap('global', global, [], resultTypes)()].flat();
    } catch (error) {
      if (!(error instanceof WebAssembly.LinkError)) throw error;
      return [wrap('mutable global', global, [], resultTypes)()].flat();
    }
  }
  const func = target.instance.exports[action.field];
  if (typeof func !== 'function') throw new Error(`no exported function "${action.field}"`);
  const call = wrap('func', func, action.args.map((a) => a.type), resultTypes);
  const lowered = call(...action.args.flatMap(lowerArgument));
  const count = resultTypes.flatMap((t) => LOWERED[t]).length;
  return count === 1 ? [lowered] : count === 0 ? [] : lowered;
}

function errorName(error) {
  return `${error?.constructor?.name ?? 'error'}: ${error?.message ?? error}`;
}

function runPass(world, commands, dir, modulesUnsupported) {
  const { outcome } = world;
  let currentSkipped = false;
  const skippedNames = new Set();
  // Commands on a module this engine cannot compile are skipped; those on a
  // module the rewriter refused run on the original, uncounted (counted false).
  const targetOf = (action) => (action.module ? world.named.get(action.module) : world.current);
  const targetUnusable = (action) =>
    (action.module ? skippedNames.has(action.module) : currentSkipped);

  for (const command of commands) {
    const { line } = command;
    switch (command.type) {
      case 'module': {
        const source = world.moduleFile(command.filename);
        if (modulesUnsupported.has(command.filename)) {
          currentSkipped = true;
          if (command.name) skippedNames.add(command.name);
          outcome.skip();
          break;
        }
        currentSkipped = false;
        if (command.name) skippedNames.delete(command.name);
        try {
          const { instance } = world.instantiate(source.path);
          world.current = { instance, counted: source.counted };
          if (command.name) world.named.set(command.name, world.current);
          if (source.counted) outcome.pass();
        } catch (error) {
          if (world.label === 'original' && isUnsupportedByEngine(error)) {
            modulesUnsupported.add(command.filename);
            currentSkipped = true;
            if (command.name) skippedNames.add(command.name);
            outcome.skip();
            outcome.unsupported ??= errorName(error);
          } else {
            world.current = null;
            outcome.fail(line, `module ${command.filename} failed to instantiate: ${errorName(error)}`);
          }
        }
        break;
      }
      case 'register': {
        if (command.name ? skippedNames.has(command.name) : currentSkipped) break;
        const target = command.name ? world.named.get(command.name) : world.current;
        if (target) world.registry.set(command.as, target.instance.exports);
        break;
      }
      case 'action': case 'assert_return': case 'assert_trap': case 'assert_exhaustion': {
        const action = { ...command.action, expectedTypes: (command.expected ?? []).map((e) => e.type) };
        if (targetUnusable(action)) { outcome.skip(); break; }
        const target = targetOf(action);
        if (!target) { outcome.fail(line, `${command.type}: no module to act on`); break; }
        const verdict = checkAction(world, target, command, action);
        // The instrumented pass is held only to what held on the original.
        if (!target.counted || (world.passedInOriginal && !world.passedInOriginal.has(line))) break;
        if (verdict === null) {
          outcome.pass();
          world.passedLines?.add(line);
        } else {
          outcome.fail(line, `${command.type} ${action.field}: ${verdict}`);
        }
        break;
      }
      case 'assert_invalid': case 'assert_malformed':
        if (command.module_type !== 'binary') break; // text-format checks of wast2json itself
        checkRejected(world, command, dir);
        break;
      case 'assert_unlinkable': case 'assert_uninstantiable':
        checkInstantiationFails(world, command);
        break;
      default:
        outcome.fail(line, `unknown command ${command.type}`);
    }
  }
}

// Returns null when the command's expectation holds, else why not.
function checkAction(world, target, command, action) {
  let results;
  try {
    results = perform(target, action);
  } catch (error) {
    world.closeOpenFrames();
    const trapped = error instanceof WebAssembly.RuntimeError;
    const exhausted = error instanceof RangeError;
    if (command.type === 'assert_trap' && trapped) return null;
    if (command.type === 'assert_exhaustion' && exhausted) return null;
    return `threw ${errorName(error)}`;
  }
  const open = world.openFrames();
  if (open > 0) {
    world.closeOpenFrames();
    return `returned normally with ${open} instrumented frame(s) still open (a missing exit probe)`;
  }
  if (command.type === 'assert_trap') return 'returned instead of trapping';
  if (command.type === 'assert_exhaustion') return 'returned instead of exhausting the stack';
  if (command.type === 'action') return null;
  const expected = command.expected;
  const remaining = [...results];
  const ok = expected.every((e) => matchResult(e, remaining)) && remaining.length === 0;
  return ok ? null : `got ${describeValues(results)}, expected ${describeExpected(expected)}`;
}

function checkRejected(world, command, dir) {
  const { outcome } = world;
  if (world.label === 'original') {
    const bytes = fs.readFileSync(path.join(dir, command.filename));
    if (!WebAssembly.validate(bytes)) outcome.pass();
    else outcome.fail(command.line, `${command.type} module ${command.filename} (${command.text}) is accepted by the engine`);
    return;
  }
  const source = world.moduleFile(command.filename);
  if (source.refusal === undefined) return;
  if (source.refusal) outcome.pass();
  else outcome.fail(command.line, `rewriter accepted ${command.type.slice(7)} module ${command.filename} (${command.text})`);
}

function checkInstantiationFails(world, command) {
  const { outcome } = world;
  const source = world.moduleFile(command.filename);
  const expectedError = command.type === 'assert_unlinkable'
    ? (e) => e instanceof WebAssembly.LinkError || e instanceof TypeError
    : (e) => e instanceof WebAssembly.RuntimeError;
  // Run even when not counted: a failed instantiation can leave table and
  // memory writes behind that later commands observe.
  let verdict = null;
  try {
    world.instantiate(source.path);
    verdict = `${command.type} module ${command.filename} (${command.text}) instantiated`;
  } catch (error) {
    if (!expectedError(error)) verdict = `${command.type} module ${command.filename}: ${errorName(error)}`;
  }
  if (!source.counted) return;
  if (verdict === null) outcome.pass();
  else outcome.fail(command.line, verdict);
}

// ---------------------------------------------------------------------------
// The rewriter.

// Returns { path } when it wrote the file, { refusal: message } when it
// refused properly, { problem: message } when it broke the contract.
function rewrite(rewriter, input, output) {
  const [command, ...extra] = rewriter;
  const child = spawnSync(command, [...extra, input, output], { encoding: 'utf8', timeout: 60_000 });
  const stderr = (child.stderr ?? '').replace(/\n$/, '');
  if (child.error) return { problem: `cannot run rewriter: ${child.error.message}` };
  if (child.signal) return { problem: `rewriter killed by ${child.signal}${stderr ? `: ${stderr.split('\n').pop()}` : ''}` };
  const written = fs.existsSync(output);
  if (child.status === 0) return written ? { path: output } : { problem: 'rewriter exited 0 without writing the output' };
  if (written) return { problem: `rewriter refused (exit ${child.status}) but left ${path.basename(output)}` };
  if (stderr === '' || stderr.includes('\n')) {
    return { problem: `rewriter refused (exit ${child.status}) without a one-line message: ${JSON.stringify(stderr.slice(0, 200))}` };
  }
  return { refusal: stderr };
}

// ---------------------------------------------------------------------------

function convert(options, dir) {
  const base = path.basename(options.wast);
  const flags = WAST2JSON_FLAGS.filter(([pattern]) => pattern.test(base)).flatMap(([, f]) => f);
  const json = path.join(dir, 'script.json');
  const child = spawnSync(options.wast2json, [...flags, options.wast, '-o', json], { encoding: 'utf8' });
  if (child.error) setupError(`cannot run ${options.wast2json}: ${child.error.message}`);
  if (child.status !== 0) setupError(`wast2json failed on ${base}: ${child.stderr.split('\n')[0]}`);
  return JSON.parse(fs.readFileSync(json, 'utf8')).commands;
}

function printOutcome(name, label, outcome, verbose, extra = '') {
  const limit = verbose ? Infinity : MAX_REPORTED_FAILURES;
  outcome.failures.slice(0, limit).forEach((f) => console.log(`FAIL ${name} ${label} ${f}`));
  if (outcome.failures.length > limit) console.log(`FAIL ${name} ${label} ... and ${outcome.failures.length - limit} more`);
  console.log(`${name} ${label}: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped${extra}`);
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  if (!fs.existsSync(options.wast)) setupError(`no such file ${options.wast}`);
  const name = path.basename(options.wast);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-spec-'));
  try {
    const commands = convert(options, dir);
    const modulesUnsupported = new Set();

    const original = new World('original', (file) => ({ path: path.join(dir, file), counted: true }));
    original.passedLines = new Set();
    runPass(original, commands, dir, modulesUnsupported);
    printOutcome(name, 'original', original.outcome, options.verbose,
      original.outcome.unsupported ? ` (engine: ${original.outcome.unsupported})` : '');
    let passed = original.outcome.passed, failed = original.outcome.failed;
    let skipped = original.outcome.skipped;

    if (options.rewriter) {
      const rewritten = new Map();
      const refusals = [];
      const problems = new Outcome();
      const outDir = path.join(dir, 'rewritten');
      fs.mkdirSync(outDir);
      for (const command of commands) {
        if (!command.filename || !command.filename.endsWith('.wasm')) continue;
        if (modulesUnsupported.has(command.filename) || rewritten.has(command.filename)) continue;
        const result = rewrite(options.rewriter, path.join(dir, command.filename), path.join(outDir, command.filename));
        rewritten.set(command.filename, result);
        if (result.problem) problems.fail(command.line, `${command.filename}: ${result.problem}`);
        const shouldBeRefused = command.type === 'assert_invalid' || command.type === 'assert_malformed';
        if (result.refusal && !shouldBeRefused) refusals.push(`line ${command.line} ${command.filename}: ${result.refusal}`);
      }
      const instrumented = new World('instrumented', (file) => {
        const result = rewritten.get(file);
        if (result?.path) return { path: result.path, counted: true, refusal: null };
        // Refused, unsupported or already reported as a problem: run the original, uncounted.
        return { path: path.join(dir, file), counted: false, refusal: result?.refusal };
      });
      instrumented.passedInOriginal = original.passedLines;
      runPass(instrumented, commands, dir, modulesUnsupported);
      const totals = { enters: 0, exits: 0, unwound: 0 };
      const hostsOk = instrumented.hosts.every((host) => {
        const r = host.results();
        for (const key of Object.keys(totals)) totals[key] += r[key];
        return r.enters === r.exits + r.unwound && r.openFrames === 0 && r.protocolErrors === 0;
      });
      if (hostsOk) instrumented.outcome.pass();
      else instrumented.outcome.fail('-', 'probe accounting: enters != exits + unwound, or out-of-order probes');
      instrumented.outcome.failed += problems.failed;
      instrumented.outcome.failures.push(...problems.failures);
      refusals.forEach((r) => console.log(`REFUSED ${name} ${r}`));
      printOutcome(name, 'instrumented', instrumented.outcome, options.verbose,
        `; probes: ${totals.enters} enters, ${totals.exits} exits, ${totals.unwound} unwound`
        + `; rewriter refused ${refusals.length} of ${[...rewritten.entries()].filter(([f]) => !isRejectFile(commands, f)).length} valid modules`);
      passed += instrumented.outcome.passed;
      failed += instrumented.outcome.failed;
      skipped += instrumented.outcome.skipped;
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed > 0 ? EXIT_FAILED : passed === 0 && skipped > 0 ? EXIT_ALL_SKIPPED : 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isRejectFile(commands, file) {
  return commands.some((c) => c.filename === file && (c.type === 'assert_invalid' || c.type === 'assert_malformed'));
}

main();
