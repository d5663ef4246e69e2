;; leaves: which functions wasm-instrument --count-leaves counts with one
;; count probe and no frame (straight-line: no loop, no call, no try/throw;
;; at most 64 instructions, the final end included).
;;   $inc         3 instructions: counted
;;   $clamp_leaf  branches but no loop: counted
;;   $sum_to      a loop: framed
;;   $twice       calls $inc twice: framed
;;   $long        17 x 4 + 2 = 70 instructions: framed
(module
  (func $inc (export "inc") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func $clamp_leaf (export "clamp_leaf") (param i32) (result i32)
    (if (i32.gt_s (local.get 0) (i32.const 100)) (then (return (i32.const 100))))
    (local.get 0))
  (func $sum_to (export "sum_to") (param $n i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $s))
  (func $twice (export "twice") (param i32) (result i32)
    (call $inc (call $inc (local.get 0))))
  (func $long (export "long") (param i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.get 0)))
