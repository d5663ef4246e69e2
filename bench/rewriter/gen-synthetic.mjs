#!/usr/bin/env node
// gen-synthetic.mjs — writes the WAT text of a large synthetic module for the
// rewriter benchmarks (bench/rewriter/setup.sh assembles it with wat2wasm).
//
//   node gen-synthetic.mjs [NUM_FUNCS [SEED]] > synthetic.wat
//
// Deterministic: the same NUM_FUNCS and SEED give the same bytes. Every
// function takes a depth (i32) and a value (i64), plus an f64 for some types,
// and returns one of i32, i64, f64, nothing or (i64 i32). Its body is a few
// statements drawn from: direct calls, tail calls, loops, blocks with br_if,
// br_table switches, f64 math, call_indirect, memory loads and stores and
// early returns. Calls only happen while depth > 0 and pass depth - 1, so
// every call tree is finite; the export `run(n) -> i64` folds the results of
// n root calls into one checksum, which real-modules.sh compares between the
// plain and the instrumented module.

const numFuncs = Number(process.argv[2] ?? 50000);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isInteger(numFuncs) || numFuncs < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: gen-synthetic.mjs [NUM_FUNCS [SEED]]\n');
  process.exit(2);
}

// xorshift32: a small PRNG whose sequence does not depend on the engine.
let state = (seed >>> 0) || 1;
function random(n) {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state % n;
}

// Function types. `params` after the fixed (depth i32, x i64).
const TYPES = [
  { name: '$t_i64', extra: [], results: ['i64'] }, // the type of call_indirect and run's roots
  { name: '$t_i32', extra: [], results: ['i32'] },
  { name: '$t_f64', extra: ['f64'], results: ['f64'] },
  { name: '$t_none', extra: [], results: [] },
  { name: '$t_multi', extra: ['f64'], results: ['i64', 'i32'] },
];
const funcType = Array.from({ length: numFuncs }, () => random(TYPES.length));
const rootFuncs = [];
for (let k = 0; k < numFuncs; k++) if (funcType[k] === 0) rootFuncs.push(k);
if (rootFuncs.length === 0) { funcType[0] = 0; rootFuncs.push(0); }

const out = [];
const emit = (line) => out.push(line);

// Folds the results of a call (left on the stack) into one i64.
function foldResults(type) {
  switch (TYPES[type].name) {
    case '$t_i64': return '';
    case '$t_i32': return '(i64.extend_i32_u)';
    case '$t_f64': return '(i64.trunc_sat_f64_s)';
    case '$t_none': return '(i64.const 0)';
    case '$t_multi': return '(local.set $r32) (local.get $r32) (i64.extend_i32_u) (i64.add)';
    default: throw new Error('unknown type');
  }
}

// The operands of a call to a function of `type` with depth - 1.
function callOperands(type) {
  const f64 = TYPES[type].extra.length ? ' (f64.convert_i64_s (local.get $x))' : '';
  return `(i32.sub (local.get $d) (i32.const 1)) (local.get $acc)${f64}`;
}

// Converts $acc to the results of `type` (left on the stack).
function resultOf(type) {
  switch (TYPES[type].name) {
    case '$t_i64': return '(local.get $acc)';
    case '$t_i32': return '(i32.wrap_i64 (local.get $acc))';
    case '$t_f64': return '(f64.convert_i64_u (local.get $acc))';
    case '$t_none': return '(i64.store (i32.const 0) (local.get $acc))';
    case '$t_multi': return '(local.get $acc) (i32.wrap_i64 (i64.shr_u (local.get $acc) (i64.const 32)))';
    default: throw new Error('unknown type');
  }
}

const constant = () => `(i64.const ${random(0x7fffffff) + 1})`;

