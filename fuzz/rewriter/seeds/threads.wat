;; threads: shared memory and atomics
(module
  (memory 1 1 shared)
  (func $inc (export "inc") (param i32) (result i32)
    (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
  (func $wait (param i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const -1)))
  (func (atomic.fence) (i64.atomic.store (i32.const 8) (i64.const 3))))
