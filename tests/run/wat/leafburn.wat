;; leafburn: _start calls $burn 5,000,000 times through a table (cc cannot
;; inline a call_indirect), and $burn is a straight-line leaf of 56
;; instructions (three rounds of xorshift, 18 instructions each, its result
;; and its end), so that `wasm-instrument --count-leaves` counts it with one
;; probe and no frame. Used to check that samples in $burn's own compiled
;; code go to _start;burn, although no frame of burn is ever on top.
(module
  (type $t (func (param i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $burn)
  (memory (export "memory") 1)
  (global $x (mut i64) (i64.const 88172645463325252))
  (func $burn (type $t) (param $x i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
    (local.get $x))
  (func $_start (export "_start")
    (local $i i32)
    (loop $l
      (global.set $x (call_indirect (type $t) (global.get $x) (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 5000000))))))
