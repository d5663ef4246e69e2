;; spin: prints "ready\n", then calls $tick forever (no WASI call in the loop).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ready\n")
  (global $n (mut i32) (i32.const 0))
  (func $tick (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func $_start (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop $forever (call $tick) (br $forever))))
