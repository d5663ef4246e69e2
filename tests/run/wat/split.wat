;; split: heavy spins 4 units of a xorshift loop, light 1 unit (the same loop,
;; a quarter of the iterations), alternately 150 times; a unit is 200,000
;; iterations. Used to check that sampled time splits 4:1.
(module
  (memory (export "memory") 1)
  (global $x (mut i64) (i64.const 88172645463325252))
  (func $heavy
    (local $i i32) (local $x i64)
    (local.set $x (global.get $x))
    (loop $l
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 800000))))
    (global.set $x (local.get $x)))
  (func $light
    (local $i i32) (local $x i64)
    (local.set $x (global.get $x))
    (loop $l
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 200000))))
    (global.set $x (local.get $x)))
  (func $_start (export "_start")
    (local $round i32)
    (loop $rounds
      (call $heavy)
      (call $light)
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $round) (i32.const 150))))))
