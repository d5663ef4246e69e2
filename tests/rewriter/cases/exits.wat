;; Every normal way out of a function fires exactly one exit.
(module
  ;; fallthrough and `return` from deep inside blocks, loops and ifs
  (func $clamp (export "clamp") (param i32) (result i32)
    (block $outer
      (loop $l
        (if (i32.gt_s (local.get 0) (i32.const 100))
          (then (block (return (i32.const 100)))))
        (br_if $outer (i32.ge_s (local.get 0) (i32.const 0)))
        (return (i32.const 0))))
    (local.get 0))
  ;; br / br_if / br_table to the function's own label, with a value
  (func $pick (export "pick") (param i32) (result i32)
    (i32.add (i32.const 100)
      (block $a (result i32)
        (drop (block $b (result i32)
          (br_table $b $a 2 $b (i32.const 30) (local.get 0))))
        (drop (br_if 1 (i32.const 20) (i32.eqz (local.get 0))))
        (i32.const 21))))
  ;; a void function left by br_if to its own label and by return
  (func $void (export "void") (param i32)
    (br_if 0 (local.get 0))
    (if (i32.eq (local.get 0) (i32.const 0)) (then (return)))
    (nop))
  ;; `return (call $g)`: the callee runs inside the caller
  (func $outer_ret (export "outer_ret") (param i32) (result i32)
    (return (call $clamp (local.get 0))))
  ;; a function that never returns normally
  (func $spin (export "spin") (param i32) (result i32)
    (loop $l (br_if $l (i32.eqz (local.get 0))) (return (local.get 0)))
    (unreachable))
)
