;; traps: argv[1]'s first byte picks the trap: u unreachable, d divide by
;; zero, m out-of-bounds load, i call_indirect type mismatch, s infinite
;; recursion (stack exhaustion), x proc_exit(3), anything else returns.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $takes_i32 $recurse)
  (type $void (func))
  (func $takes_i32 (param i32))
  (type $rec (func (param i32) (result i32)))
  ;; through the table, so that the C compiler cannot turn it into a loop
  (func $recurse (param $d i32) (result i32)
    (i32.add (call_indirect (type $rec) (i32.add (local.get $d) (i32.const 1)) (i32.const 1)) (i32.const 1)))
  (func $_start (export "_start")
    (local $c i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 256)))
    ;; argv[1] pointer at 20; its first byte
    (local.set $c (i32.load8_u (i32.load (i32.const 20))))
    (if (i32.eq (local.get $c) (i32.const 117)) (then unreachable))
    (if (i32.eq (local.get $c) (i32.const 100)) (then (drop (i32.div_s (i32.const 1) (i32.load (i32.const 8192))))))
    (if (i32.eq (local.get $c) (i32.const 109)) (then (drop (i32.load (i32.const 70000)))))
    (if (i32.eq (local.get $c) (i32.const 105)) (then (call_indirect (type $void) (i32.const 0))))
    (if (i32.eq (local.get $c) (i32.const 115)) (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $c) (i32.const 120)) (then (call $proc_exit (i32.const 3))))))
