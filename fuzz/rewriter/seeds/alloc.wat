;; allocators by name: malloc/free/calloc/realloc called by main
(module
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param i32) (result i32)
    (global.get $top) (global.set $top (i32.add (global.get $top) (local.get 0))))
  (func $free (export "free") (param i32))
  (func $calloc (param i32 i32) (result i32) (call $malloc (i32.mul (local.get 0) (local.get 1))))
  (func $realloc (param i32 i32) (result i32) (call $malloc (local.get 1)))
  (func $main (export "_start")
    (call $free (call $realloc (call $calloc (i32.const 2) (call $malloc (i32.const 8))) (i32.const 16)))))
