;; nap: $nap sleeps 300 ms in poll_oneoff (relative monotonic clock), then
;; $spin loops 1,000,000 times. Used to check that sampled time puts the
;; sleep's wall time on the path that made the WASI call.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $x (mut i64) (i64.const 1))
  (func $nap
    ;; subscription at 256: userdata 0, tag 0 (clock), clock id 1 at 272, timeout at 280
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 300000000))
    (drop (call $poll (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 8))))
  (func $spin
    (local $i i32)
    (loop $l
      (global.set $x (i64.add (i64.mul (global.get $x) (i64.const 6364136223846793005)) (i64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000000)))))
  (func $_start (export "_start")
    (call $nap)
    (call $spin)))
