;; memory64
(module
  (memory i64 1)
  (func $ld (export "ld") (param i64) (result i32) (i32.load (local.get 0)))
  (func (memory.grow (i64.const 1)) (drop)))
