;; badtype: imports proc_exit with the wrong type, (i64 i64) -> i32 instead of (i32) -> ().
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i64 i64) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $exit (i64.const 1) (i64.const 2)))))
