;; MVP only: no feature bit.
(module
  (memory 1)
  (table 1 funcref)
  (global $g (mut i32) (i32.const 0))
  (func (export "f") (param i32) (result i32)
    (block (result i32) (i32.load offset=4 (local.get 0)))
    (global.set $g (i32.const 1))
    drop
    (loop $l (br_if $l (i32.eqz (global.get $g))))
    (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))
