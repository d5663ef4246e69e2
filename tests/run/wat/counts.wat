;; counts: _start calls $a 3 times, each $a calls $b twice and allocates
;; through $malloc once (16 bytes, never freed); $b returns an i32.
;; Calls: _start 1, a 3, b 6, malloc 3 = 13; 4 functions; 3 allocations of
;; 16 bytes = 48 bytes, 3 live. Prints "counts done\n".
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "counts done\n")
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func $b (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
  (func $a
    (drop (call $b (i32.const 1)))
    (drop (call $b (i32.const 2)))
    (drop (call $malloc (i32.const 16))))
  (func $_start (export "_start")
    (call $a) (call $a) (call $a)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
