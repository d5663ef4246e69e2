;; sleep: prints "ready\n", then sleeps 60 s in poll_oneoff (relative monotonic clock).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ready\n")
  (func $_start (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; subscription at 256: userdata 0, tag 0 (clock), clock id 1 at 272, timeout at 280
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 60000000000))
    (drop (call $poll (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 8)))))
