;; clockrand: reads the realtime clock (0), the monotonic clock (1), sleeps
;; 10 ms in poll_oneoff, reads the monotonic clock again and its resolution,
;; takes 12 random bytes, and writes the four u64 and the 12 bytes (44 bytes,
;; little-endian) to stdout. Under wprof run --deterministic (wasi.h):
;; 946684800000001000, 2000, 10003000, 1000, then splitmix64's first bytes.
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $res (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $nap
    ;; subscription at 256: userdata 0, tag 0 (clock), clock id 1 at 272, timeout at 280 (relative)
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 10000000))
    (drop (call $poll (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 8))))
  (func $_start (export "_start")
    (drop (call $clock (i32.const 0) (i64.const 0) (i32.const 100)))
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 108)))
    (call $nap)
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 116)))
    (drop (call $res (i32.const 1) (i32.const 124)))
    (drop (call $random (i32.const 132) (i32.const 12)))
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 44))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