function statement(k, type, label) {
  const shape = random(10);
  switch (shape) {
    case 0: case 1: { // a direct call
      const callee = random(numFuncs);
      emit(`    (if (i32.gt_s (local.get $d) (i32.const 0)) (then`);
      emit(`      (call $f${callee} ${callOperands(funcType[callee])}) ${foldResults(funcType[callee])}`);
      emit(`      (local.set $acc (i64.add (local.get $acc)))))`);
      return;
    }
    case 2: { // a counted loop
      emit(`    (local.set $i (i32.const ${1 + random(16)}))`);
      emit(`    (loop $loop${label}`);
      emit(`      (local.set $acc (i64.add (i64.mul (local.get $acc) ${constant()}) (i64.extend_i32_u (local.get $i))))`);
      emit(`      (br_if $loop${label} (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))`);
      return;
    }
    case 3: // a block left early by br_if
      emit(`    (block $skip${label}`);
      emit(`      (br_if $skip${label} (i64.eqz (i64.and (local.get $acc) (i64.const 1))))`);
      emit(`      (local.set $acc (i64.xor (local.get $acc) ${constant()})))`);
      return;
    case 4: // a br_table switch
      emit(`    (block $s3_${label} (block $s2_${label} (block $s1_${label} (block $s0_${label}`);
      emit(`      (br_table $s0_${label} $s1_${label} $s2_${label} $s3_${label} (i32.wrap_i64 (i64.and (local.get $acc) (i64.const 3)))))`);
      emit(`      (local.set $acc (i64.add (local.get $acc) ${constant()})) (br $s3_${label}))`);
      emit(`      (local.set $acc (i64.mul (local.get $acc) (i64.const 3))) (br $s3_${label}))`);
      emit(`      (local.set $acc (i64.rotl (local.get $acc) (i64.const 7))))`);
      return;
    case 5: // f64 math
      emit(`    (local.set $f (f64.add (f64.mul (f64.convert_i64_s (local.get $acc)) (f64.const 0.5))`);
      emit(`      (f64.sqrt (f64.abs (f64.convert_i64_s (local.get $x))))))`);
      emit(`    (local.set $acc (i64.add (local.get $acc) (i64.trunc_sat_f64_s (local.get $f))))`);
      return;
    case 6: // call_indirect into the table of i64 functions
      emit(`    (if (i32.gt_s (local.get $d) (i32.const 0)) (then`);
      emit(`      (local.set $acc (i64.add (local.get $acc) (call_indirect (type $t_i64) ${callOperands(0)}`);
      emit(`        (i32.wrap_i64 (i64.rem_u (local.get $acc) (i64.const ${rootFuncs.length}))))))))`);
      return;
    case 7: // memory traffic
      emit(`    (i64.store (i32.and (i32.wrap_i64 (local.get $acc)) (i32.const 0xfff0)) (local.get $acc))`);
      emit(`    (local.set $acc (i64.add (local.get $acc) (i64.load offset=8 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $acc) (i64.const 13))) (i32.const 0xfff0)))))`);
      return;
    case 8: // an early return
      emit(`    (if (i64.eq (i64.and (local.get $acc) (i64.const 15)) (i64.const 5)) (then ${resultOf(type)} (return)))`);
      return;
    case 9: { // a tail call to a function of the same type
      const callee = random(numFuncs);
      if (funcType[callee] !== type) { statement(k, type, label); return; }
      emit(`    (if (i32.gt_s (local.get $d) (i32.const 0)) (then`);
      emit(`      (return_call $f${callee} ${callOperands(type)})))`);
      return;
    }
    default: throw new Error('unknown shape');
  }
}

emit('(module');
for (const t of TYPES) {
  const params = ['i32', 'i64', ...t.extra].map((p) => `(param ${p})`).join(' ');
  const results = t.results.length ? ` (result ${t.results.join(' ')})` : '';
  emit(`  (type ${t.name} (func ${params}${results}))`);
}
emit('  (memory (export "memory") 1)');
emit(`  (table $roots ${rootFuncs.length} funcref)`);
emit(`  (elem (table $roots) (i32.const 0) func ${rootFuncs.map((k) => `$f${k}`).join(' ')})`);
for (let k = 0; k < numFuncs; k++) {
  const type = funcType[k];
  const t = TYPES[type];
  const params = ['(param $d i32)', '(param $x i64)', ...t.extra.map((p, i) => `(param $p${i} ${p})`)];
  emit(`  (func $f${k} (type ${t.name}) ${params.join(' ')}${t.results.length ? ` (result ${t.results.join(' ')})` : ''}`);
  emit('    (local $acc i64) (local $i i32) (local $f f64) (local $r32 i32)');
  emit(`    (local.set $acc (i64.add (local.get $x) (i64.const ${k})))`);
  const count = 1 + random(4);
  for (let s = 0; s < count; s++) statement(k, type, s);
  emit(`    ${resultOf(type)})`);
}
emit('  (func (export "run") (param $n i32) (result i64) (local $i i32) (local $acc i64)');
emit('    (block $done (loop $next');
emit('      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))');
emit('      (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))');
emit('        (call_indirect $roots (type $t_i64) (i32.const 3) (i64.extend_i32_u (local.get $i))');
emit(`          (i32.rem_u (i32.mul (local.get $i) (i32.const 7919)) (i32.const ${rootFuncs.length})))))`);
emit('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
emit('      (br $next)))');
emit('    (local.get $acc)))');
process.stdout.write(out.join('\n') + '\n');
