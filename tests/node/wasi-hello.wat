;; A WASI command for wprof-node.mjs: prints "hello" twice and calls
;; proc_exit(3) from inside an instrumented frame, which stays open.
;; Four imports, so fid = function index - 4.   fid 0 say, 1 _start
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\06\00\00\00")   ;; iovec { buf = 16, len = 6 }
  (data (i32.const 16) "hello\n")

  (func $say
    (call $enter (i32.const 0))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 0)))

  (func $start (export "_start")
    (call $enter (i32.const 1))
    (call $say)
    (call $say)
    (call $proc_exit (i32.const 3))
    (call $exit (i32.const 1)))
)
