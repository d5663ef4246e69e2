;; A WASI command that traps two instrumented frames deep after one balanced
;; call. Two imports, so fid = function index - 2.   fid 0 leaf, 1 fail, 2 _start
(module
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)

  (func $leaf
    (call $enter (i32.const 0))
    (call $exit (i32.const 0)))

  (func $fail
    (call $enter (i32.const 1))
    (call $leaf)
    (unreachable))

  (func $start (export "_start")
    (call $enter (i32.const 2))
    (call $fail)
    (call $exit (i32.const 2)))
)
